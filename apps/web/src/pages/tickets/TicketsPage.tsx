/** The support queue: filter by status, priority and assignee; open a ticket to work on it. */
import { Anchor, Button, Select, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { TICKET_PRIORITIES, TICKET_SORTS, TICKET_STATUSES } from '@netflow/contracts';
import { IconLifebuoy, IconPlus } from '@tabler/icons-react';
import type { ColumnDef } from '@tanstack/react-table';
import { useMemo } from 'react';
import { Link, useNavigate } from 'react-router';
import { useCan } from '../../auth/AuthContext';
import { DataTable } from '../../components/DataTable';
import { ListToolbar } from '../../components/ListToolbar';
import { PageHeader } from '../../components/PageHeader';
import { PriorityBadge, StatusBadge } from '../../components/StatusBadge';
import { EmptyState } from '../../components/states';
import { formatRelative, humanize } from '../../lib/format';
import { useListPage } from '../../lib/useListPage';
import { assigneeParam, oneOf } from '../../lib/useUrlState';
import { AssigneeFilter } from '../../components/pickers';
import { useTRPC, type RouterOutputs } from '../../trpc';
import { NewTicketModal } from './NewTicketModal';

type Ticket = RouterOutputs['tickets']['list']['items'][number];

export default function TicketsPage() {
  const trpc = useTRPC();
  const can = useCan();
  const navigate = useNavigate();
  const [createOpen, createModal] = useDisclosure(false);
  const { setUrl, filters, filtered, tableProps, searchProps } = useListPage({
    keys: ['search', 'status', 'priority', 'assignee', 'sort', 'order'] as const,
    filters: (url) => ({
      search: url.search || undefined,
      // Open tickets unless the person asks for another status, or for all of them (`status=all`).
      status: url.status === 'all' ? undefined : (oneOf(url.status, TICKET_STATUSES) ?? 'open'),
      priority: oneOf(url.priority, TICKET_PRIORITIES),
      assignee: assigneeParam(url.assignee),
      sort: oneOf(url.sort, TICKET_SORTS) ?? 'createdAt',
      order: url.order === 'asc' ? ('asc' as const) : ('desc' as const),
    }),
    query: (input) => trpc.tickets.list.queryOptions(input),
    sorts: TICKET_SORTS,
  });

  const columns = useMemo<ColumnDef<Ticket>[]>(
    () => [
      {
        id: 'subject',
        header: 'Ticket',
        enableSorting: false,
        cell: ({ row }) => (
          <Stack gap={0}>
            <Anchor component={Link} to={`/tickets/${row.original.id}`} fw={600} size="sm" lineClamp={1}>
              {row.original.subject}
            </Anchor>
            <Text size="xs" c="dimmed">
              {row.original.customerName} · {row.original.accountNumber}
            </Text>
          </Stack>
        ),
      },
      { id: 'priority', header: 'Priority', enableSorting: false, cell: ({ row }) => <PriorityBadge priority={row.original.priority} /> },
      { id: 'status', header: 'Status', enableSorting: false, cell: ({ row }) => <StatusBadge status={row.original.status} /> },
      {
        id: 'assignee',
        header: 'Assigned to',
        enableSorting: false,
        cell: ({ row }) =>
          row.original.assigneeName ?? (
            <Text c="dimmed" size="sm">
              Unassigned
            </Text>
          ),
      },
      { id: 'updatedAt', accessorFn: (t) => t.updatedAt, header: 'Updated', cell: ({ row }) => formatRelative(row.original.updatedAt) },
      { id: 'createdAt', accessorFn: (t) => t.createdAt, header: 'Opened', cell: ({ row }) => formatRelative(row.original.createdAt) },
    ],
    [],
  );

  return (
    <>
      <PageHeader
        title="Tickets"
        description={
          can('tickets.update') && !can('users.read') && can('tickets.read')
            ? 'Support requests you can work on.'
            : 'Support requests from customers.'
        }
        actions={
          can('tickets.create') && (
            <Button leftSection={<IconPlus size={16} />} onClick={createModal.open}>
              New ticket
            </Button>
          )
        }
      />
      <ListToolbar {...searchProps} placeholder="Search subjects">
        <Select
          aria-label="Status"
          allowDeselect={false}
          w={140}
          data={[{ value: 'all', label: 'Any status' }, ...TICKET_STATUSES.map((s) => ({ value: s, label: humanize(s) }))]}
          value={filters.status ?? 'all'}
          // Open is the default and stays out of the URL.
          onChange={(status) => setUrl({ status: status === 'open' ? null : status })}
        />
        <Select
          aria-label="Priority"
          placeholder="Any priority"
          clearable
          w={140}
          data={TICKET_PRIORITIES.map((p) => ({ value: p, label: humanize(p) }))}
          value={filters.priority ?? null}
          onChange={(priority) => setUrl({ priority })}
        />
        <AssigneeFilter value={filters.assignee} onChange={(assignee) => setUrl({ assignee })} work="tickets" />
      </ListToolbar>
      <DataTable
        caption="Tickets"
        {...tableProps}
        columns={columns}
        getRowId={(t) => t.id}
        onRowClick={(t) => void navigate(`/tickets/${t.id}`)}
        empty={
          <EmptyState
            icon={<IconLifebuoy size={26} stroke={1.5} />}
            title={filtered ? 'No tickets match' : 'No tickets'}
            message="When customers report problems, their tickets queue up here."
          />
        }
      />
      <NewTicketModal opened={createOpen} onClose={createModal.close} />
    </>
  );
}
