import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Anchor, Button, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { loginInput } from '@netflow/contracts';
import { IconAlertCircle, IconInfoCircle } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useForm } from 'react-hook-form';
import { Link, Navigate, useLocation, useNavigate } from 'react-router';
import { useSession } from '../auth/AuthContext';
import { describeError } from '../components/states';
import { formParse } from '../lib/forms';
import { SIGN_OUT_MESSAGES, peekSignOutReason, startSession } from '../lib/session';
import { useTRPC } from '../trpc';
import { AuthFrame } from './AuthFrame';

function returnPath(state: unknown): string {
  if (
    state &&
    typeof state === 'object' &&
    'from' in state &&
    typeof state.from === 'string' &&
    state.from.startsWith('/') &&
    !state.from.startsWith('//')
  ) {
    return state.from === '/sign-in' ? '/' : state.from;
  }
  return '/';
}

export default function SignInPage() {
  const session = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const reason = peekSignOutReason();

  const form = useForm({
    resolver: zodResolver(loginInput, formParse),
    defaultValues: { identifier: '', password: '' },
  });

  const login = useMutation(
    trpc.auth.login.mutationOptions({
      onSuccess: (result) => {
        startSession({ token: result.token, expiresAt: result.expiresAt });
        queryClient.setQueryData(trpc.auth.me.queryKey({}), { user: result.user });
        void navigate(returnPath(location.state), { replace: true });
      },
      onError: () => form.resetField('password', { keepError: false }),
    }),
  );

  if (session) return <Navigate to={returnPath(location.state)} replace />;

  return (
    <AuthFrame title="Sign in" subtitle="Use your work e-mail or phone number.">
      <form onSubmit={form.handleSubmit((values) => login.mutate(values))} noValidate>
        <Stack gap="md">
          {reason && !login.isError && (
            <Alert color="blue" variant="light" icon={<IconInfoCircle size={18} />} data-testid="sign-out-reason">
              {SIGN_OUT_MESSAGES[reason]}
            </Alert>
          )}
          {login.isError && (
            <Alert color="red" variant="light" icon={<IconAlertCircle size={18} />} role="alert">
              {login.error.data?.code === 'UNAUTHORIZED'
                ? 'The e-mail/phone or password is not right, or the account is not active yet.'
                : describeError(login.error)}
            </Alert>
          )}
          <TextInput
            label="E-mail or phone"
            placeholder="you@example.co.ke or 0712345678"
            autoComplete="username"
            autoFocus
            required
            {...form.register('identifier')}
            error={form.formState.errors.identifier?.message}
          />
          <PasswordInput
            label="Password"
            autoComplete="current-password"
            required
            {...form.register('password')}
            error={form.formState.errors.password?.message}
          />
          <Button type="submit" fullWidth size="md" loading={login.isPending}>
            Sign in
          </Button>
          <Text size="sm" c="dimmed" ta="center">
            New to the team?{' '}
            <Anchor component={Link} to="/register" size="sm">
              Request an account
            </Anchor>
          </Text>
          <Text size="sm" c="dimmed" ta="center">
            Got an activation code?{' '}
            <Anchor component={Link} to="/activate" size="sm">
              Activate your account
            </Anchor>
          </Text>
        </Stack>
      </form>
    </AuthFrame>
  );
}
