/**
 * "Request M-Pesa payment": finance sends an STK push to the customer's phone (the customer sees a
 * PIN prompt for the amount, to our paybill, with their account number), then watches it resolve:
 * the status is polled every 2.5 s until M-Pesa says paid or why not, in words staff understand.
 */
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, Group, Loader, Modal, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { stkPushInput } from '@netflow/contracts';
import { IconAlertTriangle, IconCircleCheck, IconDeviceMobileMessage } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Controller, useForm } from 'react-hook-form';
import { useCan } from '../../auth/AuthContext';
import { FormAlert } from '../../components/FormAlert';
import { MoneyInput } from '../../components/pickers';
import { describeError } from '../../components/states';
import { applyServerErrors, formParse } from '../../lib/forms';
import { formatMoney } from '../../lib/format';
import { useTRPC } from '../../trpc';

const FIELDS = ['accountNumber', 'phone', 'amountCents'] as const;
const POLL_MS = 2_500;

interface StkCustomer {
  name: string;
  accountNumber: string;
  phone: string;
}

export function StkPushButton({ customer }: { customer: StkCustomer }) {
  const can = useCan();
  const [opened, modal] = useDisclosure(false);
  if (!can('payments.record')) return null;
  return (
    <>
      <Button variant="default" leftSection={<IconDeviceMobileMessage size={16} />} onClick={modal.open}>
        Request M-Pesa payment
      </Button>
      <Modal opened={opened} onClose={modal.close} title={`Request an M-Pesa payment from ${customer.name}`} size="md">
        {opened && <StkPushForm customer={customer} onClose={modal.close} />}
      </Modal>
    </>
  );
}

function StkPushForm({ customer, onClose }: { customer: StkCustomer; onClose: () => void }) {
  const trpc = useTRPC();
  const form = useForm({
    resolver: zodResolver(stkPushInput, formParse),
    defaultValues: { accountNumber: customer.accountNumber, phone: customer.phone, amountCents: undefined },
  });
  const { errors } = form.formState;
  const push = useMutation(
    trpc.mpesa.stkPush.mutationOptions({
      onError: (error) => applyServerErrors(error, form.setError, FIELDS),
    }),
  );

  if (push.isSuccess) {
    return <StkPushStatus checkoutRequestId={push.data.checkoutRequestId} onClose={onClose} onAgain={() => push.reset()} />;
  }

  return (
    <form noValidate onSubmit={form.handleSubmit((values) => push.mutate(values))}>
      <Stack>
        <FormAlert errors={errors} />
        <Text size="sm" c="dimmed">
          The customer’s phone shows an M-Pesa prompt to pay this amount to our paybill for account{' '}
          <strong>{customer.accountNumber}</strong>; the payment is recorded as soon as they enter their PIN.
        </Text>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput
            label="Phone"
            description="Safaricom number; any spelling"
            type="tel"
            required
            data-autofocus
            {...form.register('phone')}
            error={errors.phone?.message}
          />
          <Controller
            control={form.control}
            name="amountCents"
            render={({ field }) => (
              <MoneyInput
                label="Amount"
                description="Whole shillings"
                decimalScale={0}
                required
                value={field.value}
                onChange={field.onChange}
                onBlur={field.onBlur}
                ref={field.ref}
                error={errors.amountCents?.message}
              />
            )}
          />
        </SimpleGrid>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={push.isPending}>
            Send request
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function StkPushStatus({ checkoutRequestId, onClose, onAgain }: { checkoutRequestId: string; onClose: () => void; onAgain: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const status = useQuery({
    ...trpc.mpesa.stkStatus.queryOptions({ checkoutRequestId }),
    refetchInterval: (query) => (query.state.data?.status === 'paid' || query.state.data?.status === 'failed' ? false : POLL_MS),
  });
  const resolved = status.data?.status;

  useEffect(() => {
    if (resolved !== 'paid') return;
    // The payment renewed or credited the customer: refresh everything that shows it.
    for (const key of [
      trpc.payments.pathKey(),
      trpc.customers.pathKey(),
      trpc.subscriptions.pathKey(),
      trpc.activities.pathKey(),
      trpc.dashboard.pathKey(),
    ]) {
      void queryClient.invalidateQueries({ queryKey: key });
    }
  }, [resolved, queryClient, trpc]);

  return (
    <Stack>
      {status.isError && !status.data ? (
        <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} title="Could not read the request’s status">
          {describeError(status.error)}
        </Alert>
      ) : !status.data || status.data.status === 'pending' ? (
        <Alert
          color="blue"
          variant="light"
          icon={<Loader size={18} />}
          title="Waiting for M-Pesa"
          data-testid="stk-status"
          data-status="pending"
        >
          {status.data?.message ?? 'Sending the request…'}
        </Alert>
      ) : status.data.status === 'paid' ? (
        <Alert color="teal" variant="light" icon={<IconCircleCheck size={18} />} title="Paid" data-testid="stk-status" data-status="paid">
          {formatMoney(status.data.amountCents)} received
          {status.data.receipt ? `, M-Pesa receipt ${status.data.receipt}` : ' (receipt number to follow)'}. The payment is recorded on the
          account.
        </Alert>
      ) : (
        <Alert
          color="orange"
          variant="light"
          icon={<IconAlertTriangle size={18} />}
          title="Not paid"
          data-testid="stk-status"
          data-status="failed"
        >
          {status.data.message}
        </Alert>
      )}
      <Group justify="flex-end">
        {status.data?.status === 'failed' && (
          <Button variant="default" onClick={onAgain}>
            Try again
          </Button>
        )}
        <Button onClick={onClose}>{status.data?.status === 'pending' ? 'Close (keeps waiting)' : 'Done'}</Button>
      </Group>
    </Stack>
  );
}
