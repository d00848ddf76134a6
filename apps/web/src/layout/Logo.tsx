import { Group, Text, ThemeIcon } from '@mantine/core';
import { IconAccessPoint } from '@tabler/icons-react';

export function Logo({ size = 'md' }: { size?: 'md' | 'lg' }) {
  const big = size === 'lg';
  return (
    <Group gap={8} wrap="nowrap">
      <ThemeIcon size={big ? 40 : 30} radius="md" variant="gradient" gradient={{ from: 'brand.5', to: 'brand.9', deg: 135 }}>
        <IconAccessPoint size={big ? 24 : 18} stroke={2} />
      </ThemeIcon>
      <Text fw={750} fz={big ? 24 : 18} lh={1} style={{ letterSpacing: '-0.02em' }}>
        NetFlow
        <Text span c="var(--nf-logo-accent)" inherit fw={500}>
          {' '}
          CRM
        </Text>
      </Text>
    </Group>
  );
}
