/**
 * Correcting where a payment went: "Move to another customer" (one audited step on the server:
 * undone on the first customer, applied to the second, same reference) and the suggestions shown
 * when assigning an unmatched payment (payer's phone, near-miss account number).
 */
import { Button, Group, Stack, Text, Textarea } from '@mantine/core';
import { movePaymentInput } from '@netflow/contracts';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Controller } from 'react-hook-form';
import { ModalForm, serverErrorsTo, useZodForm } from '../../components/FormModal';
import { CustomerPicker } from '../../components/pickers';
import { notifySuccess } from '../../lib/forms';
import { invalidates } from '../../lib/invalidation';
import { formatMoney } from '../../lib/format';
import { useTRPC, type RouterOutputs } from '../../trpc';

type Payment = RouterOutputs['payments']['list']['items'][number];

export function MovePaymentForm({ payment, onClose }: { payment: Payment; onClose: () => void }) {
  const trpc = useTRPC();
  const form = useZodForm(movePaymentInput, { id: payment.id, customerId: undefined, reason: '' });
  const { errors } = form.formState;
  const move = useMutation(
    trpc.payments.move.mutationOptions({
      // Two customers' balances and subscriptions, the list, the dashboard and both timelines.
      meta: invalidates('money'),
      onSuccess: (p) => {
        const what = p.outcome.kind === 'renewed' ? `renewed ${p.outcome.planName}` : 'credited to the balance';
        notifySuccess(
          `${formatMoney(p.amountCents)} (${p.reference}) moved to ${p.customerName ?? 'the customer'}: ${what}`,
          'Payment moved',
        );
        onClose();
      },
      onError: serverErrorsTo(form, ['customerId', 'reason']),
    }),
  );
  return (
    <ModalForm form={form} onSubmit={(v) => move.mutate(v)} onCancel={onClose} submitLabel="Move payment" pending={move.isPending}>
      <Text size="sm">
        {formatMoney(payment.amountCents)} ({payment.reference}) went to {payment.customerName} ({payment.accountNumber}). Moving it undoes
        its effect there (balance, renewal) and applies it to the customer you choose, keeping the same reference.
      </Text>
      <Controller
        control={form.control}
        name="customerId"
        render={({ field }) => (
          <CustomerPicker
            label="Move to"
            required
            data-autofocus
            value={field.value ?? null}
            onChange={(v) => field.onChange(v ?? undefined)}
            ref={field.ref}
            error={errors.customerId?.message}
          />
        )}
      />
      <Textarea label="Reason" required autosize minRows={2} {...form.register('reason')} error={errors.reason?.message} />
    </ModalForm>
  );
}

const REASON_LABEL = { payer_phone: "payer's phone", account_number: 'account number nearly typed' } as const;

export function PaymentSuggestions({ paymentId, onPick }: { paymentId: string; onPick: (id: string, label: string) => void }) {
  const trpc = useTRPC();
  const query = useQuery(trpc.payments.suggestions.queryOptions({ id: paymentId }));
  const [picked, setPicked] = useState<string | null>(null);
  const items = query.data ?? [];
  if (items.length === 0) return null;
  return (
    <Stack gap={4} data-testid="payment-suggestions">
      <Text size="sm" fw={600}>
        Suggested customers
      </Text>
      {items.map((s) => {
        const label = `${s.name} · ${s.accountNumber}`;
        return (
          <Group key={s.customerId} justify="space-between" wrap="nowrap">
            <Text size="sm">
              {label}{' '}
              <Text span size="xs" c="dimmed">
                ({REASON_LABEL[s.reason]})
              </Text>
            </Text>
            <Button
              size="compact-sm"
              variant={picked === s.customerId ? 'filled' : 'light'}
              onClick={() => {
                setPicked(s.customerId);
                onPick(s.customerId, label);
              }}
            >
              Use
            </Button>
          </Group>
        );
      })}
    </Stack>
  );
}
