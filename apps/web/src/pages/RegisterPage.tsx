import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Anchor, Button, Stack, Text, TextInput } from '@mantine/core';
import { registerInput } from '@netflow/contracts';
import { IconCircleCheck } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useForm } from 'react-hook-form';
import { Link } from 'react-router';
import { applyServerErrors, emptyAsUndefined, formParse } from '../lib/forms';
import { useTRPC } from '../trpc';
import { AuthFrame } from './AuthFrame';

const FIELDS = ['name', 'email', 'phone'] as const;

/**
 * Self-service request for a staff account. No password here: whoever fills this in is not yet
 * known to anyone, so the password is set later with the activation code an administrator hands
 * to the person they approved (at /activate).
 */
export default function RegisterPage() {
  const trpc = useTRPC();
  const form = useForm({
    resolver: zodResolver(registerInput, formParse),
    defaultValues: { name: '', email: '', phone: undefined },
  });
  const register = useMutation(
    trpc.auth.register.mutationOptions({
      onError: (error) => applyServerErrors(error, form.setError, FIELDS),
    }),
  );
  const { errors } = form.formState;

  if (register.isSuccess) {
    return (
      <AuthFrame title="Request sent">
        <Stack>
          <Alert color="teal" variant="light" icon={<IconCircleCheck size={18} />}>
            Thank you. An administrator will review the request. Once it is approved, they give you an activation code, with which you set
            your password.
          </Alert>
          <Button component={Link} to="/activate" variant="light">
            I have an activation code
          </Button>
          <Button component={Link} to="/sign-in" variant="subtle">
            Back to sign-in
          </Button>
        </Stack>
      </AuthFrame>
    );
  }

  return (
    <AuthFrame
      title="Request an account"
      subtitle="An administrator approves new accounts, gives them a role and hands you an activation code."
    >
      <form onSubmit={form.handleSubmit((values) => register.mutate(values))} noValidate>
        <Stack gap="md">
          {errors.root?.server && (
            <Alert color="red" variant="light" role="alert">
              {errors.root.server.message}
            </Alert>
          )}
          <TextInput label="Full name" autoComplete="name" required {...form.register('name')} error={errors.name?.message} />
          <TextInput
            label="Work e-mail"
            type="email"
            autoComplete="email"
            required
            {...form.register('email')}
            error={errors.email?.message}
          />
          <TextInput
            label="Phone"
            description="Optional, 10 digits"
            type="tel"
            autoComplete="tel"
            {...form.register('phone', emptyAsUndefined)}
            error={errors.phone?.message}
          />
          <Button type="submit" fullWidth loading={register.isPending}>
            Send request
          </Button>
          <Text size="sm" c="dimmed" ta="center">
            Already have an account?{' '}
            <Anchor component={Link} to="/sign-in" size="sm">
              Sign in
            </Anchor>
          </Text>
        </Stack>
      </form>
    </AuthFrame>
  );
}
