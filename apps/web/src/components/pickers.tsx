/** Selects fed by the API: customers (server-side search), plans, staff. */
import { NumberInput, Select, type NumberInputProps, type SelectProps } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useState, type Ref } from 'react';
import { canAssignOthers, type AssignableWork } from '@netflow/contracts';
import { useCurrentUser } from '../auth/AuthContext';
import { formatMoney, humanize } from '../lib/format';
import { useTRPC } from '../trpc';

type PickerProps = Omit<SelectProps, 'data' | 'value' | 'onChange'> & {
  value: string | null | undefined;
  onChange: (value: string | null) => void;
  ref?: Ref<HTMLInputElement>;
};

/** Searches customers by name, phone, e-mail or account number as the person types. */
export function CustomerPicker({ value, onChange, ...props }: PickerProps & { initialLabel?: string }) {
  const trpc = useTRPC();
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 250);
  const [picked, setPicked] = useState<{ value: string; label: string } | null>(null);
  const { initialLabel, ...rest } = props;
  const list = useQuery(trpc.customers.list.queryOptions({ search: debounced || undefined, limit: 20, sort: 'name', order: 'asc' }));
  const options = (list.data?.items ?? []).map((c) => ({ value: c.id, label: `${c.name} · ${c.accountNumber}` }));
  if (value && !options.some((o) => o.value === value)) {
    if (picked?.value === value) options.unshift(picked);
    else if (initialLabel) options.unshift({ value, label: initialLabel });
  }
  return (
    <Select
      searchable
      clearable
      placeholder="Search by name, phone or account number"
      nothingFoundMessage={list.isPending ? 'Searching…' : 'No customer matches'}
      {...rest}
      data={options}
      value={value ?? null}
      onChange={(v, option) => {
        setPicked(v ? { value: v, label: option.label } : null);
        onChange(v);
      }}
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options: o }) => o}
    />
  );
}

export function usePlans(activeOnly = true) {
  const trpc = useTRPC();
  return useQuery(
    trpc.plans.list.queryOptions({ limit: 100, sort: 'priceCents', order: 'asc', ...(activeOnly ? { active: 'true' as const } : {}) }),
  );
}

export function PlanPicker({ value, onChange, ...props }: PickerProps) {
  const plans = usePlans();
  const data = (plans.data?.items ?? []).map((p) => ({
    value: p.id,
    label: `${p.name} · ${formatMoney(p.priceCents)} / ${p.validityDays} d`,
  }));
  return (
    <Select
      placeholder={plans.isPending ? 'Loading plans…' : 'Choose a plan'}
      nothingFoundMessage="No active plans"
      clearable
      {...props}
      data={data}
      value={value ?? null}
      onChange={(v) => onChange(v)}
    />
  );
}

/** Active staff from the directory (users.read: admins and managers, e.g. the audit log's actor filter). */
export function StaffPicker({ value, onChange, ...props }: PickerProps) {
  const trpc = useTRPC();
  const users = useQuery(trpc.users.list.queryOptions({ status: 'active', limit: 100 }));
  const data = (users.data?.items ?? []).map((u) => ({ value: u.id, label: `${u.name} (${humanize(u.role)})` }));
  return <StaffSelect {...props} value={value} onChange={onChange} data={data} loading={users.isPending} />;
}

/**
 * Staff who can take a lead or a ticket (users.assignable): for anyone who may assign that work to
 * others, without needing the staff directory. Render it when `canAssignOthers(role, work)`.
 */
export function AssigneePicker({ value, onChange, work, ...props }: PickerProps & { work: AssignableWork }) {
  const trpc = useTRPC();
  const staff = useQuery(trpc.users.assignable.queryOptions({ work }));
  const data = (staff.data?.items ?? []).map((u) => ({ value: u.id, label: `${u.name} (${humanize(u.role)})` }));
  return <StaffSelect {...props} value={value} onChange={onChange} data={data} loading={staff.isPending} />;
}

function StaffSelect({
  value,
  onChange,
  data,
  loading,
  ...props
}: PickerProps & { data: { value: string; label: string }[]; loading: boolean }) {
  return (
    <Select
      searchable
      clearable
      placeholder={loading ? 'Loading staff…' : 'Unassigned'}
      nothingFoundMessage="Nobody matches"
      {...props}
      data={data}
      value={value ?? null}
      onChange={(v) => onChange(v)}
    />
  );
}

/** An amount typed in shillings, held as integer cents (what the API and the schemas use). */
export function MoneyInput({
  value,
  onChange,
  ...props
}: Omit<NumberInputProps, 'value' | 'onChange'> & {
  value: number | undefined;
  onChange: (cents: number | undefined) => void;
  ref?: Ref<HTMLInputElement>;
}) {
  return (
    <NumberInput
      prefix="KES "
      thousandSeparator=","
      decimalScale={2}
      min={0}
      hideControls
      inputMode="decimal"
      {...props}
      value={value === undefined ? '' : value / 100}
      onChange={(v) => onChange(typeof v === 'number' ? Math.round(v * 100) : undefined)}
    />
  );
}

/**
 * The "assigned to" filter of the leads and tickets lists: me, nobody, or (for roles that may list
 * staff) a particular person. The value is what the API's `assignee` filter takes.
 */
export function AssigneeFilter({
  value,
  onChange,
  work,
}: {
  value: string | undefined;
  onChange: (value: string | null) => void;
  work: AssignableWork;
}) {
  const trpc = useTRPC();
  const canListStaff = canAssignOthers(useCurrentUser().role, work);
  const assignable = useQuery({ ...trpc.users.assignable.queryOptions({ work }), enabled: canListStaff });
  const staff = (assignable.data?.items ?? []).map((u) => ({ value: u.id, label: u.name }));
  const data = [
    {
      group: 'Quick',
      items: [
        { value: 'me', label: 'Assigned to me' },
        { value: 'unassigned', label: 'Unassigned' },
      ],
    },
    ...(staff.length ? [{ group: 'Staff', items: staff }] : []),
  ];
  return (
    <Select
      aria-label="Assigned to"
      placeholder="Anyone"
      clearable
      searchable={canListStaff}
      w={180}
      data={data}
      value={value ?? null}
      onChange={onChange}
      nothingFoundMessage="Nobody matches"
    />
  );
}
