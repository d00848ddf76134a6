/** The timeline of a lead or a customer: staff notes, calls and visits, and the events the system wrote. */
import { zodResolver } from '@hookform/resolvers/zod';
import { Button, Group, Paper, SegmentedControl, Stack, Text, Textarea, ThemeIcon, Timeline, Title } from '@mantine/core';
import { activityCreateInput, type ActivityKind } from '@netflow/contracts';
import {
  IconArrowsRightLeft,
  IconCash,
  IconLifebuoy,
  IconMapPin,
  IconMessage,
  IconNote,
  IconPhone,
  IconRouter,
  IconTrophy,
} from '@tabler/icons-react';
import { useInfiniteQuery, useMutation } from '@tanstack/react-query';
import { Controller, useForm } from 'react-hook-form';
import { applyServerErrors, formParse, notifySuccess } from '../lib/forms';
import { formatDateTime, formatRelative } from '../lib/format';
import { invalidates } from '../lib/invalidation';
import { useTRPC } from '../trpc';
import { FormAlert } from './FormAlert';
import { EmptyState, ErrorState, SkeletonRows } from './states';

const KIND_ICON: Record<ActivityKind, typeof IconNote> = {
  note: IconNote,
  call: IconPhone,
  visit: IconMapPin,
  status_change: IconArrowsRightLeft,
  conversion: IconTrophy,
  payment: IconCash,
  subscription: IconRouter,
  ticket: IconLifebuoy,
  sms: IconMessage,
};
const KIND_COLOR: Record<ActivityKind, string> = {
  note: 'gray',
  call: 'blue',
  visit: 'grape',
  status_change: 'cyan',
  conversion: 'teal',
  payment: 'green',
  subscription: 'indigo',
  ticket: 'orange',
  sms: 'lime',
};

type Parent = { leadId: string; customerId?: undefined } | { customerId: string; leadId?: undefined };

export function ActivityTimeline({ parent, canWrite }: { parent: Parent; canWrite: boolean }) {
  const trpc = useTRPC();
  const feed = useInfiniteQuery(
    trpc.activities.list.infiniteQueryOptions({ ...parent, limit: 20 }, { getNextPageParam: (page) => page.nextCursor ?? undefined }),
  );
  const items = feed.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Stack gap="md">
      {canWrite && <Composer parent={parent} />}
      {feed.isPending ? (
        <SkeletonRows rows={4} height={48} />
      ) : feed.isError ? (
        <ErrorState error={feed.error} onRetry={() => void feed.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title="Nothing on the timeline yet" message="Notes, calls, visits and changes will appear here." />
      ) : (
        <>
          <Timeline bulletSize={28} lineWidth={2} data-testid="timeline">
            {items.map((a) => {
              const Icon = KIND_ICON[a.kind];
              return (
                <Timeline.Item
                  key={a.id}
                  bullet={
                    <ThemeIcon size={28} radius="xl" color={KIND_COLOR[a.kind]} variant="light">
                      <Icon size={15} />
                    </ThemeIcon>
                  }
                >
                  <Group gap={6} wrap="wrap">
                    <Text size="sm" fw={600}>
                      {a.actorName ?? 'System'}
                    </Text>
                    <Text size="xs" c="dimmed" title={formatDateTime(a.createdAt)}>
                      {kindLabel(a.kind)} · {formatRelative(a.createdAt)}
                    </Text>
                  </Group>
                  <Text size="sm" mt={2} className="nf-timeline-body">
                    {a.body}
                  </Text>
                </Timeline.Item>
              );
            })}
          </Timeline>
          {feed.hasNextPage && (
            <Button variant="subtle" onClick={() => void feed.fetchNextPage()} loading={feed.isFetchingNextPage}>
              Show older
            </Button>
          )}
        </>
      )}
    </Stack>
  );
}

function kindLabel(kind: ActivityKind): string {
  switch (kind) {
    case 'note':
      return 'added a note';
    case 'call':
      return 'logged a call';
    case 'visit':
      return 'logged a visit';
    case 'status_change':
      return 'changed the stage';
    case 'conversion':
      return 'converted';
    case 'payment':
      return 'payment';
    case 'subscription':
      return 'subscription';
    case 'ticket':
      return 'ticket';
    case 'sms':
      return 'SMS';
  }
}

function Composer({ parent }: { parent: Parent }) {
  const trpc = useTRPC();
  const form = useForm({
    resolver: zodResolver(activityCreateInput, formParse),
    defaultValues: { ...parent, kind: 'note' as const, body: '' },
  });
  const create = useMutation(
    trpc.activities.create.mutationOptions({
      meta: invalidates('timeline'),
      onSuccess: () => {
        form.reset({ ...parent, kind: form.getValues('kind'), body: '' });
        notifySuccess('Added to the timeline');
      },
      onError: (error) => applyServerErrors(error, form.setError, ['body', 'kind']),
    }),
  );
  const { errors } = form.formState;
  return (
    <Paper withBorder p="sm" radius="md">
      <form noValidate onSubmit={form.handleSubmit((values) => create.mutate(values))}>
        <Stack gap="xs">
          <Title order={4} fz="sm">
            Add to the timeline
          </Title>
          <FormAlert errors={errors} />
          <Controller
            control={form.control}
            name="kind"
            render={({ field }) => (
              <SegmentedControl
                size="xs"
                aria-label="Kind of entry"
                value={field.value ?? 'note'}
                onChange={field.onChange}
                data={[
                  { value: 'note', label: 'Note' },
                  { value: 'call', label: 'Call' },
                  { value: 'visit', label: 'Visit' },
                ]}
                style={{ alignSelf: 'flex-start' }}
              />
            )}
          />
          <Textarea
            aria-label="What happened"
            placeholder="What happened? What was agreed?"
            autosize
            minRows={2}
            maxRows={8}
            {...form.register('body')}
            error={errors.body?.message}
          />
          <Group justify="flex-end">
            <Button type="submit" size="xs" loading={create.isPending}>
              Add
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
