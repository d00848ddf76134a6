/** Leads as a searchable, filterable, sortable, paginated table. */
import { Anchor, Button, Group, Select, Stack, Text, TextInput } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { LEAD_SORTS, LEAD_STATUSES } from '@netflow/contracts';
import { IconPlus, IconTargetArrow } from '@tabler/icons-react';
import type { ColumnDef } from '@tanstack/react-table';
import { useMemo } from 'react';
import { Link, useNavigate } from 'react-router';
import { useCan } from '../../auth/AuthContext';
import { DataTable } from '../../components/DataTable';
import { ExportButton } from '../../components/ExportButton';
import { ListToolbar } from '../../components/ListToolbar';
import { PageHeader } from '../../components/PageHeader';
import { AssigneeFilter, usePlans } from '../../components/pickers';
import { StatusBadge } from '../../components/StatusBadge';
import { EmptyState } from '../../components/states';
import { dayEndIso, dayStartIso, formatDate, formatRelative } from '../../lib/format';
import { useListPage } from '../../lib/useListPage';
import { assigneeParam, oneOf } from '../../lib/useUrlState';
import { useTRPC } from '../../trpc';
import { LeadFormModal } from './LeadForm';
import { STAGE_LABELS, type Lead } from './leadActions';
import { LeadsViewSwitch } from './LeadsViewSwitch';

const KEYS = ['search', 'status', 'assignee', 'plan', 'from', 'to', 'sort', 'order'] as const;

export default function LeadsPage() {
  const trpc = useTRPC();
  const can = useCan();
  const navigate = useNavigate();
  const [createOpen, createModal] = useDisclosure(false);
  const plans = usePlans(false);

  const { url, setUrl, filters, filtered, tableProps, searchProps } = useListPage({
    keys: KEYS,
    filters: (url) => ({
      search: url.search || undefined,
      status: oneOf(url.status, LEAD_STATUSES),
      assignee: assigneeParam(url.assignee),
      planId: url.plan || undefined,
      createdFrom: dayStartIso(url.from),
      createdTo: dayEndIso(url.to),
      sort: oneOf(url.sort, LEAD_SORTS) ?? 'createdAt',
      order: url.order === 'asc' ? ('asc' as const) : ('desc' as const),
    }),
    query: (input) => trpc.leads.list.queryOptions(input),
    limit: 25,
    sorts: LEAD_SORTS,
  });

  const columns = useMemo<ColumnDef<Lead>[]>(
    () => [
      {
        id: 'name',
        accessorFn: (l) => l.name,
        header: 'Lead',
        cell: ({ row }) => (
          <Stack gap={0}>
            <Anchor component={Link} to={`/leads/${row.original.id}`} fw={600} size="sm">
              {row.original.name}
            </Anchor>
            <Text size="xs" c="dimmed">
              {row.original.phone}
              {row.original.email ? ` · ${row.original.email}` : ''}
            </Text>
          </Stack>
        ),
      },
      { id: 'status', header: 'Stage', enableSorting: false, cell: ({ row }) => <StatusBadge status={row.original.status} /> },
      {
        id: 'plan',
        header: 'Plan',
        enableSorting: false,
        cell: ({ row }) =>
          row.original.planName ?? (
            <Text c="dimmed" size="sm">
              —
            </Text>
          ),
      },
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
      { id: 'source', header: 'Source', enableSorting: false, cell: ({ row }) => row.original.source ?? '—' },
      {
        id: 'updatedAt',
        accessorFn: (l) => l.updatedAt,
        header: 'Last activity',
        cell: ({ row }) => (
          <Text size="sm" title={row.original.updatedAt}>
            {formatRelative(row.original.updatedAt)}
          </Text>
        ),
      },
      { id: 'createdAt', accessorFn: (l) => l.createdAt, header: 'Created', cell: ({ row }) => formatDate(row.original.createdAt) },
    ],
    [],
  );

  return (
    <>
      <PageHeader
        title="Leads"
        description="Prospects on their way to becoming customers."
        actions={
          <>
            <LeadsViewSwitch value="table" />
            {can('leads.export') && (
              <ExportButton
                path="/api/leads/export"
                filename="leads"
                params={{
                  search: filters.search,
                  status: filters.status,
                  assignee: filters.assignee,
                  planId: filters.planId,
                  createdFrom: filters.createdFrom,
                  createdTo: filters.createdTo,
                  sort: filters.sort,
                  order: filters.order,
                }}
              />
            )}
            {can('leads.write') && (
              <Button leftSection={<IconPlus size={16} />} onClick={createModal.open}>
                New lead
              </Button>
            )}
          </>
        }
      />
      <ListToolbar {...searchProps} placeholder="Search name, phone or e-mail">
        <Select
          aria-label="Stage"
          placeholder="All stages"
          clearable
          w={150}
          data={LEAD_STATUSES.map((s) => ({ value: s, label: STAGE_LABELS[s] }))}
          value={filters.status ?? null}
          onChange={(status) => setUrl({ status })}
        />
        <AssigneeFilter value={filters.assignee} onChange={(assignee) => setUrl({ assignee })} work="leads" />
        <Select
          aria-label="Plan"
          placeholder="Any plan"
          clearable
          w={170}
          data={(plans.data?.items ?? []).map((p) => ({ value: p.id, label: p.name }))}
          value={filters.planId ?? null}
          onChange={(plan) => setUrl({ plan })}
        />
        <Group gap={6} wrap="nowrap">
          <TextInput
            type="date"
            aria-label="Created from"
            value={url.from}
            onChange={(e) => setUrl({ from: e.currentTarget.value })}
            w={150}
          />
          <Text size="sm" c="dimmed">
            to
          </Text>
          <TextInput type="date" aria-label="Created to" value={url.to} onChange={(e) => setUrl({ to: e.currentTarget.value })} w={150} />
        </Group>
        <Select
          aria-label="Sort by"
          w={170}
          data={[
            { value: 'createdAt:desc', label: 'Newest first' },
            { value: 'createdAt:asc', label: 'Oldest first' },
            { value: 'updatedAt:desc', label: 'Recently active' },
            { value: 'name:asc', label: 'Name A–Z' },
            { value: 'name:desc', label: 'Name Z–A' },
          ]}
          value={`${filters.sort}:${filters.order}`}
          onChange={(v) => {
            const [sort, order] = (v ?? 'createdAt:desc').split(':');
            setUrl({ sort, order });
          }}
          allowDeselect={false}
        />
      </ListToolbar>
      <DataTable
        caption="Leads"
        {...tableProps}
        columns={columns}
        getRowId={(l) => l.id}
        onRowClick={(l) => void navigate(`/leads/${l.id}`)}
        empty={
          filtered ? (
            <EmptyState title="No leads match" message="Try other filters or clear the search." />
          ) : (
            <EmptyState
              icon={<IconTargetArrow size={26} stroke={1.5} />}
              title="No leads yet"
              message="Record every enquiry as a lead to follow it up to a connection."
              action={
                can('leads.write') && (
                  <Button leftSection={<IconPlus size={16} />} onClick={createModal.open}>
                    New lead
                  </Button>
                )
              }
            />
          )
        }
      />
      <LeadFormModal opened={createOpen} onClose={createModal.close} onSaved={(lead) => void navigate(`/leads/${lead.id}`)} />
    </>
  );
}
