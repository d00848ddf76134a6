/**
 * Staff accounts. Admins create them, approve account requests (which issues a one-time activation
 * code, shown once, that the person uses at /activate to set their own password), change roles,
 * disable and reset others' passwords.
 */
import {
  ActionIcon,
  Alert,
  Anchor,
  Avatar,
  Badge,
  Button,
  Checkbox,
  Code,
  CopyButton,
  Group,
  Menu,
  Modal,
  PasswordInput,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { PENDING_REQUEST_CONFLICT_PREFIX, ROLES, USER_STATUSES, createUserInput, type Role } from '@netflow/contracts';
import {
  IconCheck,
  IconCopy,
  IconDots,
  IconKey,
  IconLock,
  IconPlus,
  IconUserCheck,
  IconUserOff,
  IconUsersGroup,
} from '@tabler/icons-react';
import { useMutation, useQuery } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import { Controller } from 'react-hook-form';
import { useCan, useCurrentUser } from '../../auth/AuthContext';
import { DataTable } from '../../components/DataTable';
import { useConfirm } from '../../components/ConfirmDialog';
import { FormModal, ModalForm, useZodForm } from '../../components/FormModal';
import { ListToolbar } from '../../components/ListToolbar';
import { PageHeader } from '../../components/PageHeader';
import { StatusBadge } from '../../components/StatusBadge';
import { EmptyState } from '../../components/states';
import { applyServerErrors, emptyAsUndefined, notifyError, notifySuccess } from '../../lib/forms';
import { invalidates } from '../../lib/invalidation';
import { formatDate, formatRelative, humanize, initials } from '../../lib/format';
import { useListPage } from '../../lib/useListPage';
import { oneOf } from '../../lib/useUrlState';
import { useTRPC, type RouterInputs, type RouterOutputs } from '../../trpc';
import { ResetMfaAction } from './ResetMfaAction';

type StaffUser = RouterOutputs['users']['list']['items'][number];

const ROLE_HINTS: Record<Role, string> = {
  admin: 'Everything, including staff and settings',
  manager: 'Everything except managing staff',
  sales: 'Own leads, customers, new subscriptions',
  support: 'Tickets, read customers and leads',
  technician: 'Assigned tickets, provisioning',
  finance: 'Payments, suspend and restore',
};

export default function UsersPage() {
  const trpc = useTRPC();
  const can = useCan();
  const me = useCurrentUser();
  const manage = can('users.manage');
  const [createOpen, createModal] = useDisclosure(false);
  const [resetting, setResetting] = useState<StaffUser | null>(null);
  const [approving, setApproving] = useState<StaffUser | null>(null);
  const { setUrl, filters, tableProps, searchProps } = useListPage({
    keys: ['search', 'status', 'role'] as const,
    filters: (url) => ({ search: url.search || undefined, status: oneOf(url.status, USER_STATUSES), role: oneOf(url.role, ROLES) }),
    query: (input) => trpc.users.list.queryOptions(input),
  });
  const pending = useQuery(trpc.users.list.queryOptions({ status: 'pending', limit: 100 }));
  const update = useMutation(
    trpc.users.update.mutationOptions({
      meta: invalidates('users'),
      onSuccess: (u) => {
        notifySuccess(`${u.name}: ${humanize(u.role)}, ${u.status}`);
      },
      onError: (error) => notifyError(error, 'The account was not changed'),
    }),
  );
  const change = (patch: RouterInputs['users']['update']) => update.mutate(patch);
  const [confirm, confirmDialog] = useConfirm();

  const columns = useMemo<ColumnDef<StaffUser>[]>(
    () => [
      {
        id: 'name',
        header: 'Name',
        cell: ({ row }) => (
          <Group gap="sm" wrap="nowrap">
            <Avatar radius="xl" size={32} color="brand">
              {initials(row.original.name)}
            </Avatar>
            <Stack gap={0} style={{ minWidth: 0 }}>
              <Text size="sm" fw={600}>
                {row.original.name}
                {row.original.id === me.id && (
                  <Text span size="xs" c="dimmed">
                    {' '}
                    (you)
                  </Text>
                )}
              </Text>
              <Text size="xs" c="dimmed">
                {row.original.email}
                {row.original.phone ? ` · ${row.original.phone}` : ''}
              </Text>
            </Stack>
          </Group>
        ),
      },
      {
        id: 'role',
        header: 'Role',
        cell: ({ row }) =>
          manage && row.original.id !== me.id ? (
            <Select
              aria-label={`Role of ${row.original.name}`}
              size="xs"
              w={140}
              allowDeselect={false}
              data={ROLES.map((r) => ({ value: r, label: humanize(r) }))}
              value={row.original.role}
              onChange={(role) => {
                if (!role || role === row.original.role) return;
                const u = row.original;
                confirm({
                  title: `Change the role of ${u.name}?`,
                  message: (
                    <>
                      {u.name} becomes <strong>{humanize(role)}</strong> ({ROLE_HINTS[role as Role].toLowerCase()}) instead of{' '}
                      {humanize(u.role)}. Their sessions continue with the new role.
                    </>
                  ),
                  confirmLabel: `Make ${humanize(role).toLowerCase()}`,
                  onConfirm: () => change({ id: u.id, role: role as Role }),
                });
              }}
              disabled={update.isPending}
            />
          ) : (
            <Text size="sm">{humanize(row.original.role)}</Text>
          ),
      },
      {
        id: 'status',
        header: 'Status',
        cell: ({ row }) => (
          <Group gap={6} wrap="nowrap">
            <StatusBadge status={row.original.status} />
            {row.original.activationExpiresAt && (
              <Tooltip
                label={`Approved: waiting for the person to set a password with the activation code (until ${formatDate(row.original.activationExpiresAt)})`}
              >
                <Badge size="sm" variant="outline" color={Date.parse(row.original.activationExpiresAt) > Date.now() ? 'blue' : 'gray'}>
                  {Date.parse(row.original.activationExpiresAt) > Date.now() ? 'Code issued' : 'Code expired'}
                </Badge>
              </Tooltip>
            )}
            {row.original.lockedUntil && Date.parse(row.original.lockedUntil) > Date.now() && (
              <Tooltip
                label={`${row.original.failedLoginCount} failed sign-ins since the last success: sign-in from some networks refused until ${formatDate(row.original.lockedUntil)}`}
              >
                <IconLock size={16} color="var(--mantine-color-red-6)" aria-label="Sign-in locked" />
              </Tooltip>
            )}
          </Group>
        ),
      },
      {
        id: 'lastLogin',
        header: 'Last sign-in',
        cell: ({ row }) => (row.original.lastLoginAt ? formatRelative(row.original.lastLoginAt) : 'Never'),
      },
      { id: 'createdAt', header: 'Joined', cell: ({ row }) => formatDate(row.original.createdAt) },
      {
        id: 'actions',
        header: '',
        cell: ({ row }) => {
          const u = row.original;
          if (!manage) return null;
          return (
            <Group justify="flex-end" gap={4} wrap="nowrap">
              {u.status === 'pending' && (
                <Button
                  size="compact-sm"
                  variant="light"
                  color="teal"
                  leftSection={<IconUserCheck size={14} />}
                  onClick={() => setApproving(u)}
                >
                  {u.activationExpiresAt ? 'New code' : 'Approve'}
                </Button>
              )}
              {u.id !== me.id && u.mfaEnabled && <ResetMfaAction user={u} />}
              <Menu position="bottom-end" withinPortal>
                <Menu.Target>
                  <ActionIcon variant="subtle" color="gray" aria-label={`More actions for ${u.name}`}>
                    <IconDots size={16} />
                  </ActionIcon>
                </Menu.Target>
                <Menu.Dropdown>
                  {/* One's own password is changed under Profile, with the current one. */}
                  {u.id !== me.id && u.status !== 'pending' && (
                    <Menu.Item leftSection={<IconKey size={14} />} onClick={() => setResetting(u)}>
                      Reset password
                    </Menu.Item>
                  )}
                  {u.id !== me.id && u.status !== 'disabled' && (
                    <Menu.Item color="red" leftSection={<IconUserOff size={14} />} onClick={() => change({ id: u.id, status: 'disabled' })}>
                      Disable account
                    </Menu.Item>
                  )}
                  {u.status === 'disabled' && (
                    <Menu.Item leftSection={<IconUserCheck size={14} />} onClick={() => change({ id: u.id, status: 'active' })}>
                      Enable account
                    </Menu.Item>
                  )}
                </Menu.Dropdown>
              </Menu>
            </Group>
          );
        },
      },
    ],
    // `change` only calls the mutation; re-create the columns when its pending state flips.
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `change` is a new function every render
    [manage, me.id, update.isPending, confirm],
  );

  const pendingCount = pending.data?.items.length ?? 0;

  return (
    <>
      <PageHeader
        title="Users"
        description="Staff accounts and what each role may do."
        actions={
          manage && (
            <Button leftSection={<IconPlus size={16} />} onClick={createModal.open}>
              New user
            </Button>
          )
        }
      />
      {manage && pendingCount > 0 && filters.status !== 'pending' && (
        <Alert color="yellow" variant="light" mb="md" icon={<IconUserCheck size={18} />}>
          <Group justify="space-between" gap="xs">
            <Text size="sm">
              {pendingCount} account request{pendingCount === 1 ? '' : 's'} waiting for approval or activation.
            </Text>
            <Button size="compact-sm" variant="default" onClick={() => setUrl({ status: 'pending' })}>
              Review
            </Button>
          </Group>
        </Alert>
      )}
      <ListToolbar {...searchProps} placeholder="Search name, e-mail or phone">
        <Select
          aria-label="Status"
          placeholder="Any status"
          clearable
          w={140}
          data={USER_STATUSES.map((s) => ({ value: s, label: humanize(s) }))}
          value={filters.status ?? null}
          onChange={(status) => setUrl({ status })}
        />
        <Select
          aria-label="Role"
          placeholder="Any role"
          clearable
          w={140}
          data={ROLES.map((r) => ({ value: r, label: humanize(r) }))}
          value={filters.role ?? null}
          onChange={(role) => setUrl({ role })}
        />
      </ListToolbar>
      <DataTable
        caption="Users"
        {...tableProps}
        columns={columns}
        getRowId={(u) => u.id}
        minWidth={860}
        empty={
          <EmptyState icon={<IconUsersGroup size={26} stroke={1.5} />} title="Nobody matches" message="Try another search or filter." />
        }
      />
      <FormModal opened={createOpen} onClose={createModal.close} title="New staff member" size="lg">
        <CreateUserForm onClose={createModal.close} />
      </FormModal>
      <Modal opened={resetting !== null} onClose={() => setResetting(null)} title={resetting ? `Reset password of ${resetting.name}` : ''}>
        {resetting && <ResetPassword user={resetting} onClose={() => setResetting(null)} />}
      </Modal>
      <Modal
        opened={approving !== null}
        onClose={() => setApproving(null)}
        title={approving ? `Approve the request of ${approving.name}` : ''}
      >
        {approving && <ApproveRequest user={approving} onClose={() => setApproving(null)} />}
      </Modal>
      {confirmDialog}
    </>
  );
}

const USER_FIELDS = ['name', 'email', 'phone', 'role', 'password'] as const;

function CreateUserForm({ onClose }: { onClose: () => void }) {
  const trpc = useTRPC();
  const form = useZodForm(createUserInput, {
    name: '',
    email: '',
    phone: undefined,
    role: 'sales',
    password: '',
    replacePendingRequest: false,
  });
  const { errors } = form.formState;
  // Offered only once the server says a pending request holds the e-mail or phone.
  const [pendingConflict, setPendingConflict] = useState(false);
  const create = useMutation(
    trpc.users.create.mutationOptions({
      meta: invalidates('users'),
      onSuccess: (u) => {
        notifySuccess(`${u.name} can sign in now as ${humanize(u.role).toLowerCase()}.`, 'Account created');
        onClose();
      },
      onError: (error) => {
        if (error.message.startsWith(PENDING_REQUEST_CONFLICT_PREFIX)) setPendingConflict(true);
        applyServerErrors(error, form.setError, USER_FIELDS);
      },
    }),
  );
  return (
    <ModalForm form={form} onSubmit={(v) => create.mutate(v)} onCancel={onClose} submitLabel="Create account" pending={create.isPending}>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextInput label="Full name" required data-autofocus {...form.register('name')} error={errors.name?.message} />
        <TextInput label="E-mail" type="email" required autoComplete="off" {...form.register('email')} error={errors.email?.message} />
        <TextInput
          label="Phone"
          type="tel"
          description="Optional, 10 digits"
          {...form.register('phone', emptyAsUndefined)}
          error={errors.phone?.message}
        />
        <Controller
          control={form.control}
          name="role"
          render={({ field }) => (
            <Select
              label="Role"
              required
              allowDeselect={false}
              data={ROLES.map((r) => ({ value: r, label: humanize(r) }))}
              value={field.value}
              onChange={(v) => field.onChange(v ?? 'sales')}
              ref={field.ref}
              description={ROLE_HINTS[field.value]}
              error={errors.role?.message}
            />
          )}
        />
      </SimpleGrid>
      <PasswordInput
        label="Initial password"
        description="8–128 characters, not a common password. Share it privately; they can change it under Profile."
        required
        autoComplete="new-password"
        {...form.register('password')}
        error={errors.password?.message}
      />
      {pendingConflict && (
        <Checkbox
          label="Replace the pending request"
          description="The request is deleted (and audited); this account takes its e-mail and phone."
          {...form.register('replacePendingRequest')}
        />
      )}
    </ModalForm>
  );
}

function ResetPassword({ user, onClose }: { user: StaffUser; onClose: () => void }) {
  const trpc = useTRPC();
  const reset = useMutation(
    trpc.users.resetPassword.mutationOptions({
      meta: invalidates('users'),
    }),
  );
  if (reset.isSuccess) {
    return (
      <Stack>
        <Alert color="teal" variant="light" title="Password reset">
          Every session of {user.name} has ended and any sign-in lock is lifted.
        </Alert>
        {reset.data.temporaryPassword && (
          <Stack gap={4}>
            <Text size="sm">Temporary password (shown once):</Text>
            <Group gap="xs" wrap="nowrap">
              <Code fz="md" style={{ flex: 1 }} data-testid="temporary-password">
                {reset.data.temporaryPassword}
              </Code>
              <CopyButton value={reset.data.temporaryPassword}>
                {({ copied, copy }) => (
                  <ActionIcon variant="light" color={copied ? 'teal' : 'gray'} onClick={copy} aria-label="Copy password">
                    {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
                  </ActionIcon>
                )}
              </CopyButton>
            </Group>
          </Stack>
        )}
        <Group justify="flex-end">
          <Button onClick={onClose}>Done</Button>
        </Group>
      </Stack>
    );
  }
  return (
    <Stack>
      <Text size="sm">
        A strong temporary password is generated for {user.name}; every one of their sessions ends at once. Give them the new password
        privately.
      </Text>
      {reset.isError && (
        <Alert color="red" variant="light">
          {reset.error.message}
        </Alert>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>
          Cancel
        </Button>
        <Button color="red" loading={reset.isPending} onClick={() => reset.mutate({ id: user.id })}>
          Reset password
        </Button>
      </Group>
    </Stack>
  );
}

/** Where the person sets their password with the code (the web client's own origin). */
function activationLink(email: string): string {
  return `${window.location.origin}/activate?email=${encodeURIComponent(email)}`;
}

function ApproveRequest({ user, onClose }: { user: StaffUser; onClose: () => void }) {
  const trpc = useTRPC();
  const [role, setRole] = useState<Role>(user.role);
  const approve = useMutation(
    trpc.users.approve.mutationOptions({
      meta: invalidates('users'),
    }),
  );
  if (approve.isSuccess) {
    const { activationCode, expiresAt } = approve.data;
    return (
      <Stack>
        <Alert color="teal" variant="light" title="Request approved">
          {user.name} gets the {humanize(approve.data.user.role).toLowerCase()} role once they set a password with this code. It works once,
          until {formatDate(expiresAt)}, and is not shown again.
        </Alert>
        <Stack gap={4}>
          <Text size="sm">Activation code (shown once):</Text>
          <Group gap="xs" wrap="nowrap">
            <Code fz="lg" style={{ flex: 1, letterSpacing: 1 }} data-testid="activation-code">
              {activationCode}
            </Code>
            <CopyButton value={activationCode}>
              {({ copied, copy }) => (
                <ActionIcon variant="light" color={copied ? 'teal' : 'gray'} onClick={copy} aria-label="Copy code">
                  {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
                </ActionIcon>
              )}
            </CopyButton>
          </Group>
        </Stack>
        <Text size="sm" c="dimmed">
          Give it to {user.name} yourself (in person or by phone), not to whoever asks for it. They open{' '}
          <Anchor href={activationLink(user.email)} target="_blank" size="sm">
            the activation page
          </Anchor>{' '}
          and enter their e-mail, this code and a password of their own.
        </Text>
        <Group justify="flex-end">
          <Button onClick={onClose}>Done</Button>
        </Group>
      </Stack>
    );
  }
  return (
    <Stack>
      <Text size="sm">
        {user.name} ({user.email}) asked for an account. Approving gives them a role and issues a one-time activation code; they set their
        own password with it.
        {user.activationExpiresAt ? ' A new code replaces the one issued before.' : ''}
      </Text>
      <Select
        label="Role"
        allowDeselect={false}
        data={ROLES.map((r) => ({ value: r, label: humanize(r) }))}
        value={role}
        onChange={(r) => r && setRole(r as Role)}
        description={ROLE_HINTS[role]}
      />
      {approve.isError && (
        <Alert color="red" variant="light">
          {approve.error.message}
        </Alert>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>
          Cancel
        </Button>
        <Button color="teal" loading={approve.isPending} onClick={() => approve.mutate({ id: user.id, role })}>
          Approve and issue code
        </Button>
      </Group>
    </Stack>
  );
}
