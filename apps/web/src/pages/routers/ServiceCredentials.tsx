/**
 * A subscription's service username and password, shown the one time the CRM knows the password in
 * clear (at activation, or when a technician sets a new one): copy it onto the customer's CPE now.
 */
import { Button, Code, CopyButton, Group, Stack, Text } from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';
import type { ReactNode } from 'react';

export function ServiceCredentials({
  username,
  password,
  notice,
  onDone,
  usernameTestId,
  passwordTestId,
}: {
  username: string | null;
  password: string;
  notice: ReactNode;
  onDone: () => void;
  usernameTestId?: string;
  passwordTestId: string;
}) {
  return (
    <Stack>
      {notice}
      <Text size="sm">
        Username: <Code data-testid={usernameTestId}>{username}</Code>
      </Text>
      <Group gap="xs">
        <Text size="sm">Password:</Text>
        <Code fz="md" data-testid={passwordTestId}>
          {password}
        </Code>
        <CopyButton value={password}>
          {({ copied, copy }) => (
            <Button
              size="compact-xs"
              variant="subtle"
              onClick={copy}
              leftSection={copied ? <IconCheck size={14} /> : <IconCopy size={14} />}
            >
              {copied ? 'Copied' : 'Copy'}
            </Button>
          )}
        </CopyButton>
      </Group>
      <Group justify="flex-end">
        <Button onClick={onDone}>Done</Button>
      </Group>
    </Stack>
  );
}
