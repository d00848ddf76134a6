import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Anchor, Button, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { MFA_REQUIRED_MESSAGE, loginInput, signInCodeSchema } from '@netflow/contracts';
import { IconAlertCircle, IconInfoCircle } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
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
    resolver: zodResolver(loginInput.omit({ totp: true }), formParse),
    defaultValues: { identifier: '', password: '' },
  });
  // Two-step sign-in: after "MFA required" the password stays in the form and a code is asked for.
  const [codeStep, setCodeStep] = useState(false);
  const [code, setCode] = useState('');
  const [codeError, setCodeError] = useState<string | null>(null);

  const login = useMutation(
    trpc.auth.login.mutationOptions({
      onSuccess: (result) => {
        startSession({ token: result.token, expiresAt: result.expiresAt });
        // auth.me also says whether two-step sign-in is on or required: the app shell loads it.
        queryClient.removeQueries({ queryKey: trpc.auth.me.queryKey({}) });
        void navigate(returnPath(location.state), { replace: true });
      },
      onError: (error) => {
        if (error.message === MFA_REQUIRED_MESSAGE) {
          setCodeStep(true);
          return;
        }
        setCode('');
        if (!codeStep) form.resetField('password', { keepError: false });
      },
    }),
  );

  if (session) return <Navigate to={returnPath(location.state)} replace />;

  const submit = form.handleSubmit((values) => {
    if (!codeStep) {
      login.mutate(values);
      return;
    }
    const parsed = signInCodeSchema.safeParse(code);
    if (!parsed.success) {
      setCodeError(parsed.error.issues[0]?.message ?? 'Enter the 6-digit code or a recovery code');
      return;
    }
    setCodeError(null);
    login.mutate({ ...values, totp: parsed.data });
  });

  const startOver = () => {
    setCodeStep(false);
    setCode('');
    setCodeError(null);
    login.reset();
    form.resetField('password');
  };

  if (codeStep) {
    const wrongCode = login.isError && login.error.message !== MFA_REQUIRED_MESSAGE;
    return (
      <AuthFrame title="Two-step sign-in" subtitle="Enter the 6-digit code from your authenticator app.">
        <form onSubmit={(event) => void submit(event)} noValidate>
          <Stack gap="md">
            {wrongCode && (
              <Alert color="red" variant="light" icon={<IconAlertCircle size={18} />} role="alert">
                {login.error.data?.code === 'UNAUTHORIZED'
                  ? 'That code is not right or was already used. Wait for the next code, or use one of your recovery codes.'
                  : describeError(login.error)}
              </Alert>
            )}
            <TextInput
              label="Code"
              description="Lost your phone? Enter one of your recovery codes instead (each works once)."
              placeholder="123456"
              autoComplete="one-time-code"
              inputMode="text"
              autoFocus
              required
              value={code}
              onChange={(event) => setCode(event.currentTarget.value)}
              error={codeError}
              data-testid="sign-in-code"
            />
            <Button type="submit" fullWidth size="md" loading={login.isPending}>
              Verify and sign in
            </Button>
            <Text size="sm" c="dimmed" ta="center">
              Not you?{' '}
              <Anchor component="button" type="button" size="sm" onClick={startOver}>
                Start over
              </Anchor>
            </Text>
          </Stack>
        </form>
      </AuthFrame>
    );
  }

  return (
    <AuthFrame title="Sign in" subtitle="Use your work e-mail or phone number.">
      <form onSubmit={(event) => void submit(event)} noValidate>
        <Stack gap="md">
          {reason && !login.isError && (
            <Alert color="blue" variant="light" icon={<IconInfoCircle size={18} />} data-testid="sign-out-reason">
              {SIGN_OUT_MESSAGES[reason]}
            </Alert>
          )}
          {login.isError && login.error.message !== MFA_REQUIRED_MESSAGE && (
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
