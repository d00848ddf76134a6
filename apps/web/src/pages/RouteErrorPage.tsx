import { Button, Center, Code, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { IconBug } from '@tabler/icons-react';

/** Last line of defence: an unexpected rendering error or a chunk that failed to load. */
export function RouteErrorPage({ error }: { error: unknown }) {
  const chunkFailed =
    error instanceof Error && /dynamically imported module|Loading chunk|Importing a module script failed/i.test(error.message);
  const detail = error instanceof Error ? error.message : null;
  return (
    <Center mih="60vh" p="md">
      <Stack align="center" gap="sm" maw={520} ta="center" role="alert">
        <ThemeIcon size={64} radius="xl" variant="light" color="red">
          <IconBug size={34} stroke={1.5} />
        </ThemeIcon>
        <Title order={2}>{chunkFailed ? 'This page could not be loaded' : 'Something went wrong'}</Title>
        <Text c="dimmed">
          {chunkFailed
            ? 'Part of the app did not arrive: the connection dropped, or the app was updated while this tab was open. Reload to try again.'
            : 'This page hit an unexpected problem. Reloading usually helps; if it keeps happening, tell your administrator.'}
        </Text>
        {detail && !chunkFailed && <Code>{detail}</Code>}
        <Button mt="sm" onClick={() => window.location.reload()}>
          Reload
        </Button>
      </Stack>
    </Center>
  );
}
