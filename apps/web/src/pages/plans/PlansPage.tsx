/** Plans: what the ISP sells. Everyone with plans.read sees them; managers and admins change them. */
import {
  ActionIcon,
  Button,
  Group,
  NumberInput,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { PLAN_SORTS, PLAN_TYPES, createPlanInput } from '@netflow/contracts';
import { IconArrowDown, IconArrowUp, IconEdit, IconPackage, IconPlus } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useMemo, useState, type Ref } from 'react';
import { Controller } from 'react-hook-form';
import { useCan } from '../../auth/AuthContext';
import { DataTable } from '../../components/DataTable';
import { FormModal, ModalForm, serverErrorsTo, useZodForm } from '../../components/FormModal';
import { ListToolbar } from '../../components/ListToolbar';
import { PageHeader } from '../../components/PageHeader';
import { MoneyInput } from '../../components/pickers';
import { StatusBadge } from '../../components/StatusBadge';
import { EmptyState } from '../../components/states';
import { notifyError, notifySuccess } from '../../lib/forms';
import { invalidates } from '../../lib/invalidation';
import { formatMoney, formatSpeed } from '../../lib/format';
import { useListPage } from '../../lib/useListPage';
import { oneOf } from '../../lib/useUrlState';
import { useTRPC, type RouterOutputs } from '../../trpc';

type Plan = RouterOutputs['plans']['list']['items'][number];
const TYPE_LABELS = { pppoe: 'PPPoE', hotspot: 'Hotspot' } as const;

export default function PlansPage() {
  const trpc = useTRPC();
  const can = useCan();
  const manage = can('plans.manage');
  const [editing, setEditing] = useState<Plan | 'new' | null>(null);
  const { setUrl, filters, filtered, tableProps, searchProps } = useListPage({
    keys: ['search', 'type', 'active', 'sort', 'order'] as const,
    filters: (url) => ({
      search: url.search || undefined,
      type: oneOf(url.type, PLAN_TYPES),
      active: oneOf(url.active, ['true', 'false'] as const),
      sort: oneOf(url.sort, PLAN_SORTS) ?? 'priceCents',
      order: url.order === 'desc' ? ('desc' as const) : ('asc' as const),
    }),
    query: (input) => trpc.plans.list.queryOptions(input),
    limit: 50,
    sorts: PLAN_SORTS,
  });

  const columns = useMemo<ColumnDef<Plan>[]>(
    () => [
      {
        id: 'name',
        accessorFn: (p) => p.name,
        header: 'Plan',
        cell: ({ row }) => (
          <Text fw={600} size="sm">
            {row.original.name}
          </Text>
        ),
      },
      { id: 'type', header: 'Type', enableSorting: false, cell: ({ row }) => TYPE_LABELS[row.original.type] },
      {
        id: 'speed',
        header: 'Speed',
        enableSorting: false,
        cell: ({ row }) => (
          <Group gap={8} wrap="nowrap">
            <Group gap={2} wrap="nowrap">
              <IconArrowDown size={14} color="var(--mantine-color-teal-6)" aria-label="Download" />
              <Text size="sm">{formatSpeed(row.original.downloadKbps)}</Text>
            </Group>
            <Group gap={2} wrap="nowrap">
              <IconArrowUp size={14} color="var(--mantine-color-blue-6)" aria-label="Upload" />
              <Text size="sm">{formatSpeed(row.original.uploadKbps)}</Text>
            </Group>
          </Group>
        ),
      },
      {
        id: 'priceCents',
        accessorFn: (p) => p.priceCents,
        header: 'Price',
        cell: ({ row }) => (
          <Text size="sm" fw={600}>
            {formatMoney(row.original.priceCents)}
          </Text>
        ),
      },
      {
        id: 'validity',
        header: 'Validity',
        enableSorting: false,
        cell: ({ row }) => `${row.original.validityDays} day${row.original.validityDays === 1 ? '' : 's'}`,
      },
      {
        id: 'active',
        header: 'Status',
        enableSorting: false,
        cell: ({ row }) => <StatusBadge status={row.original.active ? 'active' : 'inactive'} />,
      },
      ...(manage
        ? [
            {
              id: 'actions',
              header: '',
              enableSorting: false,
              cell: ({ row }) => (
                <Group justify="flex-end" gap={4} wrap="nowrap">
                  <ActiveToggle plan={row.original} />
                  <Tooltip label="Edit plan">
                    <ActionIcon
                      variant="subtle"
                      color="gray"
                      aria-label={`Edit ${row.original.name}`}
                      onClick={() => setEditing(row.original)}
                    >
                      <IconEdit size={16} />
                    </ActionIcon>
                  </Tooltip>
                </Group>
              ),
            } satisfies ColumnDef<Plan>,
          ]
        : []),
    ],
    [manage],
  );

  return (
    <>
      <PageHeader
        title="Plans"
        description="Internet packages on sale: speed, price and how long a payment lasts."
        actions={
          manage && (
            <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')}>
              New plan
            </Button>
          )
        }
      />
      <ListToolbar {...searchProps} placeholder="Search plans">
        <SegmentedControl
          aria-label="Type"
          value={filters.type ?? 'all'}
          onChange={(v) => setUrl({ type: v === 'all' ? null : v })}
          data={[
            { value: 'all', label: 'All' },
            { value: 'pppoe', label: 'PPPoE' },
            { value: 'hotspot', label: 'Hotspot' },
          ]}
        />
        <Select
          aria-label="Availability"
          placeholder="Active and retired"
          clearable
          w={180}
          data={[
            { value: 'true', label: 'On sale' },
            { value: 'false', label: 'Retired' },
          ]}
          value={filters.active ?? null}
          onChange={(active) => setUrl({ active })}
        />
      </ListToolbar>
      <DataTable
        caption="Plans"
        {...tableProps}
        columns={columns}
        getRowId={(p) => p.id}
        minWidth={760}
        empty={
          <EmptyState
            icon={<IconPackage size={26} stroke={1.5} />}
            title={filtered ? 'No plans match' : 'No plans yet'}
            message={manage ? 'Create the packages you sell, with their speed, price and validity.' : undefined}
          />
        }
      />
      <FormModal opened={editing !== null} onClose={() => setEditing(null)} title={editing === 'new' ? 'New plan' : 'Edit plan'} size="lg">
        <PlanForm plan={editing === 'new' || editing === null ? undefined : editing} onClose={() => setEditing(null)} />
      </FormModal>
    </>
  );
}

