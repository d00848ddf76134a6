/**
 * Admin action on the users list: reset another person's two-step sign-in (a lost phone and lost
 * recovery codes), after a confirmation. Their sessions end; they enrol again at next sign-in.
 */
import { ActionIcon, Alert, Button, Group, Modal, Stack, Text, Tooltip } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconShieldOff } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { describeError } from '../../components/states';
import { notifySuccess } from '../../lib/forms';
import { useTRPC } from '../../trpc';

export function ResetMfaAction({ user }: { user: { id: string; name: string } }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [opened, { open, close }] = useDisclosure(false);
  const reset = useMutation(
    trpc.users.resetMfa.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.users.pathKey() });
        notifySuccess(`${user.name} signs in with the password alone until they set it up again.`, 'Two-step sign-in reset');
        close();
      },
    }),
  );
  return (
    <>
      <Tooltip label="Reset two-step sign-in">
        <ActionIcon variant="subtle" color="gray" onClick={open} aria-label={`Reset two-step sign-in of ${user.name}`}>
          <IconShieldOff size={16} />
        </ActionIcon>
      </Tooltip>
      <Modal opened={opened} onClose={close} title={`Reset two-step sign-in of ${user.name}?`}>
        <Stack>
          <Text size="sm">
            Their authenticator app and recovery codes stop working, and every one of their sessions ends at once. Do this only when you
            have confirmed who is asking (for example, in person after a lost phone). If their role requires two-step sign-in, they set it
            up again at their next sign-in.
          </Text>
          {reset.isError && (
            <Alert color="red" variant="light">
              {describeError(reset.error)}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button color="red" loading={reset.isPending} onClick={() => reset.mutate({ id: user.id })}>
              Reset two-step sign-in
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
