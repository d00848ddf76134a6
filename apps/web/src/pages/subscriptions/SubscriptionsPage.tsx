/**
 * Subscriptions: the working lists — expiring within 7 days, in grace / expired, suspended, and
 * pending installation (the technicians' queue, with the address) — each with the customer, phone,
 * plan, expiry, balance and who works the customer's open ticket, and a CSV of the list.
 */
import { Anchor, Stack, Tabs, Text } from '@mantine/core';
import { SUBSCRIPTION_VIEWS, type SubscriptionView } from '@netflow/contracts';
import { IconRouter } from '@tabler/icons-react';
import type { ColumnDef } from '@tanstack/react-table';
import { useMemo } from 'react';
import { Link } from 'react-router';
import { useCurrentUser } from '../../auth/AuthContext';
import { DataTable } from '../../components/DataTable';
import { ExportButton } from '../../components/ExportButton';
import { ListToolbar } from '../../components/ListToolbar';
import { PageHeader } from '../../components/PageHeader';
import { StatusBadge } from '../../components/StatusBadge';
import { EmptyState } from '../../components/states';
import { formatDate, formatMoney, formatRelative } from '../../lib/format';
import { useListPage } from '../../lib/useListPage';
import { oneOf } from '../../lib/useUrlState';
import { useTRPC, type RouterOutputs } from '../../trpc';

type Item = RouterOutputs['subscriptions']['queue']['items'][number];

const VIEW_LABELS: Record<SubscriptionView, string> = {
  expiring: 'Expiring (7 days)',
  lapsed: 'In grace / expired',
  suspended: 'Suspended',
  pending: 'Pending installation',
};

const EMPTY: Record<SubscriptionView, string> = {
  expiring: 'No active subscription expires within the next 7 days.',
  lapsed: 'No active subscription is past its expiry.',
  suspended: 'No subscription is suspended.',
  pending: 'No installation is waiting.',
};

export default function SubscriptionsPage() {
  const trpc = useTRPC();
  const user = useCurrentUser();
  // Technicians open on their queue: installations.
  const defaultView: SubscriptionView = user.role === 'technician' ? 'pending' : 'expiring';
  const { setUrl, filters, tableProps, searchProps } = useListPage({
    keys: ['view', 'search'] as const,
    filters: (url) => ({ view: oneOf(url.view, SUBSCRIPTION_VIEWS) ?? defaultView, search: url.search || undefined }),
    query: (input) => trpc.subscriptions.queue.queryOptions(input),
    limit: 25,
  });
  const { view, search } = filters;

  const columns = useMemo<ColumnDef<Item>[]>(
    () => [
      {
        id: 'customer',
        header: 'Customer',
        cell: ({ row }) => (
          <Stack gap={0}>
            <Anchor component={Link} to={`/customers/${row.original.customerId}`} size="sm" fw={600}>
              {row.original.customerName}
            </Anchor>
            <Text size="xs" c="dimmed" ff="monospace">
              {row.original.accountNumber}
            </Text>
          </Stack>
        ),
      },
      {
        id: 'phone',
        header: 'Phone',
        cell: ({ row }) => (
          <Anchor href={`tel:${row.original.customerPhone}`} size="sm" style={{ whiteSpace: 'nowrap' }}>
            {row.original.customerPhone}
          </Anchor>
        ),
      },
      ...(view === 'pending'
        ? [
            {
              id: 'address',
              header: 'Address',
              cell: ({ row }) => <Text size="sm">{row.original.customerAddress ?? '—'}</Text>,
            } as ColumnDef<Item>,
          ]
        : []),
      { id: 'plan', header: 'Plan', cell: ({ row }) => <Text size="sm">{row.original.planName}</Text> },
      {
        id: 'expiry',
        header: view === 'pending' ? 'Ordered' : 'Expiry',
        cell: ({ row }) => {
          const at = view === 'pending' ? row.original.createdAt : row.original.expiresAt;
          const lapsed = view !== 'pending' && at !== null && new Date(at).getTime() <= Date.now();
          return (
            <Stack gap={0}>
              <Text size="sm" c={lapsed ? 'red' : undefined} fw={lapsed ? 600 : undefined}>
                {formatDate(at)}
              </Text>
              <Text size="xs" c={lapsed ? 'red' : 'dimmed'}>
                {formatRelative(at)}
              </Text>
            </Stack>
          );
        },
      },
      {
        id: 'balance',
        header: 'Balance',
        cell: ({ row }) => (
          <Text size="sm" c={row.original.balanceCents < 0 ? 'red' : undefined}>
            {formatMoney(row.original.balanceCents)}
          </Text>
        ),
      },
      { id: 'assignee', header: 'Assignee', cell: ({ row }) => <Text size="sm">{row.original.assigneeName ?? '—'}</Text> },
      { id: 'status', header: 'Status', cell: ({ row }) => <StatusBadge status={row.original.status} /> },
    ],
    [view],
  );

  return (
    <>
      <PageHeader
        title="Subscriptions"
        description="Who needs a renewal call, who is off, and which installations are waiting."
        actions={<ExportButton path="/api/subscriptions/export" filename={`subscriptions-${view}`} params={{ view, search }} />}
      />
      <Tabs value={view} onChange={(v) => setUrl({ view: v })} mb="md">
        <Tabs.List>
          {SUBSCRIPTION_VIEWS.map((v) => (
            <Tabs.Tab key={v} value={v}>
              {VIEW_LABELS[v]}
            </Tabs.Tab>
          ))}
        </Tabs.List>
      </Tabs>
      <ListToolbar {...searchProps} placeholder="Search name, account number or phone" />
      <DataTable
        caption={VIEW_LABELS[view]}
        {...tableProps}
        columns={columns}
        getRowId={(s) => s.id}
        minWidth={900}
        empty={<EmptyState icon={<IconRouter size={26} stroke={1.5} />} title="Nothing here" message={EMPTY[view]} />}
      />
    </>
  );
}
