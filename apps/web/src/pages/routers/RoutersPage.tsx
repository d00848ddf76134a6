/**
 * MikroTik routers: the registry (admins write, managers read), the connection test and the
 * router ↔ CRM sync (a dry run listing differences; nothing changes until "Apply").
 */
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Badge, Button, Group, Modal, PasswordInput, Stack, Switch, Table, Text, TextInput, Tooltip } from '@mantine/core';
import { createRouterInput, updateRouterInput } from '@netflow/contracts';
import { IconEdit, IconPlugConnected, IconPlus, IconRefresh, IconRouter } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import { useCan } from '../../auth/AuthContext';
import { FormAlert } from '../../components/FormAlert';
import { PageHeader } from '../../components/PageHeader';
import { EmptyState, ErrorState, SkeletonRows } from '../../components/states';
import { formatDateTime } from '../../lib/format';
import { applyServerErrors, formParse, notifyError, notifySuccess } from '../../lib/forms';
import { useTRPC, type RouterOutputs } from '../../trpc';

type Router = RouterOutputs['routers']['list']['items'][number];
type SyncResult = RouterOutputs['routers']['sync'];

const KIND_LABELS: Record<SyncResult['differences'][number]['kind'], string> = {
  missing: 'Missing on the router',
  extra: 'Not in the CRM',
  'wrong-profile': 'Wrong profile',
  'enabled-while-suspended': 'Enabled while suspended',
  'disabled-while-active': 'Disabled while active',
};
const ACTION_LABELS: Record<SyncResult['differences'][number]['action'], string> = {
  create: 'Create',
  enable: 'Enable',
  disable: 'Disable',
  'set-profile': 'Set profile',
  none: 'Leave',
};

