/**
 * Payments: record money received, reverse a mistaken one, assign an unmatched one to its customer
 * (with suggestions), move a mis-assigned one to the right customer, export CSV.
 */
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Group,
  Menu,
  SegmentedControl,
  Select,
  Stack,
  Text,
  TextInput,
  Textarea,
  ActionIcon,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { PAYMENT_METHODS, PAYMENT_SORTS, PAYMENT_STATUSES, assignPaymentInput, reversePaymentInput } from '@netflow/contracts';
import { IconArrowBackUp, IconArrowsExchange, IconCash, IconDots, IconLink, IconPlus } from '@tabler/icons-react';
import { useMutation, useQuery } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import { Controller } from 'react-hook-form';
import { Link } from 'react-router';
import { useCan } from '../../auth/AuthContext';
import { DataTable } from '../../components/DataTable';
import { FormModal, ModalForm, serverErrorsTo, useZodForm } from '../../components/FormModal';
import { ListToolbar } from '../../components/ListToolbar';
import { PageHeader } from '../../components/PageHeader';
import { CustomerPicker } from '../../components/pickers';
import { StatusBadge } from '../../components/StatusBadge';
import { EmptyState } from '../../components/states';
import { notifySuccess } from '../../lib/forms';
import { invalidates } from '../../lib/invalidation';
import { dayEndIso, dayStartIso, formatDateTime, formatMoney, humanize } from '../../lib/format';
import { useListPage } from '../../lib/useListPage';
import { oneOf } from '../../lib/useUrlState';
import { useTRPC, type RouterOutputs } from '../../trpc';
import { ExportButton } from '../../components/ExportButton';
import { MovePaymentForm, PaymentSuggestions } from './MovePayment';
import { METHOD_LABELS, RecordPaymentModal } from './RecordPaymentModal';

type Payment = RouterOutputs['payments']['list']['items'][number];

