/**
 * The job queue (admin only): background work such as SMS, router provisioning and the expiry sweep.
 * Failed jobs first, with why they failed and how many attempts they had; a failed job can be run
 * again (audited), a waiting one cancelled.
 */
import { ActionIcon, Badge, Button, Code, Group, Modal, ScrollArea, Select, Stack, Tabs, Text, Tooltip } from '@mantine/core';
import { JOB_STATES, type JobState } from '@netflow/contracts';
import { IconBan, IconFileSearch, IconListCheck, IconRefresh } from '@tabler/icons-react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import { DataTable, useCursorPager, pageQueryProps } from '../../components/DataTable';
import { DetailList } from '../../components/DetailList';
import { PageHeader } from '../../components/PageHeader';
import { EmptyState } from '../../components/states';
import { formatDateTime } from '../../lib/format';
import { notifyError, notifySuccess } from '../../lib/forms';
import { oneOf, useUrlState } from '../../lib/useUrlState';
import { useTRPC, type RouterOutputs } from '../../trpc';

type Job = RouterOutputs['jobs']['list']['items'][number];

const STATE_COLORS: Record<JobState, string> = {
  created: 'blue',
  retry: 'yellow',
  active: 'cyan',
  completed: 'teal',
  cancelled: 'gray',
  failed: 'red',
};
const STATE_LABELS: Record<JobState, string> = {
  created: 'Waiting',
  retry: 'Retrying',
  active: 'Running',
  completed: 'Done',
  cancelled: 'Cancelled',
  failed: 'Failed',
};
const TABS: readonly JobState[] = ['failed', 'retry', 'created', 'active', 'completed', 'cancelled'];

function JobStateBadge({ state }: { state: JobState }) {
  return (
    <Badge color={STATE_COLORS[state]} style={{ minWidth: 'max-content' }}>
      {STATE_LABELS[state]}
    </Badge>
  );
}

