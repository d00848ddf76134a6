/**
 * A subscription's router state on the customer page: synced / pending / failed with the router's
 * message and the number of attempts, "Retry now" and "New service password" for technicians.
 * Polls while the router and the CRM disagree, so a background retry shows up by itself.
 */
import { Alert, Badge, Button, Group, Modal, Stack, Text, Tooltip } from '@mantine/core';
import { IconKey, IconRefresh } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useCan } from '../../auth/AuthContext';
import { formatDateTime } from '../../lib/format';
import { notifyError } from '../../lib/forms';
import { useTRPC } from '../../trpc';
import { ServiceCredentials } from '../routers/ServiceCredentials';

const COLORS = { synced: 'teal', pending: 'yellow', failed: 'red' } as const;
const LABELS = { synced: 'Router: synced', pending: 'Router: pending', failed: 'Router: failed' } as const;

export function ProvisioningStatus({ subscriptionId }: { subscriptionId: string }) {
  const trpc = useTRPC();
  const can = useCan();
  const queryClient = useQueryClient();
  const [shown, setShown] = useState<{ username: string; password: string } | null>(null);
  const sub = useQuery({
    ...trpc.subscriptions.get.queryOptions({ id: subscriptionId }),
    refetchInterval: (q) => {
      const state = q.state.data?.provisioningState;
      return state === 'pending' ? 2000 : state === 'failed' ? 5000 : false;
    },
  });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.subscriptions.pathKey() });
  const retry = useMutation(trpc.provisioning.retry.mutationOptions({ onSuccess: refresh, onError: (e) => notifyError(e) }));
  const rotate = useMutation(
    trpc.provisioning.newServicePassword.mutationOptions({
      onSuccess: (r) => {
        setShown(r);
        refresh();
      },
      onError: (e) => notifyError(e),
    }),
  );
  const s = sub.data;
  if (!s?.routerId) return null;
  const state = s.provisioningState;
  const canProvision = can('subscriptions.provision');

  return (
    <Stack gap={4} mt={4} miw={190} data-testid="provisioning-status">
      <Group gap={6} wrap="wrap">
        {state ? (
          <Tooltip label={s.provisionedAt ? `Last synced ${formatDateTime(s.provisionedAt)}` : `On ${s.routerName ?? 'its router'}`}>
            <Badge size="sm" variant="light" color={COLORS[state]} data-testid="provisioning-state">
              {LABELS[state]}
            </Badge>
          </Tooltip>
        ) : (
          <Badge size="sm" variant="light" color="gray">
            On {s.routerName}
          </Badge>
        )}
        {canProvision && state !== null && state !== 'synced' && (
          <Button
            size="compact-xs"
            variant="light"
            leftSection={<IconRefresh size={12} />}
            loading={retry.isPending}
            onClick={() => retry.mutate({ id: s.id })}
          >
            Retry now
          </Button>
        )}
        {canProvision && s.pppoeUsername && s.status !== 'cancelled' && s.status !== 'pending' && (
          <Button
            size="compact-xs"
            variant="subtle"
            color="gray"
            leftSection={<IconKey size={12} />}
            loading={rotate.isPending}
            onClick={() => rotate.mutate({ id: s.id })}
          >
            New password
          </Button>
        )}
      </Group>
      {state === 'failed' && s.provisioningError && (
        <Text size="xs" c="red" data-testid="provisioning-error">
          {s.provisioningError} (attempt {s.provisioningAttempts}; retrying automatically)
        </Text>
      )}
      <Modal opened={shown !== null} onClose={() => setShown(null)} title="New service password">
        {shown && (
          <ServiceCredentials
            username={shown.username}
            password={shown.password}
            passwordTestId="new-service-password"
            onDone={() => setShown(null)}
            notice={<Alert color="yellow">Shown this once. The router gets it in a moment; reconfigure the customer’s CPE with it.</Alert>}
          />
        )}
      </Modal>
    </Stack>
  );
}
