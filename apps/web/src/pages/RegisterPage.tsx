import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Anchor, Button, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { registerInput } from '@netflow/contracts';
import { IconCircleCheck } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useForm } from 'react-hook-form';
import { Link } from 'react-router';
import { applyServerErrors, emptyAsUndefined, formParse } from '../lib/forms';
import { useTRPC } from '../trpc';
import { AuthFrame } from './AuthFrame';

const FIELDS = ['name', 'email', 'phone', 'password'] as const;

/** Self-service request for a staff account; it stays pending until an administrator activates it. */
export default function RegisterPage() {
  const trpc = useTRPC();
  const form = useForm({
    resolver: zodResolver(registerInput, formParse),
    defaultValues: { name: '', email: '', phone: undefined, password: '' },
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
            Thank you. An administrator will review the request; you can sign in once your account is activated.
          </Alert>
          <Button component={Link} to="/sign-in" variant="light">
            Back to sign-in
          </Button>
        </Stack>
      </AuthFrame>
    );
  }

  return (
    <AuthFrame title="Request an account" subtitle="An administrator activates new accounts and gives them a role.">
      <form onSubmit={form.handleSubmit((values) => register.mutate(values))} noValidate>
        <Stack gap="md">
          {errors.root?.server && (
            <Alert color="red" variant="light" role="alert">
              {errors.root.server.message}
            </Alert>
          )}
          <TextInput label="Full name" autoComplete="name" required {...form.register('name')} error={errors.name?.message} />
          <TextInput label="Work e-mail" type="email" autoComplete="email" required {...form.register('email')} error={errors.email?.message} />
          <TextInput
            label="Phone"
            description="Optional, 10 digits"
            type="tel"
            autoComplete="tel"
            {...form.register('phone', emptyAsUndefined)}
            error={errors.phone?.message}
          />
          <PasswordInput
            label="Password"
            description="8 to 128 characters; avoid common passwords"
            autoComplete="new-password"
            required
            {...form.register('password')}
            error={errors.password?.message}
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
