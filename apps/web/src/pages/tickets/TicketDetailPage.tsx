/** One ticket: the conversation, and the status, priority and assignee controls of the queue. */
import { zodResolver } from '@hookform/resolvers/zod';
import { Anchor, Avatar, Button, Card, Grid, Group, Paper, Select, Stack, Text, Textarea, Title } from '@mantine/core';
import { canAssignOthers, TICKET_PRIORITIES, TICKET_TRANSITIONS, addTicketCommentInput, type TicketStatus } from '@netflow/contracts';
import { IconUserCheck } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useForm } from 'react-hook-form';
import { Link, useParams } from 'react-router';
import { useCan, useCurrentUser } from '../../auth/AuthContext';
import { DetailError } from '../../components/DetailError';
import { DetailList } from '../../components/DetailList';
import { FormAlert } from '../../components/FormAlert';
import { PageHeader } from '../../components/PageHeader';
import { AssigneePicker } from '../../components/pickers';
import { PriorityBadge, StatusBadge } from '../../components/StatusBadge';
import { EmptyState, PageLoader } from '../../components/states';
import { applyServerErrors, formParse, notifyError, notifySuccess } from '../../lib/forms';
import { formatDateTime, formatRelative, humanize, initials, ticketNumber } from '../../lib/format';
import { invalidates } from '../../lib/invalidation';
import { useTRPC, type RouterInputs, type RouterOutputs } from '../../trpc';

type Ticket = RouterOutputs['tickets']['get'];

const STATUS_ACTIONS: Record<TicketStatus, string> = {
  new: 'Reopen',
  open: 'Start work',
  pending: 'Wait on customer',
  resolved: 'Mark resolved',
  closed: 'Close',
};

export default function TicketDetailPage() {
  const { id = '' } = useParams();
  const trpc = useTRPC();
  const ticket = useQuery(trpc.tickets.get.queryOptions({ id }));
  if (ticket.isPending) return <PageLoader label="Loading the ticket…" />;
  if (ticket.isError) return <DetailError error={ticket.error} what="ticket" onRetry={() => void ticket.refetch()} />;
  return <TicketDetail ticket={ticket.data} />;
}

