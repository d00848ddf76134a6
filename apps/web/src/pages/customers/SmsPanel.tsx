/**
 * The customer page's SMS card: the opt-out switch (support, sales and managers) and the recent
 * automatic messages with their delivery status (for roles that may read them).
 */
import { Badge, Card, Group, Stack, Switch, Text, Title, Tooltip } from '@mantine/core';
import { SMS_TEMPLATE_LABELS, type SmsStatus } from '@netflow/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCan } from '../../auth/AuthContext';
import { notifyError, notifySuccess } from '../../lib/forms';
import { formatDateTime, formatRelative } from '../../lib/format';
import { useTRPC } from '../../trpc';

const STATUS_COLOR: Record<SmsStatus, string> = {
  queued: 'gray',
  sending: 'blue',
  sent: 'blue',
  delivered: 'teal',
  failed: 'red',
  skipped: 'yellow',
};

export function SmsPanel({ customerId }: { customerId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const can = useCan();
  const sms = useQuery(trpc.sms.customer.queryOptions({ customerId }));
  const setOptOut = useMutation(
    trpc.sms.setOptOut.mutationOptions({
      onSuccess: (data) => {
        queryClient.setQueryData(trpc.sms.customer.queryKey({ customerId }), data);
        void queryClient.invalidateQueries({ queryKey: trpc.activities.list.pathKey() });
        notifySuccess(data.optOut ? 'Opted out of SMS' : 'Opted back in to SMS');
      },
      onError: (error) => notifyError(error),
    }),
  );
  if (!sms.data) return null;
  const { optOut, optOutAt, optOutByName, messages } = sms.data;
  return (
    <Card mt="lg" data-testid="sms-panel">
      <Title order={3} fz="md" mb="sm">
        SMS
      </Title>
      <Switch
        label="Opted out of SMS"
        description={
          optOut && optOutAt
            ? `Since ${formatDateTime(optOutAt)}${optOutByName ? ` · ${optOutByName}` : ''}`
            : 'Receipts, reminders and notices are sent'
        }
        checked={optOut}
        disabled={!can('sms.optout') || setOptOut.isPending}
        onChange={(e) => setOptOut.mutate({ customerId, optOut: e.currentTarget.checked })}
        data-testid="sms-opt-out"
      />
      {messages && (
        <Stack gap={8} mt="md" data-testid="sms-messages">
          {messages.length === 0 ? (
            <Text size="sm" c="dimmed">
              No messages yet.
            </Text>
          ) : (
            messages.slice(0, 8).map((m) => (
              <Stack key={m.id} gap={2}>
                <Group justify="space-between" gap={4} wrap="nowrap">
                  <Text size="sm" fw={600} lineClamp={1}>
                    {SMS_TEMPLATE_LABELS[m.templateKey]}
                  </Text>
                  <Tooltip
                    label={m.failureReason ?? m.lastError ?? m.deliveryStatus ?? m.status}
                    withArrow
                    disabled={!m.lastError && !m.failureReason && !m.deliveryStatus}
                  >
                    <Badge size="sm" color={STATUS_COLOR[m.status]} variant="light">
                      {m.status}
                    </Badge>
                  </Tooltip>
                </Group>
                <Text size="xs" c="dimmed" title={formatDateTime(m.createdAt)}>
                  {formatRelative(m.createdAt)}
                  {m.phone ? ` · ${m.phone}` : ''}
                </Text>
              </Stack>
            ))
          )}
        </Stack>
      )}
    </Card>
  );
}
