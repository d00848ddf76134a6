/**
 * Correcting where a payment went: "Move to another customer" (one audited step on the server:
 * undone on the first customer, applied to the second, same reference) and the suggestions shown
 * when assigning an unmatched payment (payer's phone, near-miss account number).
 */
import { zodResolver } from '@hookform/resolvers/zod';
import { Button, Group, Stack, Text, Textarea } from '@mantine/core';
import { movePaymentInput } from '@netflow/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import { FormAlert } from '../../components/FormAlert';
import { CustomerPicker } from '../../components/pickers';
import { applyServerErrors, formParse, notifySuccess } from '../../lib/forms';
import { formatMoney } from '../../lib/format';
import { useTRPC, type RouterOutputs } from '../../trpc';

type Payment = RouterOutputs['payments']['list']['items'][number];

/** A move changes two customers' balances and subscriptions, the payments list and the dashboard. */
function useInvalidateMoney() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => {
    for (const key of [trpc.payments.pathKey(), trpc.customers.pathKey(), trpc.subscriptions.pathKey(), trpc.dashboard.pathKey()]) {
      void queryClient.invalidateQueries({ queryKey: key });
    }
  };
}

export function MovePaymentForm({ payment, onClose }: { payment: Payment; onClose: () => void }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateMoney();
  const form = useForm({
    resolver: zodResolver(movePaymentInput, formParse),
    defaultValues: { id: payment.id, customerId: undefined as unknown as string, reason: '' },
  });
  const { errors } = form.formState;
  const move = useMutation(
    trpc.payments.move.mutationOptions({
      onSuccess: (p) => {
        invalidate();
        const what = p.outcome.kind === 'renewed' ? `renewed ${p.outcome.planName}` : 'credited to the balance';
        notifySuccess(
          `${formatMoney(p.amountCents)} (${p.reference}) moved to ${p.customerName ?? 'the customer'}: ${what}`,
          'Payment moved',
        );
        onClose();
      },
      onError: (error) => applyServerErrors(error, form.setError, ['customerId', 'reason']),
    }),
  );
  return (
    <form noValidate onSubmit={form.handleSubmit((v) => move.mutate(v))}>
      <Stack>
        <Text size="sm">
          {formatMoney(payment.amountCents)} ({payment.reference}) went to {payment.customerName} ({payment.accountNumber}). Moving it
          undoes its effect there (balance, renewal) and applies it to the customer you choose, keeping the same reference.
        </Text>
        <FormAlert errors={errors} />
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
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={move.isPending}>
            Move payment
          </Button>
        </Group>
      </Stack>
    </form>
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