export default function RoutersPage() {
  const trpc = useTRPC();
  const can = useCan();
  const manage = can('routers.manage');
  const list = useQuery(trpc.routers.list.queryOptions());
  const [editing, setEditing] = useState<Router | 'new' | null>(null);
  const [syncing, setSyncing] = useState<Router | null>(null);

  return (
    <>
      <PageHeader
        title="Routers"
        description="MikroTik routers the CRM provisions over RouterOS REST: PPPoE secrets and hotspot users follow the subscriptions."
        actions={
          manage && (
            <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')}>
              Add router
            </Button>
          )
        }
      />
      {list.isPending ? (
        <SkeletonRows rows={3} />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <EmptyState
          icon={<IconRouter size={26} stroke={1.5} />}
          title="No routers yet"
          message={manage ? 'Add the MikroTik routers that serve your customers.' : undefined}
        />
      ) : (
        <Table.ScrollContainer minWidth={760}>
          <Table verticalSpacing="sm" data-testid="routers-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Address</Table.Th>
                <Table.Th>Router</Table.Th>
                <Table.Th>Subscriptions</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data.items.map((r) => (
                <Table.Tr key={r.id} data-testid="router-row">
                  <Table.Td fw={600}>{r.name}</Table.Td>
                  <Table.Td>
                    <Text size="sm" ff="monospace">
                      {r.url}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {r.username}
                      {!r.verifyTls && ' · certificate not verified'}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <TestStatus router={r} />
                  </Table.Td>
                  <Table.Td>{r.subscriptionCount}</Table.Td>
                  <Table.Td>
                    {manage && (
                      <Group gap={6} justify="flex-end" wrap="nowrap">
                        <TestButton router={r} />
                        <Button size="compact-sm" variant="light" leftSection={<IconRefresh size={14} />} onClick={() => setSyncing(r)}>
                          Sync
                        </Button>
                        <Tooltip label="Edit router">
                          <Button
                            size="compact-sm"
                            variant="subtle"
                            color="gray"
                            aria-label={`Edit ${r.name}`}
                            onClick={() => setEditing(r)}
                          >
                            <IconEdit size={16} />
                          </Button>
                        </Tooltip>
                      </Group>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <Modal opened={editing !== null} onClose={() => setEditing(null)} title={editing === 'new' ? 'Add router' : 'Edit router'}>
        {editing !== null && <RouterForm router={editing === 'new' ? undefined : editing} onClose={() => setEditing(null)} />}
      </Modal>
      <Modal opened={syncing !== null} onClose={() => setSyncing(null)} title={syncing ? `Sync ${syncing.name}` : ''} size="xl">
        {syncing && <SyncPanel router={syncing} />}
      </Modal>
    </>
  );
}

function TestStatus({ router }: { router: Router }) {
  if (router.lastTestError) {
    return (
      <Stack gap={2}>
        <Badge color="red">Unreachable</Badge>
        <Text size="xs" c="red" data-testid="router-test-error">
          {router.lastTestError}
        </Text>
      </Stack>
    );
  }
  if (router.identity) {
    return (
      <Stack gap={2}>
        <Text size="sm" data-testid="router-identity">
          {router.identity} · RouterOS {router.version}
        </Text>
        {router.lastTestedAt && (
          <Text size="xs" c="dimmed">
            tested {formatDateTime(router.lastTestedAt)}
          </Text>
        )}
      </Stack>
    );
  }
  return (
    <Text size="sm" c="dimmed">
      Not tested
    </Text>
  );
}

function TestButton({ router }: { router: Router }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const test = useMutation(
    trpc.routers.test.mutationOptions({
      onSuccess: (result) => {
        void queryClient.invalidateQueries({ queryKey: trpc.routers.pathKey() });
        if (result.ok) notifySuccess(`${result.identity}, RouterOS ${result.version}`, `${router.name} answers`);
        else notifyError(new Error(result.error), `${router.name} does not answer`);
      },
      onError: (error) => notifyError(error),
    }),
  );
  return (
    <Button
      size="compact-sm"
      variant="light"
      leftSection={<IconPlugConnected size={14} />}
      loading={test.isPending}
      onClick={() => test.mutate({ id: router.id })}
    >
      Test connection
    </Button>
  );
}

const FIELDS = ['name', 'url', 'username', 'password', 'verifyTls'] as const;

function RouterForm({ router, onClose }: { router?: Router; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  // Editing: the password box starts empty and an empty box keeps the stored password.
  const form = useForm({
    resolver: zodResolver(router ? updateRouterInput.omit({ id: true }) : createRouterInput, formParse),
    defaultValues: {
      name: router?.name ?? '',
      url: router?.url ?? '',
      username: router?.username ?? '',
      password: router ? undefined : '',
      verifyTls: router?.verifyTls ?? true,
    },
  });
  const { errors } = form.formState;
  const onSuccess = (r: Router) => {
    void queryClient.invalidateQueries({ queryKey: trpc.routers.pathKey() });
    notifySuccess(router ? `${r.name} saved` : `${r.name} added; test the connection next`);
    onClose();
  };
  const onError = (error: unknown) => applyServerErrors(error, form.setError, FIELDS);
  const create = useMutation(trpc.routers.create.mutationOptions({ onSuccess, onError }));
  const update = useMutation(trpc.routers.update.mutationOptions({ onSuccess, onError }));
  return (
    <form
      noValidate
      onSubmit={form.handleSubmit((values) => {
        const v = values as { name: string; url: string; username: string; password?: string; verifyTls: boolean };
        if (router) update.mutate({ id: router.id, ...v, password: v.password || undefined });
        else create.mutate({ ...v, password: v.password ?? '' });
      })}
    >
      <Stack>
        <FormAlert errors={errors} />
        <TextInput
          label="Name"
          required
          data-autofocus
          placeholder="e.g. Kasarani core"
          {...form.register('name')}
          error={errors.name?.message}
        />
        <TextInput
          label="Address"
          required
          placeholder="https://10.0.0.1"
          description="Scheme, host and port of the router's www-ssl service; REST is at /rest"
          {...form.register('url')}
          error={errors.url?.message}
        />
        <TextInput label="API user" required autoComplete="off" {...form.register('username')} error={errors.username?.message} />
        <PasswordInput
          label="API password"
          required={!router}
          autoComplete="new-password"
          description={router ? 'Leave empty to keep the stored password (it is never shown)' : 'Stored encrypted; never shown again'}
          {...form.register('password', { setValueAs: (v: unknown) => (router && v === '' ? undefined : v) })}
          error={errors.password?.message}
        />
        <Controller
          control={form.control}
          name="verifyTls"
          render={({ field }) => (
            <Switch
              label="Verify the router's certificate"
              description="Turn off only for a self-signed certificate on a network you trust"
              checked={field.value ?? true}
              onChange={(e) => field.onChange(e.currentTarget.checked)}
            />
          )}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending || update.isPending}>
            {router ? 'Save router' : 'Add router'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function SyncPanel({ router }: { router: Router }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [result, setResult] = useState<SyncResult | null>(null);
  const sync = useMutation(
    trpc.routers.sync.mutationOptions({
      onSuccess: (r) => {
        setResult(r);
        if (r.applied) {
          notifySuccess(`${r.fixed} difference${r.fixed === 1 ? '' : 's'} fixed on ${router.name}`);
          void queryClient.invalidateQueries({ queryKey: trpc.subscriptions.pathKey() });
        }
      },
      onError: (error) => notifyError(error),
    }),
  );
  const fixable = result?.differences.filter((d) => d.action !== 'none').length ?? 0;
  return (
    <Stack>
      <Text size="sm">
        Compares the router’s PPP secrets and hotspot users with the CRM’s subscriptions on it. Nothing changes until you apply.
      </Text>
      <Group>
        <Button
          variant="light"
          leftSection={<IconRefresh size={16} />}
          loading={sync.isPending && !sync.variables?.apply}
          onClick={() => sync.mutate({ id: router.id })}
        >
          Compare
        </Button>
        {result && !result.applied && fixable > 0 && (
          <Button
            color="orange"
            loading={sync.isPending && sync.variables?.apply === true}
            onClick={() => sync.mutate({ id: router.id, apply: true })}
          >
            Apply {fixable} change{fixable === 1 ? '' : 's'} to the router
          </Button>
        )}
      </Group>
      {result && (
        <>
          {result.applied && (
            <Alert color="teal" title="Applied">
              {result.fixed} fixed.{' '}
              {result.differences.length === 0 ? 'The router now matches the CRM.' : 'What still differs is listed below.'}
            </Alert>
          )}
          {result.differences.length === 0 ? (
            !result.applied && <Alert color="teal">The router matches the CRM.</Alert>
          ) : (
            <Table.ScrollContainer minWidth={640}>
              <Table data-testid="sync-differences">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>User</Table.Th>
                    <Table.Th>Difference</Table.Th>
                    <Table.Th>CRM</Table.Th>
                    <Table.Th>Profile (plan / router)</Table.Th>
                    <Table.Th>Apply does</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {result.differences.map((d) => (
                    <Table.Tr key={`${d.service}:${d.username}:${d.kind}`}>
                      <Table.Td ff="monospace" fz="sm">
                        {d.username}
                        <Text size="xs" c="dimmed">
                          {d.service === 'pppoe' ? 'PPPoE' : 'Hotspot'}
                        </Text>
                      </Table.Td>
                      <Table.Td>{KIND_LABELS[d.kind]}</Table.Td>
                      <Table.Td>{d.crmStatus ?? '—'}</Table.Td>
                      <Table.Td>
                        {d.expectedProfile ?? '—'} / {d.routerProfile ?? '—'}
                      </Table.Td>
                      <Table.Td>
                        {ACTION_LABELS[d.action]}
                        {d.note && (
                          <Text size="xs" c="dimmed">
                            {d.note}
                          </Text>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </>
      )}
    </Stack>
  );
}
