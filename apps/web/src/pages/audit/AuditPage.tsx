/**
 * The audit trail: who did what, when, from where, and with what outcome. Read-only. Filters by
 * record (type + id, or a customer with its subscriptions, payments and tickets); names, not ids.
 */
import { ActionIcon, Anchor, Badge, Code, Group, Modal, ScrollArea, Select, Stack, Text, TextInput, Tooltip } from '@mantine/core';
import { AUDIT_OUTCOMES } from '@netflow/contracts';
import { IconFileSearch, IconHistory } from '@tabler/icons-react';
import type { ColumnDef } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import { DataTable } from '../../components/DataTable';
import { DetailList } from '../../components/DetailList';
import { ListToolbar } from '../../components/ListToolbar';
import { PageHeader } from '../../components/PageHeader';
import { CustomerPicker, StaffPicker } from '../../components/pickers';
import { StatusBadge } from '../../components/StatusBadge';
import { EmptyState } from '../../components/states';
import { dayEndIso, dayStartIso, formatDateTime, humanize } from '../../lib/format';
import { useListPage } from '../../lib/useListPage';
import { oneOf } from '../../lib/useUrlState';
import { useTRPC, type RouterOutputs } from '../../trpc';

type Entry = RouterOutputs['audit']['list']['items'][number];

const ACTION_PATTERN = /^[a-z_]+(\.[a-z_]+)*(\.\*)?$/;
const ENTITY_TYPES = ['user', 'lead', 'customer', 'plan', 'subscription', 'payment', 'ticket', 'activity', 'session'];

