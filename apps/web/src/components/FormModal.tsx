/**
 * The shape every modal form shares: a Mantine modal whose form is mounted only while open (so it
 * starts fresh each time), react-hook-form with the contract's Zod schema, the server's field errors
 * on their fields and the rest in a FormAlert above them, and Cancel / submit buttons that show the
 * mutation's pending state.
 */
import { zodResolver } from '@hookform/resolvers/zod';
import { Button, Group, Modal, Stack, type ButtonProps, type ModalProps } from '@mantine/core';
import type { ReactNode } from 'react';
import { useForm, type DefaultValues, type FieldValues, type UseFormReturn } from 'react-hook-form';
import type { z } from 'zod';
import { applyServerErrors, formParse } from '../lib/forms';
import { FormAlert } from './FormAlert';

/** A modal holding a form: `children` render only while it is open. */
export function FormModal({
  opened,
  onClose,
  title,
  size,
  children,
}: {
  opened: boolean;
  onClose: () => void;
  title: ReactNode;
  size?: ModalProps['size'];
  children: ReactNode;
}) {
  return (
    <Modal opened={opened} onClose={onClose} title={title} size={size}>
      {opened && children}
    </Modal>
  );
}

/** react-hook-form validated by a contract schema (input and output types from the schema). */
export function useZodForm<S extends z.ZodType<FieldValues, FieldValues>>(schema: S, defaultValues: DefaultValues<z.input<S>>) {
  return useForm<z.input<S>, unknown, z.output<S>>({
    // The resolver's overloads cannot see through the generic schema; the types above are its own.
    resolver: zodResolver(schema as never, formParse) as never,
    defaultValues,
  });
}

/** For a mutation's `onError`: field errors onto `fields`, anything else onto the form's alert. */
export function serverErrorsTo<T extends FieldValues>(form: UseFormReturn<T, unknown, FieldValues>, fields: readonly string[]) {
  return (error: unknown) => {
    applyServerErrors(error, form.setError, fields);
  };
}

/** The form inside a FormModal: alert, fields, Cancel and submit. */
export function ModalForm<TIn extends FieldValues, TOut extends FieldValues>({
  form,
  onSubmit,
  onCancel,
  submitLabel,
  pending,
  submitColor,
  cancelLabel = 'Cancel',
  children,
}: {
  form: UseFormReturn<TIn, unknown, TOut>;
  onSubmit: (values: TOut) => void;
  onCancel: () => void;
  submitLabel: ReactNode;
  pending: boolean;
  submitColor?: ButtonProps['color'];
  cancelLabel?: string;
  children: ReactNode;
}) {
  return (
    <form noValidate onSubmit={form.handleSubmit(onSubmit)}>
      <Stack>
        <FormAlert errors={form.formState.errors} />
        {children}
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            {cancelLabel}
          </Button>
          <Button type="submit" color={submitColor} loading={pending}>
            {submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
