import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Anchor, Button, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { activateInput } from '@netflow/contracts';
import { IconCircleCheck } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useForm } from 'react-hook-form';
import { Link, useSearchParams } from 'react-router';
import { applyServerErrors, formParse } from '../lib/forms';
import { useTRPC } from '../trpc';
import { AuthFrame } from './AuthFrame';

const FIELDS = ['email', 'code', 'password'] as const;

/**
 * Public: the person an administrator approved sets their own password with the one-time
 * activation code the administrator gave them. `?email=` fills the e-mail in (never the code).
 */
export default function ActivatePage() {
  const trpc = useTRPC();
  const [params] = useSearchParams();
  const form = useForm({
    resolver: zodResolver(activateInput, formParse),
    defaultValues: { email: params.get('email') ?? '', code: '', password: '' },
  });
  const activate = useMutation(
    trpc.auth.activate.mutationOptions({
      onError: (error) => {
        form.resetField('password', { keepError: false });
        applyServerErrors(error, form.setError, FIELDS);
      },
    }),
  );
  const { errors } = form.formState;

  if (activate.isSuccess) {
    return (
      <AuthFrame title="Account activated">
        <Stack>
          <Alert color="teal" variant="light" icon={<IconCircleCheck size={18} />}>
            {activate.data.message}
          </Alert>
          <Button component={Link} to="/sign-in" fullWidth>
            Sign in
          </Button>
        </Stack>
      </AuthFrame>
    );
  }

  return (
    <AuthFrame title="Activate your account" subtitle="Enter the activation code your administrator gave you and choose your password.">
      <form onSubmit={form.handleSubmit((values) => activate.mutate(values))} noValidate>
        <Stack gap="md">
          {errors.root?.server && (
            <Alert color="red" variant="light" role="alert">
              {errors.root.server.message}
            </Alert>
          )}
          <TextInput
            label="Work e-mail"
            type="email"
            autoComplete="username"
            required
            {...form.register('email')}
            error={errors.email?.message}
          />
          <TextInput
            label="Activation code"
            placeholder="XXXX-XXXX-XXXX-XXXX"
            autoComplete="one-time-code"
            autoCapitalize="characters"
            spellCheck={false}
            required
            {...form.register('code')}
            error={errors.code?.message}
          />
          <PasswordInput
            label="New password"
            description="8 to 128 characters; not a common password, not your e-mail or name"
            autoComplete="new-password"
            required
            {...form.register('password')}
            error={errors.password?.message}
          />
          <Button type="submit" fullWidth loading={activate.isPending}>
            Activate account
          </Button>
          <Text size="sm" c="dimmed" ta="center">
            Already active?{' '}
            <Anchor component={Link} to="/sign-in" size="sm">
              Sign in
            </Anchor>
          </Text>
        </Stack>
      </form>
    </AuthFrame>
  );
}
