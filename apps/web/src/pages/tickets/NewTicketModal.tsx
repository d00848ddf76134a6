/** Open a support ticket for a customer (from the queue, or preset from a customer's page). */
import { zodResolver } from '@hookform/resolvers/zod';
import { Button, Group, Modal, Select, SimpleGrid, Stack, TextInput, Textarea } from '@mantine/core';
import { canAssignOthers, TICKET_PRIORITIES, createTicketInput } from '@netflow/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Controller, useForm, useWatch } from 'react-hook-form';
import { useNavigate } from 'react-router';
import { useCan, useCurrentUser } from '../../auth/AuthContext';
import { FormAlert } from '../../components/FormAlert';
import { AssigneePicker, CustomerPicker } from '../../components/pickers';
import { applyServerErrors, formParse, notifySuccess } from '../../lib/forms';
import { humanize } from '../../lib/format';
import { useTRPC } from '../../trpc';
import { OpenTicketWarning } from './OpenTicketWarning';

const FIELDS = ['customerId', 'subject', 'description', 'priority', 'assigneeId'] as const;

export function NewTicketModal({
  opened,
  onClose,
  customer,
}: {
  opened: boolean;
  onClose: () => void;
  customer?: { id: string; name: string; accountNumber: string };
}) {
  return (
    <Modal opened={opened} onClose={onClose} title={customer ? `New ticket for ${customer.name}` : 'New ticket'} size="lg">
      {opened && <NewTicketForm customer={customer} onClose={onClose} />}
    </Modal>
  );
}

function NewTicketForm({ customer, onClose }: { customer?: { id: string; name: string; accountNumber: string }; onClose: () => void }) {
  const trpc = useTRPC();
  const can = useCan();
  const me = useCurrentUser();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const form = useForm({
    resolver: zodResolver(createTicketInput, formParse),
    defaultValues: { customerId: customer?.id ?? '', subject: '', description: '', priority: 'normal' as const, assigneeId: null },
  });
  const watchedCustomerId = useWatch({ control: form.control, name: 'customerId' });
  const { errors } = form.formState;
  const create = useMutation(
    trpc.tickets.create.mutationOptions({
      onSuccess: (ticket) => {
        void queryClient.invalidateQueries({ queryKey: trpc.tickets.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.customers.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.dashboard.pathKey() });
        notifySuccess(ticket.subject, 'Ticket opened');
        onClose();
        if (can('tickets.read')) void navigate(`/tickets/${ticket.id}`);
      },
      onError: (error) => applyServerErrors(error, form.setError, FIELDS),
    }),
  );
  return (
    <form noValidate onSubmit={form.handleSubmit((values) => create.mutate(values))}>
      <Stack>
        <FormAlert errors={errors} />
        <OpenTicketWarning customerId={watchedCustomerId} />
        {!customer && (
          <Controller
            control={form.control}
            name="customerId"
            render={({ field }) => (
              <CustomerPicker
                label="Customer"
                required
                value={field.value || null}
                onChange={(v) => field.onChange(v ?? '')}
                ref={field.ref}
                error={errors.customerId?.message}
              />
            )}
          />
        )}
        <TextInput
          label="Subject"
          required
          data-autofocus
          placeholder="e.g. No internet since morning"
          {...form.register('subject')}
          error={errors.subject?.message}
        />
        <Textarea
          label="Description"
          autosize
          minRows={3}
          maxRows={10}
          {...form.register('description')}
          error={errors.description?.message}
        />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Controller
            control={form.control}
            name="priority"
            render={({ field }) => (
              <Select
                label="Priority"
                allowDeselect={false}
                data={TICKET_PRIORITIES.map((p) => ({ value: p, label: humanize(p) }))}
                value={field.value ?? 'normal'}
                onChange={(v) => field.onChange(v ?? 'normal')}
                ref={field.ref}
              />
            )}
          />
          {canAssignOthers(me.role, 'tickets') && (
            <Controller
              control={form.control}
              name="assigneeId"
              render={({ field }) => (
                <AssigneePicker
                  label="Assign to"
                  work="tickets"
                  value={field.value}
                  onChange={field.onChange}
                  ref={field.ref}
                  error={errors.assigneeId?.message}
                />
              )}
            />
          )}
        </SimpleGrid>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending}>
            Open ticket
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
