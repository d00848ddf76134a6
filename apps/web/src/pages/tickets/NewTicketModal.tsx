/** Open a support ticket for a customer (from the queue, or preset from a customer's page). */
import { Select, SimpleGrid, TextInput, Textarea } from '@mantine/core';
import { canAssignOthers, TICKET_PRIORITIES, createTicketInput } from '@netflow/contracts';
import { useMutation } from '@tanstack/react-query';
import { Controller, useWatch } from 'react-hook-form';
import { useNavigate } from 'react-router';
import { useCan, useCurrentUser } from '../../auth/AuthContext';
import { FormModal, ModalForm, serverErrorsTo, useZodForm } from '../../components/FormModal';
import { AssigneePicker, CustomerPicker } from '../../components/pickers';
import { notifySuccess } from '../../lib/forms';
import { invalidates } from '../../lib/invalidation';
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
    <FormModal opened={opened} onClose={onClose} title={customer ? `New ticket for ${customer.name}` : 'New ticket'} size="lg">
      <NewTicketForm customer={customer} onClose={onClose} />
    </FormModal>
  );
}

function NewTicketForm({ customer, onClose }: { customer?: { id: string; name: string; accountNumber: string }; onClose: () => void }) {
  const trpc = useTRPC();
  const can = useCan();
  const me = useCurrentUser();
  const navigate = useNavigate();
  const form = useZodForm(createTicketInput, {
    customerId: customer?.id ?? '',
    subject: '',
    description: '',
    priority: 'normal',
    assigneeId: null,
  });
  const watchedCustomerId = useWatch({ control: form.control, name: 'customerId' });
  const { errors } = form.formState;
  const create = useMutation(
    trpc.tickets.create.mutationOptions({
      meta: invalidates('tickets'),
      onSuccess: (ticket) => {
        notifySuccess(ticket.subject, 'Ticket opened');
        onClose();
        if (can('tickets.read')) void navigate(`/tickets/${ticket.id}`);
      },
      onError: serverErrorsTo(form, FIELDS),
    }),
  );
  return (
    <ModalForm
      form={form}
      onSubmit={(values) => create.mutate(values)}
      onCancel={onClose}
      submitLabel="Open ticket"
      pending={create.isPending}
    >
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
    </ModalForm>
  );
}
