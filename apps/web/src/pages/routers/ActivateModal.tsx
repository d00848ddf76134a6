/**
 * Activation with a router: the technician picks the router that serves the line (or none: not
 * managed by the CRM), activates, and sees the generated service password this once.
 */
import { Alert, Button, Group, Modal, Select, Stack, Textarea } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { notifyError, notifySuccess } from '../../lib/forms';
import { useTRPC, type RouterOutputs } from '../../trpc';
import { invalidates } from '../../lib/invalidation';
import { ServiceCredentials } from './ServiceCredentials';

type Activated = RouterOutputs['subscriptions']['activate'];

export function ActivateModal({
  subscription,
  opened,
  onClose,
}: {
  subscription: { id: string; planName: string; routerId?: string | null };
  opened: boolean;
  onClose: () => void;
}) {
  return (
    <Modal opened={opened} onClose={onClose} title={`Activate: ${subscription.planName}`}>
      {opened && <ActivateForm subscription={subscription} onClose={onClose} />}
    </Modal>
  );
}

function ActivateForm({
  subscription,
  onClose,
}: {
  subscription: { id: string; planName: string; routerId?: string | null };
  onClose: () => void;
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
        notifySuccess(`${s.planName} is now ${s.status}`, 'Activate');
        if (s.servicePassword) setActivated(s);
        else onClose();
      },
      onError: (error) => notifyError(error),
    }),
  );

  if (activated?.servicePassword) {
    return (
      <ServiceCredentials
        username={activated.pppoeUsername}
        password={activated.servicePassword}
        usernameTestId="service-username"
        passwordTestId="service-password"
        onDone={onClose}
        notice={
          <Alert color="yellow" title="Shown this once">
            Configure the customer’s router (CPE) with these credentials now. The password is stored encrypted and is not shown again; if it
            is lost, set a new one from the subscription.
          </Alert>
        }
      />
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
