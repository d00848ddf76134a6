import { Group, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';

/** Label/value pairs of a record's details. */
export function DetailList({ items }: { items: { label: string; value: ReactNode; icon?: ReactNode }[] }) {
  return (
    <Stack gap="sm">
      {items.map((item) => (
        <Group key={item.label} gap="sm" wrap="nowrap" align="flex-start">
          {item.icon && <div style={{ color: 'var(--mantine-color-dimmed)', paddingTop: 2 }}>{item.icon}</div>}
          <Stack gap={0} style={{ minWidth: 0 }}>
            <Text size="xs" c="dimmed" fw={500}>
              {item.label}
            </Text>
            <Text size="sm" style={{ overflowWrap: 'anywhere' }} component="div">
              {item.value === null || item.value === undefined || item.value === '' ? (
                <Text c="dimmed" size="sm">
                  —
                </Text>
              ) : (
                item.value
              )}
            </Text>
          </Stack>
        </Group>
      ))}
    </Stack>
  );
}
