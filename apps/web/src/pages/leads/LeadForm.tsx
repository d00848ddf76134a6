/** Create or edit a lead; validated by the contracts' lead schema, server field errors on the fields. */
import { Autocomplete, SimpleGrid, TextInput, Textarea } from '@mantine/core';
import { canAssignOthers, leadCreateInput } from '@netflow/contracts';
import { useMutation } from '@tanstack/react-query';
import { Controller } from 'react-hook-form';
import { useCurrentUser } from '../../auth/AuthContext';
import { FormModal, ModalForm, serverErrorsTo, useZodForm } from '../../components/FormModal';
import { AssigneePicker, PlanPicker } from '../../components/pickers';
import { notifySuccess } from '../../lib/forms';
import { invalidates } from '../../lib/invalidation';
import { useTRPC, type RouterOutputs } from '../../trpc';

type Lead = RouterOutputs['leads']['get'];

const FIELDS = ['name', 'phone', 'email', 'address', 'location', 'source', 'planId', 'assigneeId', 'notes'] as const;
const SOURCES = ['Walk-in', 'Referral', 'Phone call', 'Website', 'Facebook', 'WhatsApp', 'Flyer', 'Field agent'];

export function LeadFormModal({
  opened,
  onClose,
  lead,
  onSaved,
}: {
  opened: boolean;
  onClose: () => void;
  lead?: Lead;
  onSaved?: (lead: Lead) => void;
}) {
  return (
    <FormModal opened={opened} onClose={onClose} title={lead ? 'Edit lead' : 'New lead'} size="lg">
      <LeadForm lead={lead} onDone={onClose} onSaved={onSaved} />
    </FormModal>
  );
}

function LeadForm({ lead, onDone, onSaved }: { lead?: Lead; onDone: () => void; onSaved?: (lead: Lead) => void }) {
  const trpc = useTRPC();
  const me = useCurrentUser();
  const form = useZodForm(leadCreateInput, {
    name: lead?.name ?? '',
    phone: lead?.phone ?? '',
    email: lead?.email ?? '',
    address: lead?.address ?? '',
    location: lead?.location ?? '',
    source: lead?.source ?? '',
    planId: lead?.planId ?? null,
    assigneeId: lead?.assigneeId ?? null,
    notes: lead?.notes ?? '',
  });
  const { errors } = form.formState;

  const meta = invalidates('leads');
  const onSuccess = (saved: Lead) => {
    notifySuccess(lead ? 'Lead updated' : `Lead ${saved.name} created`);
    onSaved?.(saved);
    onDone();
  };
  const onError = serverErrorsTo(form, FIELDS);
  const create = useMutation(trpc.leads.create.mutationOptions({ meta, onSuccess, onError }));
  const update = useMutation(trpc.leads.update.mutationOptions({ meta, onSuccess, onError }));

  return (
    <ModalForm
      form={form}
      onSubmit={(values) => {
        if (lead) update.mutate({ id: lead.id, ...values });
        else create.mutate(values);
      }}
      onCancel={onDone}
      submitLabel={lead ? 'Save changes' : 'Create lead'}
      pending={create.isPending || update.isPending}
    >
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextInput label="Name" required data-autofocus {...form.register('name')} error={errors.name?.message} />
        <TextInput label="Phone" required type="tel" placeholder="0712345678" {...form.register('phone')} error={errors.phone?.message} />
        <TextInput label="E-mail" type="email" {...form.register('email')} error={errors.email?.message} />
        <Controller
          control={form.control}
          name="source"
          render={({ field }) => (
            <Autocomplete
              label="Source"
              placeholder="Where did they hear of us?"
              data={SOURCES}
              value={field.value ?? ''}
              onChange={field.onChange}
              onBlur={field.onBlur}
              ref={field.ref}
              error={errors.source?.message}
            />
          )}
        />
        <TextInput label="Address" placeholder="Estate, street, house" {...form.register('address')} error={errors.address?.message} />
        <TextInput label="Location" placeholder="Area or GPS pin" {...form.register('location')} error={errors.location?.message} />
        <Controller
          control={form.control}
          name="planId"
          render={({ field }) => (
            <PlanPicker
              label="Interested in plan"
              value={field.value}
              onChange={field.onChange}
              onBlur={field.onBlur}
              ref={field.ref}
              error={errors.planId?.message}
            />
          )}
        />
        {canAssignOthers(me.role, 'leads') && (
          <Controller
            control={form.control}
            name="assigneeId"
            render={({ field }) => (
              <AssigneePicker
                label="Assigned to"
                work="leads"
                value={field.value}
                onChange={field.onChange}
                onBlur={field.onBlur}
                ref={field.ref}
                error={errors.assigneeId?.message}
              />
            )}
          />
        )}
      </SimpleGrid>
      <Textarea label="Notes" autosize minRows={3} maxRows={8} {...form.register('notes')} error={errors.notes?.message} />
    </ModalForm>
  );
}
