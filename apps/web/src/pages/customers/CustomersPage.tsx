/** Customers: search by name, phone, e-mail or account number; filter by status and plan. */
import { Anchor, Button, Select, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { CUSTOMER_SORTS, CUSTOMER_STATUSES } from '@netflow/contracts';
import { IconAddressBook, IconPlus } from '@tabler/icons-react';
import type { ColumnDef } from '@tanstack/react-table';
import { useMemo } from 'react';
import { Link, useNavigate } from 'react-router';
import { useCan } from '../../auth/AuthContext';
import { DataTable } from '../../components/DataTable';
import { ExportButton } from '../../components/ExportButton';
import { ListToolbar } from '../../components/ListToolbar';
import { PageHeader } from '../../components/PageHeader';
import { usePlans } from '../../components/pickers';
import { StatusBadge } from '../../components/StatusBadge';
import { EmptyState } from '../../components/states';
import { formatDate, formatMoney, humanize } from '../../lib/format';
import { useListPage } from '../../lib/useListPage';
import { oneOf } from '../../lib/useUrlState';
import { useTRPC, type RouterOutputs } from '../../trpc';
import { CustomerFormModal } from './CustomerForm';

type Customer = RouterOutputs['customers']['list']['items'][number];
const KEYS = ['search', 'status', 'plan', 'sort', 'order'] as const;

export default function CustomersPage() {
  const trpc = useTRPC();
  const can = useCan();
  const navigate = useNavigate();
  const [createOpen, createModal] = useDisclosure(false);
  const plans = usePlans(false);

  const { setUrl, filters, filtered, tableProps, searchProps } = useListPage({
    keys: KEYS,
    filters: (url) => ({
      search: url.search || undefined,
      status: oneOf(url.status, CUSTOMER_STATUSES),
      planId: url.plan || undefined,
      sort: oneOf(url.sort, CUSTOMER_SORTS) ?? 'createdAt',
      order: url.order === 'asc' ? ('asc' as const) : ('desc' as const),
    }),
    query: (input) => trpc.customers.list.queryOptions(input),
    limit: 25,
    sorts: CUSTOMER_SORTS,
  });

  const columns = useMemo<ColumnDef<Customer>[]>(
    () => [
      {
        id: 'name',
        accessorFn: (c) => c.name,
        header: 'Customer',
        cell: ({ row }) => (
          <Stack gap={0}>
            <Anchor component={Link} to={`/customers/${row.original.id}`} fw={600} size="sm">
              {row.original.name}
            </Anchor>
            <Text size="xs" c="dimmed">
              {row.original.phone}
              {row.original.email ? ` · ${row.original.email}` : ''}
            </Text>
          </Stack>
        ),
      },
      {
        id: 'accountNumber',
        accessorFn: (c) => c.accountNumber,
        header: 'Account',
        cell: ({ row }) => (
          <Text ff="monospace" size="sm">
            {row.original.accountNumber}
          </Text>
        ),
      },
      { id: 'status', header: 'Status', enableSorting: false, cell: ({ row }) => <StatusBadge status={row.original.status} /> },
      {
        id: 'location',
        header: 'Location',
        enableSorting: false,
        cell: ({ row }) => (
          <Text size="sm" lineClamp={1}>
            {row.original.location ?? row.original.address ?? '—'}
          </Text>
        ),
      },
      {
        id: 'balance',
        header: 'Balance',
        enableSorting: false,
        cell: ({ row }) => (
          <Text size="sm" c={row.original.balanceCents < 0 ? 'red' : undefined}>
            {formatMoney(row.original.balanceCents)}
          </Text>
        ),
      },
      { id: 'createdAt', accessorFn: (c) => c.createdAt, header: 'Customer since', cell: ({ row }) => formatDate(row.original.createdAt) },
    ],
    [],
  );

  return (
    <>
      <PageHeader
        title="Customers"
        description="Account holders, their service and their payments."
        actions={
          <>
            {can('customers.export') && (
              <ExportButton
                path="/api/customers/export"
                filename="customers"
                params={{
                  search: filters.search,
                  status: filters.status,
                  planId: filters.planId,
                  sort: filters.sort,
                  order: filters.order,
                }}
              />
            )}
            {can('customers.create') && (
              <Button leftSection={<IconPlus size={16} />} onClick={createModal.open}>
                New customer
              </Button>
            )}
          </>
        }
      />
      <ListToolbar {...searchProps} placeholder="Search name, phone, e-mail or account number">
        <Select
          aria-label="Status"
          placeholder="Any status"
          clearable
          w={150}
          data={CUSTOMER_STATUSES.map((s) => ({ value: s, label: humanize(s) }))}
          value={filters.status ?? null}
          onChange={(status) => setUrl({ status })}
        />
        <Select
          aria-label="Plan"
          placeholder="Any plan"
          clearable
          w={170}
          data={(plans.data?.items ?? []).map((p) => ({ value: p.id, label: p.name }))}
          value={filters.planId ?? null}
          onChange={(plan) => setUrl({ plan })}
        />
        <Select
          aria-label="Sort by"
          w={180}
          allowDeselect={false}
          data={[
            { value: 'createdAt:desc', label: 'Newest first' },
            { value: 'createdAt:asc', label: 'Oldest first' },
            { value: 'name:asc', label: 'Name A–Z' },
            { value: 'accountNumber:asc', label: 'Account number' },
            { value: 'updatedAt:desc', label: 'Recently changed' },
          ]}
          value={`${filters.sort}:${filters.order}`}
          onChange={(v) => {
            const [sort, order] = (v ?? 'createdAt:desc').split(':');
            setUrl({ sort, order });
          }}
        />
      </ListToolbar>
      <DataTable
        caption="Customers"
        {...tableProps}
        columns={columns}
        getRowId={(c) => c.id}
        onRowClick={(c) => void navigate(`/customers/${c.id}`)}
        empty={
          filtered ? (
            <EmptyState title="No customers match" message="Try another search or clear the filters." />
          ) : (
            <EmptyState
              icon={<IconAddressBook size={26} stroke={1.5} />}
              title="No customers yet"
              message="Customers appear here when a lead is converted or an account is opened directly."
            />
          )
        }
      />
      <CustomerFormModal opened={createOpen} onClose={createModal.close} onSaved={(c) => void navigate(`/customers/${c.id}`)} />
    </>
  );
}
