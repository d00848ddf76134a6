/**
 * Record money received. On a customer's page the payment goes to that customer; elsewhere it is
 * matched by the account number the payer typed (an unknown one is kept as `unmatched`).
 */
import { Alert, Button, Group, Select, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { PAYMENT_METHODS, recordPaymentInput } from '@netflow/contracts';
import { IconCircleCheck, IconAlertTriangle } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { Controller } from 'react-hook-form';
import { DateTimeInput } from '../../components/DateTimeInput';
import { FormModal, ModalForm, serverErrorsTo, useZodForm } from '../../components/FormModal';
import { MoneyInput } from '../../components/pickers';
import { emptyAsUndefined, notifySuccess } from '../../lib/forms';
import { invalidates } from '../../lib/invalidation';
import { formatMoney } from '../../lib/format';
import { useTRPC } from '../../trpc';
import { describeOutcome } from './paymentOutcome';

export const METHOD_LABELS: Record<(typeof PAYMENT_METHODS)[number], string> = { mpesa: 'M-Pesa', cash: 'Cash', bank: 'Bank' };

const FIELDS = ['accountNumber', 'customerId', 'method', 'reference', 'amountCents', 'paidAt', 'payerName', 'payerPhone'] as const;

export function RecordPaymentModal({
  opened,
  onClose,
  customer,
}: {
  opened: boolean;
  onClose: () => void;
  customer?: { id: string; name: string; accountNumber: string };
}) {
  return (
    <FormModal opened={opened} onClose={onClose} title={customer ? `Record a payment from ${customer.name}` : 'Record a payment'} size="lg">
      <RecordPaymentForm customer={customer} onClose={onClose} />
    </FormModal>
  );
}

function RecordPaymentForm({ customer, onClose }: { customer?: { id: string; name: string; accountNumber: string }; onClose: () => void }) {
  const trpc = useTRPC();
  const form = useZodForm(recordPaymentInput, {
    customerId: customer?.id,
    accountNumber: undefined,
    method: 'mpesa',
    reference: '',
    amountCents: undefined,
    paidAt: undefined,
    payerName: undefined,
    payerPhone: undefined,
  });
  const { errors } = form.formState;
  const record = useMutation(
    trpc.payments.record.mutationOptions({
      meta: invalidates('money'),
      onSuccess: (payment) => {
        notifySuccess(
          describeOutcome(payment),
          payment.customerName ? `Payment from ${payment.customerName} recorded` : 'Payment recorded',
        );
      },
      onError: serverErrorsTo(form, FIELDS),
    }),
  );

  if (record.isSuccess) {
    const p = record.data;
    return (
      <Stack>
        {p.outcome.kind === 'unmatched' ? (
          <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />} title="Payment kept as unmatched">
            No customer has the account number “{p.accountReference}”. Finance can assign it from the Payments page.
          </Alert>
        ) : (
          <Alert
            color={p.outcome.kind === 'renewed' ? 'teal' : 'blue'}
            variant="light"
            icon={<IconCircleCheck size={18} />}
            title="Payment applied"
            data-testid="payment-outcome"
          >
            {formatMoney(p.amountCents)} ({p.reference}) from {p.customerName} · {p.accountNumber}. {describeOutcome(p)}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button onClick={onClose}>Done</Button>
        </Group>
      </Stack>
    );
  }

  return (
    <ModalForm
      form={form}
      onSubmit={(values) => record.mutate(values)}
      onCancel={onClose}
      submitLabel="Record payment"
      pending={record.isPending}
    >
      {customer ? (
        <Text size="sm" c="dimmed">
          Account <strong>{customer.accountNumber}</strong>. The money goes to their balance; every whole plan price in it renews their
          subscription by one period.
        </Text>
      ) : (
        <TextInput
          label="Account number"
          description="What the payer typed, e.g. NF-000123"
          required
          data-autofocus
          {...form.register('accountNumber', emptyAsUndefined)}
          error={errors.accountNumber?.message}
        />
      )}
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <Controller
          control={form.control}
          name="method"
          render={({ field }) => (
            <Select
              label="Method"
              required
              allowDeselect={false}
              data={PAYMENT_METHODS.map((m) => ({ value: m, label: METHOD_LABELS[m] }))}
              value={field.value}
              onChange={(v) => field.onChange(v ?? 'mpesa')}
              ref={field.ref}
              error={errors.method?.message}
            />
          )}
        />
        <TextInput
          label="Reference"
          description="M-Pesa code, bank slip or receipt number"
          required
          data-autofocus={customer ? true : undefined}
          {...form.register('reference')}
          error={errors.reference?.message}
        />
        <Controller
          control={form.control}
          name="amountCents"
          render={({ field }) => (
            <MoneyInput
              label="Amount"
              required
              value={field.value}
              onChange={field.onChange}
              onBlur={field.onBlur}
              ref={field.ref}
              error={errors.amountCents?.message}
            />
          )}
        />
        <Controller
          control={form.control}
          name="paidAt"
          render={({ field }) => (
            <DateTimeInput
              label="Paid at"
              description="Leave empty for now"
              value={field.value}
              onChange={field.onChange}
              ref={field.ref}
              error={errors.paidAt?.message}
            />
          )}
        />
        <TextInput label="Payer name" {...form.register('payerName', emptyAsUndefined)} error={errors.payerName?.message} />
        <TextInput label="Payer phone" type="tel" {...form.register('payerPhone', emptyAsUndefined)} error={errors.payerPhone?.message} />
      </SimpleGrid>
    </ModalForm>
  );
}