function ActiveToggle({ plan }: { plan: Plan }) {
  const trpc = useTRPC();
  const update = useMutation(
    trpc.plans.update.mutationOptions({
      meta: invalidates('plans'),
      onSuccess: (p) => {
        notifySuccess(`${p.name} is ${p.active ? 'on sale' : 'retired'}`);
      },
      onError: (error) => notifyError(error),
    }),
  );
  return (
    <Tooltip label={plan.active ? 'On sale (click to retire)' : 'Retired (click to put on sale)'}>
      <Switch
        size="sm"
        checked={plan.active}
        disabled={update.isPending}
        onChange={(e) => update.mutate({ id: plan.id, active: e.currentTarget.checked })}
        aria-label={`${plan.name} on sale`}
      />
    </Tooltip>
  );
}

/** A rate typed in Mbit/s, held in kbit/s as the schema wants. */
function RateInput({
  value,
  onChange,
  ref,
  ...props
}: {
  label: string;
  value: number | undefined;
  onChange: (kbps: number | undefined) => void;
  error?: string;
  ref?: Ref<HTMLInputElement>;
  required?: boolean;
}) {
  return (
    <NumberInput
      ref={ref}
      suffix=" Mbps"
      decimalScale={3}
      min={0}
      hideControls
      {...props}
      value={value === undefined ? '' : value / 1000}
      onChange={(v) => onChange(typeof v === 'number' ? Math.round(v * 1000) : undefined)}
    />
  );
}