export default function PaymentsPage() {
  const trpc = useTRPC();
  const can = useCan();
  const [recordOpen, recordModal] = useDisclosure(false);
  const [reversing, setReversing] = useState<Payment | null>(null);
  const [assigning, setAssigning] = useState<Payment | null>(null);
  const [moving, setMoving] = useState<Payment | null>(null);
  const { url, setUrl, filters, tableProps, searchProps } = useListPage({
    keys: ['search', 'status', 'method', 'from', 'to', 'sort', 'order'] as const,
    filters: (url) => ({
      search: url.search || undefined,
      status: oneOf(url.status, PAYMENT_STATUSES),
      method: oneOf(url.method, PAYMENT_METHODS),
      paidFrom: dayStartIso(url.from),
      paidTo: dayEndIso(url.to),
      sort: oneOf(url.sort, PAYMENT_SORTS) ?? 'paidAt',
      order: url.order === 'asc' ? ('asc' as const) : ('desc' as const),
    }),
    query: (input) => trpc.payments.list.queryOptions(input),
    limit: 25,
    sorts: PAYMENT_SORTS,
  });
  const unmatched = useQuery(trpc.payments.list.queryOptions({ status: 'unmatched', limit: 1 }));
  const canReverse = can('payments.reverse');
  const canAssign = can('payments.assign');
  const canMove = can('payments.move');

  const columns = useMemo<ColumnDef<Payment>[]>(
    () => [
      {
        id: 'paidAt',
        accessorFn: (p) => p.paidAt,
        header: 'Paid',
        cell: ({ row }) => (
          <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
            {formatDateTime(row.original.paidAt)}
          </Text>
        ),
      },
      {
        id: 'customer',
        header: 'Customer',
        enableSorting: false,
        cell: ({ row }) =>
          row.original.customerId ? (
            <Stack gap={0}>
              <Anchor component={Link} to={`/customers/${row.original.customerId}`} size="sm" fw={600}>
                {row.original.customerName}
              </Anchor>
              <Text size="xs" c="dimmed" ff="monospace">
                {row.original.accountNumber}
              </Text>
            </Stack>
          ) : (
            <Stack gap={0}>
              <Text size="sm" c="orange.8" fw={600}>
                Not matched
              </Text>
              <Text size="xs" c="dimmed">
                typed “{row.original.accountReference ?? '—'}”
              </Text>
            </Stack>
          ),
      },
      {
        id: 'amountCents',
        accessorFn: (p) => p.amountCents,
        header: 'Amount',
        cell: ({ row }) => (
          <Text size="sm" fw={600} td={row.original.status === 'reversed' ? 'line-through' : undefined}>
            {formatMoney(row.original.amountCents)}
          </Text>
        ),
      },
      {
        id: 'method',
        header: 'Method',
        enableSorting: false,
        cell: ({ row }) => (
          <Badge variant="outline" color="gray" size="sm" tt="none" style={{ overflow: 'visible' }}>
            {METHOD_LABELS[row.original.method]}
          </Badge>
        ),
      },
      {
        id: 'reference',
        header: 'Reference',
        enableSorting: false,
        cell: ({ row }) => (
          <Text ff="monospace" size="sm" style={{ whiteSpace: 'nowrap' }}>
            {row.original.reference}
          </Text>
        ),
      },
      {
        id: 'payer',
        header: 'Payer',
        enableSorting: false,
        cell: ({ row }) => <Text size="sm">{[row.original.payerName, row.original.payerPhone].filter(Boolean).join(' · ') || '—'}</Text>,
      },
      {
        id: 'status',
        header: 'Status',
        enableSorting: false,
        cell: ({ row }) => (
          <Stack gap={2}>
            <StatusBadge status={row.original.status} />
            {row.original.reversalReason && (
              <Text size="xs" c="dimmed" lineClamp={1} title={row.original.reversalReason}>
                {row.original.reversalReason}
              </Text>
            )}
          </Stack>
        ),
      },
      {
        id: 'actions',
        header: '',
        enableSorting: false,
        cell: ({ row }) => {
          const p = row.original;
          const assignable = canAssign && p.status === 'unmatched';
          const reversible = canReverse && p.status !== 'reversed';
          const movable = canMove && p.status === 'applied';
          if (!assignable && !reversible && !movable) return null;
          return (
            <Group justify="flex-end" gap={4} wrap="nowrap">
              {assignable && (
                <Button
                  size="compact-sm"
                  variant="light"
                  color="orange"
                  leftSection={<IconLink size={14} />}
                  onClick={() => setAssigning(p)}
                >
                  Assign
                </Button>
              )}
              {(reversible || movable) && (
                <Menu position="bottom-end" withinPortal>
                  <Menu.Target>
                    <ActionIcon variant="subtle" color="gray" aria-label={`More actions for payment ${p.reference}`}>
                      <IconDots size={16} />
                    </ActionIcon>
                  </Menu.Target>
                  <Menu.Dropdown>
                    {movable && (
                      <Menu.Item leftSection={<IconArrowsExchange size={14} />} onClick={() => setMoving(p)}>
                        Move to another customer
                      </Menu.Item>
                    )}
                    {reversible && (
                      <Menu.Item color="red" leftSection={<IconArrowBackUp size={14} />} onClick={() => setReversing(p)}>
                        Reverse payment
                      </Menu.Item>
                    )}
                  </Menu.Dropdown>
                </Menu>
              )}
            </Group>
          );
        },
      },
    ],
    [canAssign, canReverse, canMove],
  );

  const unmatchedCount = unmatched.data?.items.length ?? 0;

  return (
    <>
      <PageHeader
        title="Payments"
        description="Money received by M-Pesa, cash and bank, matched to customers by account number."
        actions={
          <>
            {can('payments.export') && (
              <ExportButton
                path="/api/payments/export"
                filename="payments"
                params={{
                  search: filters.search,
                  status: filters.status,
                  method: filters.method,
                  paidFrom: filters.paidFrom,
                  paidTo: filters.paidTo,
                }}
              />
            )}
            {can('payments.record') && (
              <Button leftSection={<IconPlus size={16} />} onClick={recordModal.open}>
                Record payment
              </Button>
            )}
          </>
        }
      />
      {canAssign && unmatchedCount > 0 && filters.status !== 'unmatched' && (
        <Alert color="orange" variant="light" mb="md" icon={<IconCash size={18} />}>
          <Group justify="space-between" gap="xs">
            <Text size="sm">Some payments could not be matched to a customer and wait to be assigned.</Text>
            <Button size="compact-sm" variant="default" onClick={() => setUrl({ status: 'unmatched' })}>
              Show unmatched
            </Button>
          </Group>
        </Alert>
      )}
      <ListToolbar {...searchProps} placeholder="Search reference, account typed, payer name or phone">
        <SegmentedControl
          aria-label="Status"
          value={filters.status ?? 'all'}
          onChange={(v) => setUrl({ status: v === 'all' ? null : v })}
          data={[{ value: 'all', label: 'All' }, ...PAYMENT_STATUSES.map((s) => ({ value: s, label: humanize(s) }))]}
        />
        <Select
          aria-label="Method"
          placeholder="Any method"
          clearable
          w={140}
          data={PAYMENT_METHODS.map((m) => ({ value: m, label: METHOD_LABELS[m] }))}
          value={filters.method ?? null}
          onChange={(method) => setUrl({ method })}
        />
        <Group gap={6} wrap="nowrap">
          <TextInput
            type="date"
            aria-label="Paid from"
            value={url.from}
            onChange={(e) => setUrl({ from: e.currentTarget.value })}
            w={150}
          />
          <Text size="sm" c="dimmed">
            to
          </Text>
          <TextInput type="date" aria-label="Paid to" value={url.to} onChange={(e) => setUrl({ to: e.currentTarget.value })} w={150} />
        </Group>
      </ListToolbar>
      <DataTable
        caption="Payments"
        {...tableProps}
        columns={columns}
        getRowId={(p) => p.id}
        minWidth={980}
        empty={
          <EmptyState
            icon={<IconCash size={26} stroke={1.5} />}
            title={url.search || url.status || url.method || url.from || url.to ? 'No payments match' : 'No payments yet'}
            message="Payments recorded here, or received from M-Pesa, appear in this list."
          />
        }
      />
      <RecordPaymentModal opened={recordOpen} onClose={recordModal.close} />
      <FormModal opened={reversing !== null} onClose={() => setReversing(null)} title="Reverse payment">
        {reversing && <ReverseForm payment={reversing} onClose={() => setReversing(null)} />}
      </FormModal>
      <FormModal opened={moving !== null} onClose={() => setMoving(null)} title="Move payment to another customer">
        {moving && <MovePaymentForm payment={moving} onClose={() => setMoving(null)} />}
      </FormModal>
      <FormModal opened={assigning !== null} onClose={() => setAssigning(null)} title="Assign payment to a customer">
        {assigning && <AssignForm payment={assigning} onClose={() => setAssigning(null)} />}
      </FormModal>
    </>
  );
}

