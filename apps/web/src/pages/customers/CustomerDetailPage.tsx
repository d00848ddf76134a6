/** One customer: account, service, money and support in tabs, with the actions staff take on them. */
import {
  Anchor,
  Badge,
  Button,
  Card,
  CopyButton,
  Grid,
  Group,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Tabs,
  Text,
  Title,
  Tooltip,
} from '@mantine/core';
import { useDisclosure, useMediaQuery } from '@mantine/hooks';
import {
  IconCash,
  IconCheck,
  IconCopy,
  IconEdit,
  IconLifebuoy,
  IconMail,
  IconMapPin,
  IconPhone,
  IconPlus,
  IconRouter,
  IconTimeline,
} from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { useCan } from '../../auth/AuthContext';
import { ActivityTimeline } from '../../components/ActivityTimeline';
import { DataTable, useCursorPager } from '../../components/DataTable';
import { DetailError } from '../../components/DetailError';
import { DetailList } from '../../components/DetailList';
import { PageHeader } from '../../components/PageHeader';
import { PriorityBadge, StatusBadge } from '../../components/StatusBadge';
import { EmptyState, PageLoader } from '../../components/states';
import { formatDate, formatDateTime, formatMoney, formatRelative } from '../../lib/format';
import { useTRPC, type RouterOutputs } from '../../trpc';
import { METHOD_LABELS, RecordPaymentModal } from '../payments/RecordPaymentModal';
import { NewSubscriptionModal, SubscriptionActions } from '../subscriptions/subscriptionActions';
import { CustomerPaymentsTab } from './CustomerPaymentsTab';
import { CustomerServiceBadge, ServiceUntil } from './CustomerServiceState';
import { NewTicketModal } from '../tickets/NewTicketModal';
import { CustomerFormModal } from './CustomerForm';
import { ProvisioningStatus } from './ProvisioningStatus';
import { SmsPanel } from './SmsPanel';
import { StkPushButton } from './StkPushButton';

type Customer = RouterOutputs['customers']['get'];
type Payment = RouterOutputs['payments']['list']['items'][number];
type Ticket = RouterOutputs['tickets']['list']['items'][number];

export default function CustomerDetailPage() {
  const { id = '' } = useParams();
  const trpc = useTRPC();
  const customer = useQuery(trpc.customers.get.queryOptions({ id }));
  if (customer.isPending) return <PageLoader label="Loading the customer…" />;
  if (customer.isError) return <DetailError error={customer.error} what="customer" onRetry={() => void customer.refetch()} />;
  return <CustomerDetail customer={customer.data} />;
}

