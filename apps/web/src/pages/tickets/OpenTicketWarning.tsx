/**
 * Warns, while a ticket is being opened, that the customer already has an open one (the caller
 * rings twice about the same outage): links to it so staff add to it instead of duplicating.
 * Uses the customer's open tickets as the customer view lists them (roles that read tickets).
 */
import { Alert, Anchor, Stack, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useCan } from '../../auth/AuthContext';
import { useTRPC } from '../../trpc';

export function OpenTicketWarning({ customerId }: { customerId: string | null | undefined }) {
  const trpc = useTRPC();
  const can = useCan();
  const enabled = !!customerId && can('tickets.read');
  const customer = useQuery({ ...trpc.customers.get.queryOptions({ id: customerId ?? '' }), enabled });
  const open = enabled ? (customer.data?.openTickets ?? []) : [];
  if (open.length === 0) return null;
  return (
    <Alert
      color="yellow"
      icon={<IconAlertTriangle size={18} />}
      title="This customer already has an open ticket"
      data-testid="open-ticket-warning"
    >
      <Stack gap={2}>
        {open.slice(0, 3).map((t) => (
          <Anchor key={t.id} component={Link} to={`/tickets/${t.id}`} size="sm">
            {t.subject}
          </Anchor>
        ))}
        <Text size="xs" c="dimmed">
          Add to it rather than opening a duplicate, unless this is a different problem.
        </Text>
      </Stack>
    </Alert>
  );
}
