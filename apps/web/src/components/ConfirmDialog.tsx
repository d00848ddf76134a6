/**
 * "Are you sure?" for actions with consequences a slip of the finger should not cause (activating a
 * subscription starts billing; a role change alters what someone may do). `confirm({...})` opens
 * it; the action runs only on the confirm button.
 */
import { Button, Group, Modal, Stack, Text, type ButtonProps } from '@mantine/core';
import { useCallback, useState, type ReactNode } from 'react';

export interface ConfirmOptions {
  title: string;
  message: ReactNode;
  confirmLabel: string;
  color?: ButtonProps['color'];
  onConfirm: () => void;
}

export function useConfirm() {
  const [pending, setPending] = useState<ConfirmOptions | null>(null);
  const confirm = useCallback((options: ConfirmOptions) => setPending(options), []);
  const close = () => setPending(null);
  const dialog = (
    <Modal opened={pending !== null} onClose={close} title={pending?.title ?? ''} size="md">
      {pending && (
        <Stack>
          <Text size="sm" component="div">
            {pending.message}
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button
              color={pending.color}
              data-autofocus
              onClick={() => {
                close();
                pending.onConfirm();
              }}
            >
              {pending.confirmLabel}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
  return [confirm, dialog] as const;
}