function TicketDetail({ ticket }: { ticket: Ticket }) {
  const trpc = useTRPC();
  const can = useCan();
  const me = useCurrentUser();
  const queryClient = useQueryClient();
  // A closed ticket is final; it can be read but no longer changed.
  const updatable = can('tickets.update') && ticket.status !== 'closed';
  const update = useMutation(
    trpc.tickets.update.mutationOptions({
      onMutate: async (vars) => {
        // Optimistic: the ticket shows its new status/priority/assignee at once.
        const key = trpc.tickets.get.queryKey({ id: ticket.id });
        await queryClient.cancelQueries({ queryKey: key });
        const previous = queryClient.getQueryData<Ticket>(key);
        if (previous) {
          queryClient.setQueryData<Ticket>(key, {
            ...previous,
            ...(vars.status ? { status: vars.status } : {}),
            ...(vars.priority ? { priority: vars.priority } : {}),
          });
        }
        return { previous, key };
      },
      onError: (error, _vars, context) => {
        if (context?.previous) queryClient.setQueryData(context.key, context.previous);
        notifyError(error, 'The ticket was not changed');
      },
      // After a failure the optimistic change was rolled back: re-read what the server holds.
      onSettled: (_data, error) => {
        if (error) void queryClient.invalidateQueries(trpc.tickets.pathFilter());
      },
      meta: invalidates('tickets'),
      onSuccess: () => notifySuccess('Ticket updated'),
    }),
  );
  const change = (patch: Omit<RouterInputs['tickets']['update'], 'id'>) => update.mutate({ id: ticket.id, ...patch });
  const customer = useQuery({ ...trpc.customers.get.queryOptions({ id: ticket.customerId }), enabled: can('customers.read') });
  const nextStatuses = TICKET_TRANSITIONS[ticket.status];

  return (
    <>
      <PageHeader
        crumbs={[{ label: 'Tickets', to: '/tickets' }, { label: ticket.subject }]}
        title={ticket.subject}
        badge={<StatusBadge status={ticket.status} size="lg" data-testid="ticket-status" />}
        description={`Opened ${formatDateTime(ticket.createdAt)} · updated ${formatRelative(ticket.updatedAt)}`}
        actions={
          updatable &&
          nextStatuses.map((s) => (
            <Button
              key={s}
              variant={s === 'resolved' ? 'filled' : 'default'}
              color={s === 'resolved' ? 'teal' : undefined}
              onClick={() => change({ status: s })}
              disabled={update.isPending}
            >
              {STATUS_ACTIONS[s]}
            </Button>
          ))
        }
      />
      <Grid gutter="lg">
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Stack gap="lg">
            <Card>
              <Title order={3} fz="md" mb="xs">
                Description
              </Title>
              {ticket.description ? (
                <Text size="sm" className="nf-timeline-body">
                  {ticket.description}
                </Text>
              ) : (
                <Text size="sm" c="dimmed">
                  No description.
                </Text>
              )}
            </Card>
            <Card>
              <Title order={3} fz="md" mb="md">
                Conversation
              </Title>
              <Stack gap="sm">
                {ticket.comments.length === 0 ? (
                  <EmptyState title="No comments yet" message="Notes to the team and updates on the work go here." />
                ) : (
                  ticket.comments.map((c) => (
                    <Group key={c.id} align="flex-start" wrap="nowrap" gap="sm">
                      <Avatar radius="xl" size={32} color={c.authorId === me.id ? 'brand' : 'gray'}>
                        {initials(c.authorName ?? '?')}
                      </Avatar>
                      <Paper withBorder p="sm" radius="md" style={{ flex: 1 }} bg={c.authorId === me.id ? 'brand.0' : undefined}>
                        <Group gap={6} mb={4}>
                          <Text size="sm" fw={600}>
                            {c.authorName ?? 'System'}
                          </Text>
                          <Text size="xs" c="dimmed" title={formatDateTime(c.createdAt)}>
                            {formatRelative(c.createdAt)}
                          </Text>
                        </Group>
                        <Text size="sm" className="nf-timeline-body">
                          {c.body}
                        </Text>
                      </Paper>
                    </Group>
                  ))
                )}
                {can('tickets.comment') && ticket.status !== 'closed' && <CommentForm ticketId={ticket.id} />}
              </Stack>
            </Card>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Stack gap="lg">
            <Card>
              <Title order={3} fz="md" mb="md">
                Handling
              </Title>
              <Stack gap="sm">
                {updatable ? (
                  <Select
                    label="Priority"
                    allowDeselect={false}
                    data={TICKET_PRIORITIES.map((p) => ({ value: p, label: humanize(p) }))}
                    value={ticket.priority}
                    onChange={(v) => v && v !== ticket.priority && change({ priority: v as (typeof TICKET_PRIORITIES)[number] })}
                  />
                ) : (
                  <DetailList items={[{ label: 'Priority', value: <PriorityBadge priority={ticket.priority} /> }]} />
                )}
                {updatable && canAssignOthers(me.role, 'tickets') ? (
                  <AssigneePicker
                    label="Assigned to"
                    work="tickets"
                    value={ticket.assigneeId}
                    onChange={(v) => v !== ticket.assigneeId && change({ assigneeId: v })}
                  />
                ) : (
                  <DetailList items={[{ label: 'Assigned to', value: ticket.assigneeName ?? 'Unassigned' }]} />
                )}
                {updatable && ticket.assigneeId !== me.id && (
                  <Button
                    variant="light"
                    leftSection={<IconUserCheck size={16} />}
                    onClick={() => change({ assigneeId: me.id })}
                    disabled={update.isPending}
                  >
                    Assign to me
                  </Button>
                )}
              </Stack>
            </Card>
            <Card>
              <Title order={3} fz="md" mb="md">
                Customer
              </Title>
              <DetailList
                items={[
                  {
                    label: 'Ticket',
                    value: (
                      <Text ff="monospace" size="sm" data-testid="ticket-number">
                        {ticketNumber(ticket.id)}
                      </Text>
                    ),
                  },
                  {
                    label: 'Name',
                    value: can('customers.read') ? (
                      <Anchor component={Link} to={`/customers/${ticket.customerId}`} size="sm">
                        {ticket.customerName}
                      </Anchor>
                    ) : (
                      ticket.customerName
                    ),
                  },
                  {
                    label: 'Account',
                    value: (
                      <Text ff="monospace" size="sm">
                        {ticket.accountNumber}
                      </Text>
                    ),
                  },
                  // Staff call the customer back from here; the phone comes with the customer record.
                  {
                    label: 'Phone',
                    value: customer.data?.phone && (
                      <Anchor href={`tel:${customer.data.phone}`} size="sm" data-testid="ticket-customer-phone">
                        {customer.data.phone}
                      </Anchor>
                    ),
                  },
                  { label: 'Resolved', value: ticket.resolvedAt ? formatDateTime(ticket.resolvedAt) : null },
                ]}
              />
            </Card>
          </Stack>
        </Grid.Col>
      </Grid>
    </>
  );
}

function CommentForm({ ticketId }: { ticketId: string }) {
  const trpc = useTRPC();
  const form = useForm({ resolver: zodResolver(addTicketCommentInput, formParse), defaultValues: { id: ticketId, body: '' } });
  const { errors } = form.formState;
  const add = useMutation(
    trpc.tickets.addComment.mutationOptions({
      meta: invalidates('tickets'),
      onSuccess: () => form.reset({ id: ticketId, body: '' }),
      onError: (error) => applyServerErrors(error, form.setError, ['body']),
    }),
  );
  return (
    <form noValidate onSubmit={form.handleSubmit((v) => add.mutate(v))}>
      <Stack gap="xs" mt="sm">
        <FormAlert errors={errors} />
        <Textarea
          label="Add a comment"
          placeholder="What did you find or do?"
          autosize
          minRows={2}
          maxRows={8}
          {...form.register('body')}
          error={errors.body?.message}
        />
        <Group justify="flex-end">
          <Button type="submit" size="sm" loading={add.isPending}>
            Comment
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
