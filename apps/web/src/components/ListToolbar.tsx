import { Group, Paper, TextInput, CloseButton } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { IconSearch } from '@tabler/icons-react';
import { useState, type ReactNode } from 'react';

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
  // The search can change from outside (back button, a link): take it over while rendering, not in
  // an effect, so the box never shows a stale value for a frame.
  const [shown, setShown] = useState(search);
  if (shown !== search) {
    setShown(search);
    setText(search);
  }
  const commit = useDebouncedCallback((v: string) => onSearch(v.trim()), 300);
  return (
    <Paper withBorder p="sm" mb="md" radius="md">
      <Group gap="sm" align="flex-end" wrap="wrap" className="nf-toolbar">
        <TextInput
          aria-label="Search"
          // `/` jumps here (see the shell); the hint says so to sighted keyboard users.
          data-page-search
          aria-keyshortcuts="/"
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
