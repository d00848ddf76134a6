/** The signed-in person's account: details, password change, two-step sign-in, and ending every session. */
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Avatar, Badge, Button, Card, Grid, Group, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { PERMISSIONS, changePasswordInput, can as roleCan } from '@netflow/contracts';
import { IconDeviceDesktopOff, IconShieldExclamation, IconShieldLock } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { useCurrentUser } from '../../auth/AuthContext';
import { DetailList } from '../../components/DetailList';
import { FormAlert } from '../../components/FormAlert';
import { PageHeader } from '../../components/PageHeader';
import { applyServerErrors, formParse, notifySuccess } from '../../lib/forms';
import { formatDateTime, humanize, initials } from '../../lib/format';
import { endSession, getSession, startSession } from '../../lib/session';
import { useTRPC } from '../../trpc';
import { TwoStepSignIn } from './TwoStepSignIn';

/** The contract's schema plus a confirmation typed twice (checked here only). */
const passwordForm = changePasswordInput
  .extend({ confirmPassword: z.string() })
  .refine((v) => v.newPassword === v.confirmPassword, { error: 'The two new passwords differ', path: ['confirmPassword'] })
  .refine((v) => v.newPassword !== v.currentPassword, { error: 'Choose a password different from the current one', path: ['newPassword'] });

export default function ProfilePage() {
  const user = useCurrentUser();
  const session = getSession();
  const grants = PERMISSIONS.filter((p) => roleCan(user.role, p));
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions({}));
  const mfaRequired = me.data?.mfaRequired ?? false;
  const mustEnrol = mfaRequired && me.data?.mfaEnabled === false;
  return (
    <>
      <PageHeader title="Profile & security" description="Your account, your password and your sessions." />
      {mustEnrol && (
        <Alert
          color="yellow"
          variant="light"
          mb="lg"
          icon={<IconShieldExclamation size={18} />}
          title="Set up two-step sign-in to continue"
        >
          Your role ({humanize(user.role)}) must use two-step sign-in. Until it is on, only this page is available: set it up below with an
          authenticator app on your phone, then the rest of NetFlow CRM opens.
        </Alert>
      )}
      <Grid gutter="lg">
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Stack gap="lg">
            <Card>
              <Group mb="md" wrap="nowrap">
                <Avatar size={56} radius="xl" color="brand">
                  {initials(user.name)}
                </Avatar>
                <div style={{ minWidth: 0 }}>
                  <Title order={3} fz="lg">
                    {user.name}
                  </Title>
                  <Badge mt={4}>{humanize(user.role)}</Badge>
                </div>
              </Group>
              <DetailList
                items={[
                  { label: 'E-mail', value: user.email },
                  { label: 'Phone', value: user.phone },
                  { label: 'Last sign-in', value: user.lastLoginAt ? formatDateTime(user.lastLoginAt) : null },
                  { label: 'This session ends', value: session ? formatDateTime(session.expiresAt) : null },
                ]}
              />
            </Card>
            <Card>
              <Title order={3} fz="md" mb={4}>
                What your role may do
              </Title>
              <Text size="xs" c="dimmed" mb="sm">
                Set by an administrator.
              </Text>
              <Group gap={6}>
                {grants.map((p) => (
                  <Badge key={p} variant="default" radius="sm" tt="none" fw={500}>
                    {p}
                  </Badge>
                ))}
              </Group>
            </Card>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Stack gap="lg">
            <TwoStepSignIn required={mfaRequired} />
            <ChangePassword />
            <SignOutEverywhere />
          </Stack>
        </Grid.Col>
      </Grid>
    </>
  );
}

function ChangePassword() {
  const trpc = useTRPC();
  const form = useForm({
    resolver: zodResolver(passwordForm, formParse),
    defaultValues: { currentPassword: '', newPassword: '', confirmPassword: '' },
  });
  const { errors } = form.formState;
  const change = useMutation(
    trpc.auth.changePassword.mutationOptions({
      onSuccess: (session) => {
        // The server ended every other session and gave this tab a fresh token.
        startSession({ token: session.token, expiresAt: session.expiresAt });
        form.reset();
        notifySuccess('Every other session has been signed out.', 'Password changed');
      },
      onError: (error) => applyServerErrors(error, form.setError, ['currentPassword', 'newPassword']),
    }),
  );
  return (
    <Card>
      <Group gap="xs" mb="md">
        <IconShieldLock size={20} />
        <Title order={3} fz="md">
          Change password
        </Title>
      </Group>
      <form noValidate onSubmit={form.handleSubmit(({ currentPassword, newPassword }) => change.mutate({ currentPassword, newPassword }))}>
        <Stack>
          <FormAlert errors={errors} />
          <PasswordInput
            label="Current password"
            required
            autoComplete="current-password"
            {...form.register('currentPassword')}
            error={errors.currentPassword?.message}
          />
          <PasswordInput
            label="New password"
            description="8–128 characters. Long passphrases are best; common passwords are refused."
            required
            autoComplete="new-password"
            {...form.register('newPassword')}
            error={errors.newPassword?.message}
          />
          <PasswordInput
            label="Repeat the new password"
            required
            autoComplete="new-password"
            {...form.register('confirmPassword')}
            error={errors.confirmPassword?.message}
          />
          <Group justify="flex-end">
            <Button type="submit" loading={change.isPending}>
              Change password
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

function SignOutEverywhere() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const logout = useMutation(
    trpc.auth.logout.mutationOptions({
      onSettled: () => {
        endSession('signed-out-everywhere');
        queryClient.clear();
      },
    }),
  );
  return (
    <Card>
      <Group gap="xs" mb="xs">
        <IconDeviceDesktopOff size={20} />
        <Title order={3} fz="md">
          Sign out everywhere
        </Title>
      </Group>
      <Text size="sm" c="dimmed" mb="md">
        Ends every session of your account at once: this browser, other computers and phones. Use it if you signed in on a shared device or
        suspect someone knows your password.
      </Text>
      <Group>
        <Button color="red" variant="light" onClick={() => logout.mutate({})} loading={logout.isPending}>
          Sign out on all devices
        </Button>
      </Group>
    </Card>
  );
}