function CustomerDetail({ customer }: { customer: Customer }) {
  const can = useCan();
  const [params, setParams] = useSearchParams();
  const [payOpen, pay] = useDisclosure(false);
  const [subOpen, sub] = useDisclosure(false);
  const [ticketOpen, ticket] = useDisclosure(false);
  const [editOpen, edit] = useDisclosure(false);
  const current =
    customer.subscriptions?.find((s) => s.status === 'active') ?? customer.subscriptions?.find((s) => s.status !== 'cancelled');
  const tab = params.get('tab') ?? 'subscriptions';
  const ref = { id: customer.id, name: customer.name, accountNumber: customer.accountNumber };

  return (
    <>
      <PageHeader
        crumbs={[{ label: 'Customers', to: '/customers' }, { label: customer.name }]}
        title={customer.name}
        badge={<CustomerServiceBadge customer={customer} size="lg" />}
        description={`Customer since ${formatDate(customer.createdAt)}`}
        actions={
          <>
            {can('customers.update') && (
              <Button variant="default" leftSection={<IconEdit size={16} />} onClick={edit.open}>
                Edit
              </Button>
            )}
            {can('tickets.create') && (
              <Button variant="default" leftSection={<IconLifebuoy size={16} />} onClick={ticket.open}>
                New ticket
              </Button>
            )}
            {can('subscriptions.create') && (
              <Button variant="default" leftSection={<IconPlus size={16} />} onClick={sub.open}>
                New subscription
              </Button>
            )}
            <StkPushButton customer={customer} />
            {can('payments.record') && (
              <Button leftSection={<IconCash size={16} />} onClick={pay.open}>
                Record payment
              </Button>
            )}
          </>
        }
      />

      <SimpleGrid cols={{ base: 2, md: 4 }} spacing={{ base: 'xs', sm: 'md' }} mb="lg">
        <Stat label="Account number">
          <Group gap={4} wrap="nowrap">
            <Text fw={700} ff="monospace" fz="lg" data-testid="customer-account">
              {customer.accountNumber}
            </Text>
            <CopyButton value={customer.accountNumber}>
              {({ copied, copy }) => (
                <Tooltip label={copied ? 'Copied' : 'Copy'} withArrow>
                  <Button
                    variant="subtle"
                    size="compact-xs"
                    color={copied ? 'teal' : 'gray'}
                    onClick={copy}
                    aria-label="Copy account number"
                  >
                    {copied ? <IconCheck size={14} /> : <IconCopy size={14} />}
                  </Button>
                </Tooltip>
              )}
            </CopyButton>
          </Group>
        </Stat>
        <Stat label="Balance">
          <Text fw={700} fz="lg" c={customer.balanceCents < 0 ? 'red' : undefined}>
            {formatMoney(customer.balanceCents)}
          </Text>
        </Stat>
        <Stat label="Current plan">
          {/* Wraps rather than clips: plan names are long beside a half-width stat on a phone. */}
          <Text fw={700} fz={{ base: 'md', sm: 'lg' }} style={{ overflowWrap: 'anywhere' }} data-testid="customer-plan">
            {current?.planName ?? '—'}
          </Text>
        </Stat>
        <Stat label="Service until">
          <ServiceUntil customer={customer} />
        </Stat>
      </SimpleGrid>

      <Grid gutter="lg">
        <Grid.Col span={{ base: 12, lg: 3 }}>
          <Card>
            <Title order={3} fz="md" mb="md">
              Contact
            </Title>
            <DetailList
              items={[
                {
                  label: 'Phone',
                  value: (
                    <Anchor href={`tel:${customer.phone}`} size="sm">
                      {customer.phone}
                    </Anchor>
                  ),
                  icon: <IconPhone size={16} />,
                },
                {
                  label: 'E-mail',
                  value: customer.email && (
                    <Anchor href={`mailto:${customer.email}`} size="sm">
                      {customer.email}
                    </Anchor>
                  ),
                  icon: <IconMail size={16} />,
                },
                {
                  label: 'Address',
                  value: [customer.address, customer.location].filter(Boolean).join(' · '),
                  icon: <IconMapPin size={16} />,
                },
              ]}
            />
            {customer.notes && (
              <>
                <Title order={4} fz="sm" mt="md" mb={4}>
                  Notes
                </Title>
                <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }} data-testid="customer-notes">
                  {customer.notes}
                </Text>
              </>
            )}
            {can('audit.read') && (
              <Anchor component={Link} to={`/audit?customer=${customer.id}`} size="sm" mt="md" display="block">
                Audit trail of this customer
              </Anchor>
            )}
            {customer.leadId && can('leads.read') && (
              <Anchor component={Link} to={`/leads/${customer.leadId}`} size="sm" mt="md" display="block">
                View the original lead
              </Anchor>
            )}
          </Card>
          <SmsPanel customerId={customer.id} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 9 }}>
          <Card p={0}>
            <Tabs
              value={tab}
              onChange={(v) =>
                setParams(
                  (p) => {
                    const n = new URLSearchParams(p);
                    n.set('tab', v ?? 'subscriptions');
                    return n;
                  },
                  { replace: true },
                )
              }
              keepMounted={false}
            >
              {/* The tabs wrap onto a second line on a phone instead of scrolling out of sight. */}
              <Tabs.List px="sm" pt="xs" style={{ flexWrap: 'wrap' }} data-testid="customer-tabs">
                <Tabs.Tab value="subscriptions" leftSection={<IconRouter size={16} />}>
                  Subscriptions
                </Tabs.Tab>
                {(can('payments.read') || can('payments.lookup') || customer.recentPayments) && (
                  <Tabs.Tab value="payments" leftSection={<IconCash size={16} />}>
                    Payments
                  </Tabs.Tab>
                )}
                {(can('tickets.read') || customer.openTickets) && (
                  <Tabs.Tab value="tickets" leftSection={<IconLifebuoy size={16} />}>
                    Tickets
                    {customer.openTickets && customer.openTickets.length > 0 && (
                      <Badge size="xs" ml={6} circle>
                        {customer.openTickets.length}
                      </Badge>
                    )}
                  </Tabs.Tab>
                )}
                <Tabs.Tab value="timeline" leftSection={<IconTimeline size={16} />}>
                  Timeline
                </Tabs.Tab>
              </Tabs.List>
              <Tabs.Panel value="subscriptions" p="md">
                <SubscriptionsPanel customer={customer} onNew={can('subscriptions.create') ? sub.open : undefined} />
              </Tabs.Panel>
              <Tabs.Panel value="payments" p="md">
                {can('payments.read') ? (
                  <PaymentsPanel customerId={customer.id} />
                ) : can('payments.lookup') ? (
                  <CustomerPaymentsTab customerId={customer.id} />
                ) : (
                  <RecentPayments customer={customer} />
                )}
              </Tabs.Panel>
              <Tabs.Panel value="tickets" p="md">
                {can('tickets.read') ? <TicketsPanel customerId={customer.id} /> : <OpenTickets customer={customer} />}
              </Tabs.Panel>
              <Tabs.Panel value="timeline" p="md">
                <ActivityTimeline parent={{ customerId: customer.id }} canWrite={can('customers.read')} />
              </Tabs.Panel>
            </Tabs>
          </Card>
        </Grid.Col>
      </Grid>

      <RecordPaymentModal opened={payOpen} onClose={pay.close} customer={ref} />
      <NewSubscriptionModal opened={subOpen} onClose={sub.close} customerId={customer.id} />
      <NewTicketModal opened={ticketOpen} onClose={ticket.close} customer={ref} />
      <CustomerFormModal opened={editOpen} onClose={edit.close} customer={customer} />
    </>
  );
}