export default function JobsPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [url, setUrl] = useUrlState(['state', 'name'] as const);
  const state: JobState | 'all' = url.state === 'all' ? 'all' : (oneOf(url.state, JOB_STATES) ?? 'failed');
  const filters = { state, name: url.name || undefined };
  const { cursor, pager } = useCursorPager(JSON.stringify(filters));
  const list = useQuery({ ...trpc.jobs.list.queryOptions({ ...filters, cursor, limit: 25 }), placeholderData: keepPreviousData });
  const queues = useQuery(trpc.jobs.queues.queryOptions({}));
  const [open, setOpen] = useState<Job | null>(null);

  const invalidate = () => void queryClient.invalidateQueries({ queryKey: trpc.jobs.pathKey() });
  const retry = useMutation(
    trpc.jobs.retry.mutationOptions({
      onSuccess: (job) => {
        notifySuccess(`${job.name} will run again shortly (attempt ${job.attempts + 1} of ${job.maxAttempts}).`, 'Job queued again');
        setOpen(null);
        invalidate();
      },
      onError: (error) => notifyError(error, 'Could not retry the job'),
    }),
  );
  const cancel = useMutation(
    trpc.jobs.cancel.mutationOptions({
      onSuccess: (job) => {
        notifySuccess(`${job.name} will not run.`, 'Job cancelled');
        setOpen(null);
        invalidate();
      },
      onError: (error) => notifyError(error, 'Could not cancel the job'),
    }),
  );

  const counts = useMemo(() => {
    const total = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
    for (const q of queues.data ?? []) {
      if (url.name && q.name !== url.name) continue;
      for (const s of JOB_STATES) total[s] += q.counts[s];
    }
    return total;
  }, [queues.data, url.name]);

  const columns = useMemo<ColumnDef<Job>[]>(
    () => [
      {
        id: 'name',
        header: 'Job',
        cell: ({ row }) => (
          <Code
            fz="xs"
            style={{ cursor: 'pointer', whiteSpace: 'nowrap' }}
            onClick={() => setUrl({ name: row.original.name })}
            title="Only this queue"
          >
            {row.original.name}
          </Code>
        ),
      },
      { id: 'state', header: 'State', cell: ({ row }) => <JobStateBadge state={row.original.state} /> },
      {
        id: 'error',
        header: 'Error',
        cell: ({ row }) => (
          <Text size="sm" c={row.original.error ? 'red' : 'dimmed'} lineClamp={2} maw={380}>
            {row.original.error ?? '—'}
          </Text>
        ),
      },
      {
        id: 'attempts',
        header: 'Attempts',
        cell: ({ row }) => (
          <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
            {row.original.attempts} of {row.original.maxAttempts}
          </Text>
        ),
      },
      {
        id: 'when',
        header: 'Created (your time)',
        cell: ({ row }) => (
          <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
            {formatDateTime(row.original.createdAt)}
          </Text>
        ),
      },
      {
        id: 'actions',
        header: '',
        cell: ({ row }) => (
          <Group gap={4} wrap="nowrap" justify="flex-end">
            {row.original.state === 'failed' && (
              <Button
                size="compact-sm"
                variant="light"
                leftSection={<IconRefresh size={14} />}
                loading={retry.isPending && retry.variables.id === row.original.id}
                onClick={() => retry.mutate({ id: row.original.id })}
                aria-label={`Retry job ${row.original.id}`}
              >
                Retry
              </Button>
            )}
            <Tooltip label="Details">
              <ActionIcon
                variant="subtle"
                color="gray"
                aria-label={`Details of job ${row.original.id}`}
                onClick={() => setOpen(row.original)}
              >
                <IconFileSearch size={16} />
              </ActionIcon>
            </Tooltip>
          </Group>
        ),
      },
    ],
    [setUrl, retry],
  );

  return (
    <>
      <PageHeader
        title="Jobs"
        description="Background work (SMS, router provisioning, the expiry sweep). Finished and failed jobs stay here for 30 days; retry a failed one to run it again."
      />
      <Group mb="sm" justify="space-between" wrap="wrap">
        <Tabs value={state} onChange={(v) => setUrl({ state: v === 'failed' ? null : v })}>
          <Tabs.List>
            {TABS.map((s) => (
              <Tabs.Tab
                key={s}
                value={s}
                rightSection={
                  <Badge size="xs" variant="light" color={STATE_COLORS[s]}>
                    {counts[s]}
                  </Badge>
                }
              >
                {STATE_LABELS[s]}
              </Tabs.Tab>
            ))}
            <Tabs.Tab value="all">All</Tabs.Tab>
          </Tabs.List>
        </Tabs>
        <Select
          aria-label="Queue"
          placeholder="Every queue"
          clearable
          searchable
          w={260}
          data={(queues.data ?? []).map((q) => q.name)}
          value={url.name || null}
          onChange={(name) => setUrl({ name })}
        />
      </Group>
      <DataTable
        caption="Jobs"
        {...pageQueryProps(list)}
        columns={columns}
        getRowId={(j) => j.id}
        pager={pager(list.data?.nextCursor)}
        minWidth={900}
        empty={
          <EmptyState
            icon={<IconListCheck size={26} stroke={1.5} />}
            title={state === 'failed' ? 'No failed jobs' : 'No jobs here'}
            message={state === 'failed' ? 'Everything that ran, worked.' : 'Try another tab or queue.'}
          />
        }
      />
      <Modal opened={open !== null} onClose={() => setOpen(null)} title={open ? `Job ${open.name}` : ''} size="lg">
        {open && (
          <Stack>
            <DetailList
              items={[
                { label: 'Id', value: <Code>{open.id}</Code> },
                { label: 'State', value: <JobStateBadge state={open.state} /> },
                { label: 'Error', value: open.error },
                { label: 'Attempts', value: `${open.attempts} of ${open.maxAttempts}` },
                { label: 'Key', value: open.singletonKey && <Code>{open.singletonKey}</Code> },
                { label: 'Created (UTC)', value: open.createdAt },
                { label: 'Runs after (UTC)', value: open.startAfter },
                { label: 'Started (UTC)', value: open.startedAt },
                { label: 'Finished (UTC)', value: open.completedAt },
              ]}
            />
            <Text size="xs" c="dimmed" fw={500}>
              Payload (secrets redacted)
            </Text>
            <ScrollArea.Autosize mah={240}>
              <Code block>{JSON.stringify(open.data, null, 2)}</Code>
            </ScrollArea.Autosize>
            <Group justify="flex-end">
              {(open.state === 'created' || open.state === 'retry') && (
                <Button
                  variant="default"
                  color="red"
                  leftSection={<IconBan size={16} />}
                  loading={cancel.isPending}
                  onClick={() => cancel.mutate({ id: open.id })}
                >
                  Cancel job
                </Button>
              )}
              {open.state === 'failed' && (
                <Button leftSection={<IconRefresh size={16} />} loading={retry.isPending} onClick={() => retry.mutate({ id: open.id })}>
                  Retry
                </Button>
              )}
            </Group>
          </Stack>
        )}
      </Modal>
    </>
  );
}
