/** Create or edit a customer (the account number is assigned by the server and never typed). */
import { zodResolver } from '@hookform/resolvers/zod';
import { Button, Group, Modal, SimpleGrid, Stack, TextInput, Textarea } from '@mantine/core';
import { CUSTOMER_FIELDS, CUSTOMER_NOTES_MAX, customerCreateInput } from '@netflow/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useForm } from 'react-hook-form';
import type { z } from 'zod';
import { FormAlert } from '../../components/FormAlert';
import { applyServerErrors, formParse, notifySuccess } from '../../lib/forms';
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
    <Modal opened={opened} onClose={onClose} title={customer ? 'Edit customer' : 'New customer'} size="lg">
      {opened && <CustomerForm customer={customer} onDone={onClose} onSaved={onSaved} />}
    </Modal>
  );
}

function CustomerForm({ customer, onDone, onSaved }: { customer?: Customer; onDone: () => void; onSaved?: (c: CreatedCustomer) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const form = useForm({
    resolver: zodResolver(customerCreateInput, formParse),
    defaultValues: defaultsOf(customer),
  });
  const { errors } = form.formState;
  const onSuccess = (saved: CreatedCustomer) => {
    void queryClient.invalidateQueries({ queryKey: trpc.customers.pathKey() });
    notifySuccess(customer ? 'Customer updated' : `Account ${saved.accountNumber} opened for ${saved.name}`);
    onSaved?.(saved);
    onDone();
  };
  const onError = (error: unknown) => applyServerErrors(error, form.setError, CUSTOMER_FIELDS);
  const create = useMutation(trpc.customers.create.mutationOptions({ onSuccess, onError }));
  const update = useMutation(trpc.customers.update.mutationOptions({ onSuccess, onError }));

  return (
    <form
      noValidate
      onSubmit={form.handleSubmit((values) => {
        if (customer) update.mutate({ id: customer.id, ...values });
        else create.mutate(values);
      })}
    >
      <Stack>
        <FormAlert errors={errors} />
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
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending || update.isPending}>
            {customer ? 'Save changes' : 'Create customer'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