function Stat({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Paper withBorder p="md" radius="md">
      <Text size="xs" c="dimmed" fw={600} tt="uppercase" mb={4} style={{ letterSpacing: '0.04em' }}>
        {label}
      </Text>
      {children}
    </Paper>
  );
}

function SubscriptionsPanel({ customer, onNew }: { customer: Customer; onNew?: () => void }) {
  const subs = customer.subscriptions;
  // A six-column table scrolls the expiry out of sight on a phone: one card per subscription there.
  const phone = useMediaQuery('(max-width: 48em)', false, { getInitialValueInEffect: false });
  if (subs === null) {
    return <EmptyState title="Subscriptions are not shown to your role" />;
  }
  if (subs.length === 0) {
    return (
      <EmptyState
        icon={<IconRouter size={26} stroke={1.5} />}
        title="No subscriptions"
        message="Sell this customer a plan to get them connected."
        action={
          onNew && (
            <Button leftSection={<IconPlus size={16} />} onClick={onNew}>
              New subscription
            </Button>
          )
        }
      />
    );
  }
  if (phone) return <SubscriptionCards subs={subs} />;
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table verticalSpacing="sm" data-testid="subscriptions-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Plan</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>PPPoE user</Table.Th>
            <Table.Th>Started</Table.Th>
            <Table.Th>Expires</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {subs.map((s) => (
            <Table.Tr key={s.id} data-testid="subscription-row">
              <Table.Td fw={600}>{s.planName}</Table.Td>
              <Table.Td>
                <StatusBadge status={s.status} />
                <ProvisioningStatus subscriptionId={s.id} />
              </Table.Td>
              <Table.Td ff="monospace" fz="sm">
                {s.pppoeUsername ?? '—'}
              </Table.Td>
              <Table.Td>{formatDate(s.startsAt)}</Table.Td>
              <Table.Td data-testid="subscription-expiry">
                {s.expiresAt ? (
                  <Tooltip label={formatDateTime(s.expiresAt)}>
                    <span>{formatDate(s.expiresAt)}</span>
                  </Tooltip>
                ) : (
                  '—'
                )}
              </Table.Td>
              <Table.Td>
                <SubscriptionActions subscription={s} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function SubscriptionCards({ subs }: { subs: NonNullable<Customer['subscriptions']> }) {
  return (
    <Stack gap="sm" data-testid="subscriptions-table">
      {subs.map((s) => (
        <Paper key={s.id} withBorder p="sm" radius="md" data-testid="subscription-row">
          <Group justify="space-between" align="flex-start" gap="xs" wrap="nowrap">
            <Text fw={600} style={{ overflowWrap: 'anywhere', minWidth: 0 }}>
              {s.planName}
            </Text>
            <StatusBadge status={s.status} style={{ flexShrink: 0 }} />
          </Group>
          <SimpleGrid cols={2} spacing="xs" mt="xs">
            <div>
              <Text size="xs" c="dimmed">
                Expires
              </Text>
              <Text size="sm" data-testid="subscription-expiry">
                {s.expiresAt ? formatDate(s.expiresAt) : '—'}
              </Text>
            </div>
            <div>
              <Text size="xs" c="dimmed">
                Started
              </Text>
              <Text size="sm">{formatDate(s.startsAt)}</Text>
            </div>
            {s.pppoeUsername && (
              <div style={{ gridColumn: 'span 2', minWidth: 0 }}>
                <Text size="xs" c="dimmed">
                  PPPoE user
                </Text>
                <Text size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                  {s.pppoeUsername}
                </Text>
              </div>
            )}
          </SimpleGrid>
          <Group justify="flex-end" mt="xs">
            <SubscriptionActions subscription={s} />
          </Group>
        </Paper>
      ))}
    </Stack>
  );
}

const paymentColumns: ColumnDef<Payment>[] = [
  { id: 'paidAt', header: 'Paid', cell: ({ row }) => formatDateTime(row.original.paidAt) },
  {
    id: 'amount',
    header: 'Amount',
    cell: ({ row }) => (
      <Text fw={600} size="sm">
        {formatMoney(row.original.amountCents)}
      </Text>
    ),
  },
  { id: 'method', header: 'Method', cell: ({ row }) => METHOD_LABELS[row.original.method] },
  {
    id: 'reference',
    header: 'Reference',
    cell: ({ row }) => (
      <Text ff="monospace" size="sm">
        {row.original.reference}
      </Text>
    ),
  },
  { id: 'status', header: 'Status', cell: ({ row }) => <StatusBadge status={row.original.status} /> },
];

function PaymentsPanel({ customerId }: { customerId: string }) {
  const trpc = useTRPC();
  const { cursor, pager } = useCursorPager(customerId);
  const list = useQuery({ ...trpc.payments.list.queryOptions({ customerId, cursor, limit: 10 }), placeholderData: keepPreviousData });
  return (
    <DataTable
      data={list.data?.items}
      columns={paymentColumns}
      getRowId={(p) => p.id}
      isLoading={list.isPending}
      isFetching={list.isFetching}
      error={list.error}
      onRetry={() => void list.refetch()}
      pager={pager(list.data?.nextCursor)}
      minWidth={560}
      empty={<EmptyState title="No payments yet" message="Payments by M-Pesa with this account number appear here." />}
    />
  );
}

function RecentPayments({ customer }: { customer: Customer }) {
  const items = customer.recentPayments ?? [];
  if (items.length === 0) return <EmptyState title="No payments yet" />;
  return (
    <Stack gap="xs">
      {items.map((p) => (
        <Group key={p.id} justify="space-between">
          <Text size="sm">{formatDateTime(p.paidAt)}</Text>
          <Text size="sm" fw={600}>
            {formatMoney(p.amountCents)}
          </Text>
          <StatusBadge status={p.status} />
        </Group>
      ))}
    </Stack>
  );
}

function TicketsPanel({ customerId }: { customerId: string }) {
  const trpc = useTRPC();
  const navigate = useNavigate();
  const { cursor, pager } = useCursorPager(customerId);
  const list = useQuery({ ...trpc.tickets.list.queryOptions({ customerId, cursor, limit: 10 }), placeholderData: keepPreviousData });
  const columns: ColumnDef<Ticket>[] = [
    {
      id: 'subject',
      header: 'Subject',
      cell: ({ row }) => (
        <Anchor component={Link} to={`/tickets/${row.original.id}`} size="sm" fw={600}>
          {row.original.subject}
        </Anchor>
      ),
    },
    { id: 'priority', header: 'Priority', cell: ({ row }) => <PriorityBadge priority={row.original.priority} /> },
    { id: 'status', header: 'Status', cell: ({ row }) => <StatusBadge status={row.original.status} /> },
    { id: 'assignee', header: 'Assigned to', cell: ({ row }) => row.original.assigneeName ?? 'Unassigned' },
    { id: 'createdAt', header: 'Opened', cell: ({ row }) => formatRelative(row.original.createdAt) },
  ];
  return (
    <DataTable
      data={list.data?.items}
      columns={columns}
      getRowId={(t) => t.id}
      isLoading={list.isPending}
      isFetching={list.isFetching}
      error={list.error}
      onRetry={() => void list.refetch()}
      pager={pager(list.data?.nextCursor)}
      onRowClick={(t) => void navigate(`/tickets/${t.id}`)}
      minWidth={560}
      empty={<EmptyState title="No tickets" message="This customer has not reported any problem." />}
    />
  );
}

function OpenTickets({ customer }: { customer: Customer }) {
  const items = customer.openTickets ?? [];
  if (items.length === 0) return <EmptyState title="No open tickets" />;
  return (
    <Stack gap="xs">
      {items.map((t) => (
        <Group key={t.id} justify="space-between">
          <Text size="sm" fw={600}>
            {t.subject}
          </Text>
          <Group gap={6}>
            <PriorityBadge priority={t.priority} />
            <StatusBadge status={t.status} />
          </Group>
        </Group>
      ))}
    </Stack>
  );
}