const PLAN_FIELDS = ['name', 'type', 'downloadKbps', 'uploadKbps', 'priceCents', 'validityDays', 'active', 'routerProfile'] as const;

function PlanForm({ plan, onClose }: { plan?: Plan; onClose: () => void }) {
  const trpc = useTRPC();
  const form = useZodForm(createPlanInput, {
    name: plan?.name ?? '',
    type: plan?.type ?? 'pppoe',
    downloadKbps: plan?.downloadKbps,
    uploadKbps: plan?.uploadKbps,
    priceCents: plan?.priceCents,
    validityDays: plan?.validityDays ?? 30,
    active: plan?.active ?? true,
    routerProfile: plan?.routerProfile ?? '',
  });
  const { errors } = form.formState;
  const meta = invalidates('plans');
  const onSuccess = (p: Plan) => {
    notifySuccess(plan ? `${p.name} saved` : `${p.name} created`);
    onClose();
  };
  const onError = serverErrorsTo(form, PLAN_FIELDS);
  const create = useMutation(trpc.plans.create.mutationOptions({ meta, onSuccess, onError }));
  const update = useMutation(trpc.plans.update.mutationOptions({ meta, onSuccess, onError }));
  return (
    <ModalForm
      form={form}
      onSubmit={(values) => {
        if (plan) update.mutate({ id: plan.id, ...values });
        else create.mutate(values);
      }}
      onCancel={onClose}
      submitLabel={plan ? 'Save plan' : 'Create plan'}
      pending={create.isPending || update.isPending}
    >
      <TextInput
        label="Name"
        required
        data-autofocus
        placeholder="e.g. Home 10 Mbps"
        {...form.register('name')}
        error={errors.name?.message}
      />
      <Controller
        control={form.control}
        name="type"
        render={({ field }) => (
          <Stack gap={4}>
            <Text size="sm" fw={500} id="plan-type-label">
              Type
            </Text>
            <SegmentedControl
              aria-labelledby="plan-type-label"
              value={field.value}
              onChange={field.onChange}
              data={PLAN_TYPES.map((t) => ({ value: t, label: TYPE_LABELS[t] }))}
              style={{ alignSelf: 'flex-start' }}
            />
          </Stack>
        )}
      />
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <Controller
          control={form.control}
          name="downloadKbps"
          render={({ field }) => (
            <RateInput
              label="Download"
              required
              value={field.value}
              onChange={field.onChange}
              ref={field.ref}
              error={errors.downloadKbps?.message}
            />
          )}
        />
        <Controller
          control={form.control}
          name="uploadKbps"
          render={({ field }) => (
            <RateInput
              label="Upload"
              required
              value={field.value}
              onChange={field.onChange}
              ref={field.ref}
              error={errors.uploadKbps?.message}
            />
          )}
        />
        <Controller
          control={form.control}
          name="priceCents"
          render={({ field }) => (
            <MoneyInput
              label="Price"
              required
              value={field.value}
              onChange={field.onChange}
              ref={field.ref}
              error={errors.priceCents?.message}
            />
          )}
        />
        <Controller
          control={form.control}
          name="validityDays"
          render={({ field }) => (
            <NumberInput
              label="Validity"
              suffix=" days"
              required
              min={1}
              max={366}
              allowDecimal={false}
              value={field.value ?? ''}
              onChange={(v) => field.onChange(typeof v === 'number' ? v : undefined)}
              ref={field.ref}
              error={errors.validityDays?.message}
            />
          )}
        />
      </SimpleGrid>
      <TextInput
        label="Router profile"
        description="The MikroTik PPP or hotspot user profile subscribers get (e.g. 10M); blank: the router's default"
        autoComplete="off"
        {...form.register('routerProfile')}
        error={errors.routerProfile?.message}
      />
      <Controller
        control={form.control}
        name="active"
        render={({ field }) => (
          <Switch
            label="On sale"
            description="Retired plans stay on existing subscriptions but cannot be sold"
            checked={field.value ?? true}
            onChange={(e) => field.onChange(e.currentTarget.checked)}
          />
        )}
      />
    </ModalForm>
  );
}
