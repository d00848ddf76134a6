/**
 * Activation with a router: the technician picks the router that serves the line (or none: not
 * managed by the CRM), activates, and sees the generated service password this once.
 */
import { Alert, Button, Code, CopyButton, Group, Modal, Select, Stack, Text, Textarea } from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { notifyError, notifySuccess } from '../../lib/forms';
import { useTRPC, type RouterOutputs } from '../../trpc';
import { invalidates } from '../../lib/invalidation';

type Activated = RouterOutputs['subscriptions']['activate'];

export function ActivateModal({
  subscription,
  opened,
  onClose,
  onDone,
}: {
  subscription: { id: string; planName: string; routerId?: string | null };
  opened: boolean;
  onClose: () => void;
  onDone: () => void;
}) {
  return (
    <Modal opened={opened} onClose={onClose} title={`Activate: ${subscription.planName}`}>
      {opened && <ActivateForm subscription={subscription} onClose={onClose} onDone={onDone} />}
    </Modal>
  );
}

function ActivateForm({
  subscription,
  onClose,
  onDone,
}: {
  subscription: { id: string; planName: string; routerId?: string | null };
  onClose: () => void;
  onDone: () => void;
}) {
  const trpc = useTRPC();
  const options = useQuery(trpc.routers.options.queryOptions());
  const [routerId, setRouterId] = useState<string | null>(subscription.routerId ?? null);
  const [reason, setReason] = useState('');
  const [activated, setActivated] = useState<Activated | null>(null);
  const activate = useMutation(
    trpc.subscriptions.activate.mutationOptions({
      meta: invalidates('billing'),
      onSuccess: (s) => {
        onDone();
        notifySuccess(`${s.planName} is now ${s.status}`, 'Activate');
        if (s.servicePassword) setActivated(s);
        else onClose();
      },
      onError: (error) => notifyError(error),
    }),
  );

  if (activated?.servicePassword) {
    return (
      <Stack>
        <Alert color="yellow" title="Shown this once">
          Configure the customer’s router (CPE) with these credentials now. The password is stored encrypted and is not shown again; if it
          is lost, set a new one from the subscription.
        </Alert>
        <Text size="sm">
          Username: <Code data-testid="service-username">{activated.pppoeUsername}</Code>
        </Text>
        <Group gap="xs">
          <Text size="sm">Password:</Text>
          <Code fz="md" data-testid="service-password">
            {activated.servicePassword}
          </Code>
          <CopyButton value={activated.servicePassword}>
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
          <Button onClick={onClose}>Done</Button>
        </Group>
      </Stack>
    );
  }

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        activate.mutate({ id: subscription.id, routerId: routerId ?? undefined, reason: reason.trim() || undefined });
      }}
    >
      <Stack>
        <Select
          label="Router"
          description="The MikroTik router that serves this line; the CRM creates the customer's account on it"
          placeholder={options.isPending ? 'Loading routers…' : 'Not managed by the CRM'}
          clearable
          data={(options.data?.items ?? []).map((r) => ({ value: r.id, label: r.name }))}
          value={routerId}
          onChange={setRouterId}
          data-testid="activate-router"
        />
        <Textarea
          label="Reason"
          description="Optional; kept in the audit trail"
          value={reason}
          maxLength={500}
          onChange={(e) => setReason(e.currentTarget.value)}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Back
          </Button>
          <Button type="submit" loading={activate.isPending}>
            Activate
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
