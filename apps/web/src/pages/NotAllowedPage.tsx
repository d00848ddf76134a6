import { Button, Center, Group, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';
import { Link } from 'react-router';
import { useCurrentUser } from '../auth/AuthContext';
import { useDocumentTitle } from '../lib/a11y';
import { humanize } from '../lib/format';

/** Shown when someone opens (types, bookmarks) a page their role may not use. */
export function NotAllowedPage() {
  const user = useCurrentUser();
  useDocumentTitle('Not allowed');
  return (
    <Center mih="60vh">
      <Stack align="center" gap="sm" maw={460} ta="center" data-testid="not-allowed">
        <ThemeIcon size={64} radius="xl" variant="light" color="orange">
          <IconLock size={34} stroke={1.5} />
        </ThemeIcon>
        <Title order={1} fz={26} tabIndex={-1} data-page-heading style={{ outline: 'none' }}>
          Not allowed
        </Title>
        <Text c="dimmed">
          Your role ({humanize(user.role)}) does not give access to this page. If you need it for your work, ask an administrator to change
          your role.
        </Text>
        <Group mt="sm">
          <Button component={Link} to="/">
            Go to the dashboard
          </Button>
        </Group>
      </Stack>
    </Center>
  );
}