export default function AuditPage() {
  const trpc = useTRPC();
  const [open, setOpen] = useState<Entry | null>(null);
  const { url, setUrl, filters, tableProps } = useListPage({
    keys: ['action', 'entity', 'entityId', 'customer', 'outcome', 'actor', 'from', 'to'] as const,
    filters: (url) => ({
      action: url.action && ACTION_PATTERN.test(url.action) ? url.action : undefined,
      entityType: url.entity || undefined,
      entityId: url.entity && url.entityId ? url.entityId : undefined,
      customerId: url.customer || undefined,
      outcome: oneOf(url.outcome, AUDIT_OUTCOMES),
      actorId: url.actor || undefined,
      from: dayStartIso(url.from),
      to: dayEndIso(url.to),
    }),
    query: (input) => trpc.audit.list.queryOptions(input),
    limit: 50,
  });
  const actionValid = !url.action || ACTION_PATTERN.test(url.action);

  const columns = useMemo<ColumnDef<Entry>[]>(
    () => [
      {
        id: 'at',
        header: 'When (your time)',
        cell: ({ row }) => (
          <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
            {formatDateTime(row.original.at)}
          </Text>
        ),
      },
      {
        id: 'actor',
        header: 'Who',
        cell: ({ row }) => (
          <Text size="sm" lineClamp={1} title={row.original.actorLabel ?? undefined}>
            {row.original.actorName ?? row.original.actorLabel ?? 'System'}
          </Text>
        ),
      },
      {
        id: 'action',
        header: 'Action',
        cell: ({ row }) => (
          <Code fz="xs" style={{ cursor: 'pointer' }} onClick={() => setUrl({ action: row.original.action })} title="Filter by this action">
            {row.original.action}
          </Code>
        ),
      },
      {
        id: 'entity',
        header: 'Record',
        cell: ({ row }) => (
          <Group gap={4} wrap="nowrap">
            <Badge variant="outline" color="gray" size="sm">
              {row.original.entityType}
            </Badge>
            {row.original.entityId && (
              <Text
                size="sm"
                lineClamp={1}
                title={`Only entries about this record (${row.original.entityId})`}
                style={{ cursor: 'pointer' }}
                onClick={() => setUrl({ entity: row.original.entityType, entityId: row.original.entityId, customer: null })}
              >
                {row.original.entityName ?? row.original.entityId.slice(0, 8)}
              </Text>
            )}
          </Group>
        ),
      },
      { id: 'outcome', header: 'Outcome', cell: ({ row }) => <StatusBadge status={row.original.outcome} /> },
      {
        id: 'ip',
        header: 'IP',
        cell: ({ row }) => (
          <Text size="xs" ff="monospace">
            {row.original.ip ?? '—'}
          </Text>
        ),
      },
      {
        id: 'details',
        header: '',
        cell: ({ row }) => (
          <Tooltip label="Details">
            <ActionIcon
              variant="subtle"
              color="gray"
              aria-label={`Details of entry ${row.original.id}`}
              onClick={() => setOpen(row.original)}
            >
              <IconFileSearch size={16} />
            </ActionIcon>
          </Tooltip>
        ),
      },
    ],
    [setUrl],
  );

  return (
    <>
      <PageHeader title="Audit log" description="Every sign-in and every change, append-only and chained by hash so tampering shows." />
      <ListToolbar search={url.action} onSearch={(action) => setUrl({ action })} placeholder="Action, e.g. auth.login or lead.*">
        <Select
          aria-label="Record type"
          placeholder="Any record"
          clearable
          searchable
          w={150}
          data={ENTITY_TYPES.map((t) => ({ value: t, label: humanize(t) }))}
          value={url.entity || null}
          onChange={(entity) => setUrl({ entity, entityId: null })}
        />
        <CustomerPicker
          aria-label="Customer"
          placeholder="Any customer"
          w={240}
          value={url.customer || null}
          onChange={(customer) => setUrl({ customer, entity: null, entityId: null })}
        />
        <Select
          aria-label="Outcome"
          placeholder="Any outcome"
          clearable
          w={140}
          data={AUDIT_OUTCOMES.map((o) => ({ value: o, label: humanize(o) }))}
          value={filters.outcome ?? null}
          onChange={(outcome) => setUrl({ outcome })}
        />
        <StaffPicker aria-label="Actor" placeholder="Anyone" w={200} value={url.actor || null} onChange={(actor) => setUrl({ actor })} />
        <Group gap={6} wrap="nowrap">
          <TextInput type="date" aria-label="From" value={url.from} onChange={(e) => setUrl({ from: e.currentTarget.value })} w={150} />
          <Text size="sm" c="dimmed">
            to
          </Text>
          <TextInput type="date" aria-label="To" value={url.to} onChange={(e) => setUrl({ to: e.currentTarget.value })} w={150} />
        </Group>
      </ListToolbar>
      {filters.entityId && (
        <Group gap="xs" mb="sm">
          <Text size="sm">Only entries about one {url.entity}.</Text>
          <Anchor component="button" size="sm" onClick={() => setUrl({ entityId: null })}>
            Show all
          </Anchor>
        </Group>
      )}
      {!actionValid && (
        <Text size="sm" c="red" mb="sm">
          Use an action such as auth.login, or a family such as user.*
        </Text>
      )}
      <DataTable
        caption="Audit log"
        {...tableProps}
        columns={columns}
        getRowId={(e) => String(e.id)}
        minWidth={900}
        empty={
          <EmptyState icon={<IconHistory size={26} stroke={1.5} />} title="No entries match" message="Widen the dates or clear a filter." />
        }
      />
      <Modal opened={open !== null} onClose={() => setOpen(null)} title={open ? `Audit entry #${open.id}` : ''} size="lg">
        {open && (
          <Stack>
            <DetailList
              items={[
                { label: 'When (UTC)', value: open.at },
                { label: 'Who', value: open.actorName ? `${open.actorName} (${open.actorLabel ?? ''})` : (open.actorLabel ?? 'System') },
                { label: 'Action', value: <Code>{open.action}</Code> },
                {
                  label: 'Record',
                  value: `${open.entityType}${open.entityName ? `: ${open.entityName}` : ''}${open.entityId ? ` (${open.entityId})` : ''}`,
                },
                { label: 'Outcome', value: <StatusBadge status={open.outcome} /> },
                { label: 'Reason (internal)', value: open.reason },
                { label: 'IP address', value: open.ip },
                { label: 'Request id', value: open.requestId && <Code>{open.requestId}</Code> },
              ]}
            />
            <Text size="xs" c="dimmed" fw={500}>
              Changes
            </Text>
            {open.changes ? (
              <ScrollArea.Autosize mah={280}>
                <Code block>{JSON.stringify(open.changes, null, 2)}</Code>
              </ScrollArea.Autosize>
            ) : (
              <Text size="sm" c="dimmed">
                None recorded
              </Text>
            )}
          </Stack>
        )}
      </Modal>
    </>
  );
}
