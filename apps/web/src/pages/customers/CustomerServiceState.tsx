/**
 * The customer's real service state, derived from the subscriptions (the stored customer status
 * says "active" for a customer who never had service): no service, pending installation, active,
 * lapsed (past expiry, in grace or awaiting payment: red), suspended. Shown in the page header and
 * in the "Service until" figure.
 */
import { Badge, Text, type BadgeProps } from '@mantine/core';
import { formatDate, formatRelative } from '../../lib/format';
import type { RouterOutputs } from '../../trpc';
import { StatusBadge } from '../../components/StatusBadge';

type Customer = RouterOutputs['customers']['get'];
type Subscription = NonNullable<Customer['subscriptions']>[number];

export type ServiceState = 'no_service' | 'pending' | 'active' | 'lapsed' | 'suspended';

const LABEL: Record<ServiceState, { label: string; color: string }> = {
  no_service: { label: 'No service', color: 'gray' },
  pending: { label: 'Pending installation', color: 'yellow' },
  active: { label: 'Active', color: 'teal' },
  lapsed: { label: 'Lapsed', color: 'red' },
  suspended: { label: 'Suspended', color: 'orange' },
};

/** The subscription that decides the state: active first, then suspended, then pending. */
export function currentSubscription(subs: readonly Subscription[]): Subscription | undefined {
  return subs.find((s) => s.status === 'active') ?? subs.find((s) => s.status === 'suspended') ?? subs.find((s) => s.status === 'pending');
}

export function serviceState(subs: readonly Subscription[], now = Date.now()): ServiceState {
  const current = currentSubscription(subs);
  if (!current) return 'no_service';
  if (current.status === 'pending') return 'pending';
  if (current.status === 'suspended') return 'suspended';
  return current.expiresAt && new Date(current.expiresAt).getTime() <= now ? 'lapsed' : 'active';
}

/** The header badge: the service state when the role sees subscriptions, else the stored status. */
export function CustomerServiceBadge({ customer, ...props }: { customer: Customer } & BadgeProps) {
  if (!customer.subscriptions) return <StatusBadge status={customer.status} {...props} />;
  const state = LABEL[serviceState(customer.subscriptions)];
  return (
    // The AA tones of StatusBadge (index.css), so the state reads like every other status.
    <Badge variant="light" radius="sm" className={`nf-badge nf-tone-${state.color}`} data-testid="customer-service-state" {...props}>
      {state.label}
    </Badge>
  );
}

/** "Service until": the expiry, in red with "lapsed" when it has passed. */
export function ServiceUntil({ customer }: { customer: Customer }) {
  const subs = customer.subscriptions ?? [];
  const current = currentSubscription(subs);
  const state = serviceState(subs);
  const red = state === 'lapsed' || state === 'suspended';
  return (
    <>
      <Text fw={700} fz="lg" c={red ? 'red' : undefined} data-testid="customer-expiry">
        {current?.expiresAt ? formatDate(current.expiresAt) : current ? 'Not started' : 'No service'}
      </Text>
      {current?.expiresAt && (
        <Text size="xs" c={red ? 'red' : 'dimmed'} data-testid="customer-expiry-note">
          {state === 'lapsed'
            ? `Lapsed ${formatRelative(current.expiresAt)}`
            : state === 'suspended'
              ? `Suspended · expired ${formatRelative(current.expiresAt)}`
              : formatRelative(current.expiresAt)}
        </Text>
      )}
    </>
  );
}
