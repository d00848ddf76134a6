import { Group, Paper, TextInput, CloseButton } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { IconSearch } from '@tabler/icons-react';
import { useEffect, useState, type ReactNode } from 'react';

/** Search box (debounced into the URL) and the filters of a list. */
export function ListToolbar({
  search,
  onSearch,
  placeholder,
  children,
}: {
  search: string;
  onSearch: (value: string) => void;
  placeholder: string;
  children?: ReactNode;
}) {
  const [text, setText] = useState(search);
  useEffect(() => setText(search), [search]);
  const commit = useDebouncedCallback((v: string) => onSearch(v.trim()), 300);
  return (
    <Paper withBorder p="sm" mb="md" radius="md">
      <Group gap="sm" align="flex-end" wrap="wrap" className="nf-toolbar">
        <TextInput
          aria-label="Search"
          placeholder={placeholder}
          leftSection={<IconSearch size={16} />}
          value={text}
          onChange={(e) => {
            setText(e.currentTarget.value);
            commit(e.currentTarget.value);
          }}
          rightSection={
            text ? (
              <CloseButton
                size="sm"
                aria-label="Clear search"
                onClick={() => {
                  setText('');
                  onSearch('');
                }}
              />
            ) : null
          }
          style={{ flex: '1 1 240px', minWidth: 'min(240px, 100%)' }}
          maxLength={100}
        />
        {children}
      </Group>
    </Paper>
  );
}