function ReverseForm({ payment, onClose }: { payment: Payment; onClose: () => void }) {
  const trpc = useTRPC();
  const form = useZodForm(reversePaymentInput, { id: payment.id, reason: '' });
  const { errors } = form.formState;
  const reverse = useMutation(
    trpc.payments.reverse.mutationOptions({
      meta: invalidates('money'),
      onSuccess: (p) => {
        notifySuccess(`${formatMoney(p.amountCents)} (${p.reference}) reversed`);
        onClose();
      },
      onError: serverErrorsTo(form, ['reason']),
    }),
  );
  return (
    <ModalForm
      form={form}
      onSubmit={(v) => reverse.mutate(v)}
      onCancel={onClose}
      submitLabel="Reverse payment"
      submitColor="red"
      pending={reverse.isPending}
    >
      <Text size="sm">
        Reversing {formatMoney(payment.amountCents)} ({payment.reference}) undoes its effect: the renewal it paid for is taken back.
      </Text>
      <Textarea label="Reason" required data-autofocus autosize minRows={2} {...form.register('reason')} error={errors.reason?.message} />
    </ModalForm>
  );
}

function AssignForm({ payment, onClose }: { payment: Payment; onClose: () => void }) {
  const trpc = useTRPC();
  const [pickedLabel, setPickedLabel] = useState<string>();
  const form = useZodForm(assignPaymentInput, { id: payment.id, customerId: undefined, accountNumber: undefined });
  const { errors } = form.formState;
  const assign = useMutation(
    trpc.payments.assign.mutationOptions({
      meta: invalidates('money'),
      onSuccess: (p) => {
        notifySuccess(`${formatMoney(p.amountCents)} applied to ${p.customerName ?? 'the customer'}`, 'Payment assigned');
        onClose();
      },
      onError: serverErrorsTo(form, ['customerId', 'accountNumber']),
    }),
  );
  return (
    <ModalForm form={form} onSubmit={(v) => assign.mutate(v)} onCancel={onClose} submitLabel="Assign and apply" pending={assign.isPending}>
      <Text size="sm">
        {formatMoney(payment.amountCents)} by {METHOD_LABELS[payment.method]} ({payment.reference}); the payer typed “
        {payment.accountReference ?? '—'}”. Choose the customer it belongs to; their subscription is renewed.
      </Text>
      <PaymentSuggestions
        paymentId={payment.id}
        onPick={(id, label) => {
          setPickedLabel(label);
          form.setValue('customerId', id, { shouldValidate: true });
        }}
      />
      <Controller
        control={form.control}
        name="customerId"
        render={({ field }) => (
          <CustomerPicker
            label="Customer"
            required
            data-autofocus
            initialLabel={pickedLabel}
            value={field.value ?? null}
            onChange={(v) => field.onChange(v ?? undefined)}
            ref={field.ref}
            error={errors.customerId?.message ?? errors.accountNumber?.message}
          />
        )}
      />
    </ModalForm>
  );
}
