/**
 * A read-only view of one customer's payments for the front desk ("I paid but I'm off"): the
 * customer's payments, and payments that arrived from the customer's phone but were not matched
 * (wrong account typed), which finance can then assign.
 */
import { Alert, Badge, Stack, Table, Text, Title } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { StatusBadge } from '../../components/StatusBadge';
import { EmptyState, PageLoader } from '../../components/states';
import { formatDateTime, formatMoney } from '../../lib/format';
import { useTRPC, type RouterOutputs } from '../../trpc';

type Payment = RouterOutputs['payments']['ofCustomer']['payments'][number];

function PaymentRows({ items, testId }: { items: Payment[]; testId: string }) {
  return (
    <Table verticalSpacing="xs" data-testid={testId}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Paid</Table.Th>
          <Table.Th>Amount</Table.Th>
          <Table.Th>Reference</Table.Th>
          <Table.Th>Account typed</Table.Th>
          <Table.Th>Payer</Table.Th>
          <Table.Th>Status</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {items.map((p) => (
          <Table.Tr key={p.id}>
            <Table.Td>{formatDateTime(p.paidAt)}</Table.Td>
            <Table.Td fw={600}>{formatMoney(p.amountCents)}</Table.Td>
            <Table.Td ff="monospace">{p.reference}</Table.Td>
            <Table.Td>{p.accountReference ?? '—'}</Table.Td>
            <Table.Td>{[p.payerName, p.payerPhone].filter(Boolean).join(' · ') || '—'}</Table.Td>
            <Table.Td>
              <StatusBadge status={p.status} />
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function CustomerPaymentsTab({ customerId }: { customerId: string }) {
  const trpc = useTRPC();
  const query = useQuery(trpc.payments.ofCustomer.queryOptions({ customerId }));
  if (query.isPending) return <PageLoader label="Loading payments…" />;
  if (query.isError) return <Alert color="red">{query.error.message}</Alert>;
  const { payments, unmatchedByPhone } = query.data;
  return (
    <Stack>
      {unmatchedByPhone.length > 0 && (
        <Alert color="orange" icon={<IconAlertTriangle size={18} />} title="Unmatched payments from this customer's phone">
          <Text size="sm" mb="xs">
            These arrived from {unmatchedByPhone[0]?.payerPhone} with an account number that matches nobody. Ask finance to assign them to
            this customer.
          </Text>
          <PaymentRows items={unmatchedByPhone} testId="unmatched-by-phone" />
        </Alert>
      )}
      <Title order={4} fz="sm">
        Payments{' '}
        <Badge variant="light" color="gray">
          read-only
        </Badge>
      </Title>
      {payments.length === 0 ? (
        <EmptyState title="No payments yet" message="Payments by M-Pesa with this account number appear here." />
      ) : (
        <PaymentRows items={payments} testId="customer-payments" />
      )}
    </Stack>
  );
}
