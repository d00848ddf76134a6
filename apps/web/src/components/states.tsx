/** Loading, empty and error states, so every page says what is going on in the same voice. */
import { Alert, Button, Center, Group, Loader, Paper, Skeleton, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { IconAlertTriangle, IconInbox, IconRefresh } from '@tabler/icons-react';
import type { ReactNode } from 'react';

export function PageLoader({ label = 'Loading…' }: { label?: string }) {
  return (
    <Center mih={240} role="status" aria-live="polite">
      <Stack align="center" gap="xs">
        <Loader size="md" />
        <Text c="dimmed" size="sm">
          {label}
        </Text>
      </Stack>
    </Center>
  );
}

export function SkeletonRows({ rows = 6, height = 36 }: { rows?: number; height?: number }) {
  return (
    <Stack gap="xs" role="status" aria-label="Loading">
      {Array.from({ length: rows }, (_, i) => (
        <Skeleton key={i} height={height} radius="sm" />
      ))}
    </Stack>
  );
}

export function EmptyState({ title, message, action, icon }: { title: string; message?: ReactNode; action?: ReactNode; icon?: ReactNode }) {
  return (
    <Center py="xl" px="md">
      <Stack align="center" gap="xs" maw={420} ta="center">
        <ThemeIcon size={48} radius="xl" variant="light" color="gray">
          {icon ?? <IconInbox size={26} stroke={1.5} />}
        </ThemeIcon>
        <Title order={4} fw={600}>
          {title}
        </Title>
        {message && (
          <Text c="dimmed" size="sm">
            {message}
          </Text>
        )}
        {action && <Group mt="xs">{action}</Group>}
      </Stack>
    </Center>
  );
}

function errorMessage(error: unknown): string {
  if (error && typeof error === 'object' && 'message' in error && typeof error.message === 'string') {
    if (error.message === 'Failed to fetch' || error.message.includes('NetworkError')) {
      return 'The server could not be reached. Check your connection and try again.';
    }
    return error.message;
  }
  return 'Something went wrong.';
}

function requestIdOf(error: unknown): string | undefined {
  if (error && typeof error === 'object' && 'data' in error && error.data && typeof error.data === 'object' && 'requestId' in error.data) {
    return typeof error.data.requestId === 'string' ? error.data.requestId : undefined;
  }
  return undefined;
}

export function ErrorState({ error, onRetry, title = 'Could not load this' }: { error: unknown; onRetry?: () => void; title?: string }) {
  const requestId = requestIdOf(error);
  return (
    <Paper withBorder p="lg" radius="md">
      <Alert variant="light" color="red" title={title} icon={<IconAlertTriangle size={18} />}>
        <Stack gap="xs">
          <Text size="sm">{errorMessage(error)}</Text>
          {requestId && (
            <Text size="xs" c="dimmed">
              Reference: {requestId}
            </Text>
          )}
          {onRetry && (
            <Group>
              <Button size="xs" variant="white" color="red" leftSection={<IconRefresh size={14} />} onClick={onRetry}>
                Try again
              </Button>
            </Group>
          )}
        </Stack>
      </Alert>
    </Paper>
  );
}

/** The message of a failed mutation, for notifications and form alerts. */
export function describeError(error: unknown): string {
  return errorMessage(error);
}
