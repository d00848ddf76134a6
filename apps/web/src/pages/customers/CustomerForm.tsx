/** Create or edit a customer (the account number is assigned by the server and never typed). */
import { SimpleGrid, TextInput, Textarea } from '@mantine/core';
import { CUSTOMER_FIELDS, CUSTOMER_NOTES_MAX, customerCreateInput } from '@netflow/contracts';
import { useMutation } from '@tanstack/react-query';
import type { z } from 'zod';
import { FormModal, ModalForm, serverErrorsTo, useZodForm } from '../../components/FormModal';
import { notifySuccess } from '../../lib/forms';
import { invalidates } from '../../lib/invalidation';
import { useTRPC, type RouterOutputs } from '../../trpc';

type Customer = RouterOutputs['customers']['get'];
type CreatedCustomer = RouterOutputs['customers']['create'];
/**
 * Every field of the contract, none optional: a field added to the contract fails to compile here
 * until the form has a default (and so an input) for it.
 */
type CustomerFormValues = Required<z.input<typeof customerCreateInput>>;

function defaultsOf(customer?: Customer): CustomerFormValues {
  return {
    name: customer?.name ?? '',
    phone: customer?.phone ?? '',
    email: customer?.email ?? '',
    address: customer?.address ?? '',
    location: customer?.location ?? '',
    notes: customer?.notes ?? '',
  };
}

export function CustomerFormModal({
  opened,
  onClose,
  customer,
  onSaved,
}: {
  opened: boolean;
  onClose: () => void;
  customer?: Customer;
  onSaved?: (customer: CreatedCustomer) => void;
}) {
  return (
    <FormModal opened={opened} onClose={onClose} title={customer ? 'Edit customer' : 'New customer'} size="lg">
      <CustomerForm customer={customer} onDone={onClose} onSaved={onSaved} />
    </FormModal>
  );
}

function CustomerForm({ customer, onDone, onSaved }: { customer?: Customer; onDone: () => void; onSaved?: (c: CreatedCustomer) => void }) {
  const trpc = useTRPC();
  const form = useZodForm(customerCreateInput, defaultsOf(customer));
  const { errors } = form.formState;
  const meta = invalidates('customers');
  const onSuccess = (saved: CreatedCustomer) => {
    notifySuccess(customer ? 'Customer updated' : `Account ${saved.accountNumber} opened for ${saved.name}`);
    onSaved?.(saved);
    onDone();
  };
  const onError = serverErrorsTo(form, CUSTOMER_FIELDS);
  const create = useMutation(trpc.customers.create.mutationOptions({ meta, onSuccess, onError }));
  const update = useMutation(trpc.customers.update.mutationOptions({ meta, onSuccess, onError }));

  return (
    <ModalForm
      form={form}
      onSubmit={(values) => {
        if (customer) update.mutate({ id: customer.id, ...values });
        else create.mutate(values);
      }}
      onCancel={onDone}
      submitLabel={customer ? 'Save changes' : 'Create customer'}
      pending={create.isPending || update.isPending}
    >
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextInput label="Name" required data-autofocus {...form.register('name')} error={errors.name?.message} />
        <TextInput label="Phone" required type="tel" placeholder="0712345678" {...form.register('phone')} error={errors.phone?.message} />
        <TextInput label="E-mail" type="email" {...form.register('email')} error={errors.email?.message} />
        <TextInput label="Address" {...form.register('address')} error={errors.address?.message} />
        <TextInput label="Location" placeholder="Area or GPS pin" {...form.register('location')} error={errors.location?.message} />
      </SimpleGrid>
      <Textarea
        label="Notes"
        description="For staff: access instructions, preferred contact times …"
        autosize
        minRows={2}
        maxRows={8}
        maxLength={CUSTOMER_NOTES_MAX}
        {...form.register('notes')}
        error={errors.notes?.message}
      />
    </ModalForm>
  );
}
