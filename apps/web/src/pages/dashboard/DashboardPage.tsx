/**
 * The figures of the dashboard (one API call), then the charts, which load after the first paint
 * from their own chunk (recharts is the heaviest dependency of the app).
 */
import { Anchor, Card, Group, Paper, SimpleGrid, Skeleton, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import {
  IconAlertTriangle,
  IconCash,
  IconClockExclamation,
  IconLifebuoy,
  IconRouter,
  IconTargetArrow,
  IconTrendingUp,
} from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { Suspense, lazy, type ReactNode } from 'react';
import { Link } from 'react-router';
import { useCan, useCurrentUser } from '../../auth/AuthContext';
import { ErrorState, SkeletonRows } from '../../components/states';
import { PageHeader } from '../../components/PageHeader';
import { formatDateTime, formatMoney, formatPercent, formatRelative } from '../../lib/format';
import { StatusBadge } from '../../components/StatusBadge';
import { useTRPC } from '../../trpc';

const DashboardCharts = lazy(() => import('./DashboardCharts'));

function greeting(now = new Date()): string {
  const h = now.getHours();
  return h < 12 ? 'Good morning' : h < 17 ? 'Good afternoon' : 'Good evening';
}

export default function DashboardPage() {
  const trpc = useTRPC();
  const can = useCan();
  const user = useCurrentUser();
  const summary = useQuery({ ...trpc.dashboard.summary.queryOptions({}), refetchInterval: 60_000 });
  const s = summary.data;

  const openTickets = s?.openTicketsByPriority
    ? s.openTicketsByPriority.low + s.openTicketsByPriority.normal + s.openTicketsByPriority.high + s.openTicketsByPriority.urgent
    : null;
  const inPipeline = s?.leadsByStage ? s.leadsByStage.new + s.leadsByStage.contacted + s.leadsByStage.qualified : null;

  return (
    <>
      <PageHeader
        documentTitle="Dashboard"
        title={`${greeting()}, ${user.name.split(' ')[0] ?? user.name}`}
        description={s ? `Figures as of ${formatDateTime(s.generatedAt)}` : 'Your ISP at a glance.'}
      />
      {summary.isError ? (
        <ErrorState error={summary.error} onRetry={() => void summary.refetch()} title="Could not load the dashboard" />
      ) : (
        <Stack gap="lg">
          <SimpleGrid cols={{ base: 1, xs: 2, lg: 3 }} spacing="md">
            {summary.isPending ? (
              Array.from({ length: 6 }, (_, i) => <Skeleton key={i} height={112} radius="md" />)
            ) : (
              <>
                {s?.revenueThisMonthCents != null && (
                  <StatCard
                    testId="stat-revenue"
                    label="Revenue this month"
                    value={formatMoney(s.revenueThisMonthCents)}
                    hint="Applied payments since the 1st"
                    icon={<IconCash size={22} />}
                    color="green"
                    to={can('payments.read') ? '/payments' : undefined}
                  />
                )}
                {s?.subscriptions && (
                  <StatCard
                    testId="stat-active-subscriptions"
                    label="Active subscriptions"
                    value={s.subscriptions.active.toLocaleString()}
                    hint={
                      can('subscriptions.read') ? (
                        <Anchor component={Link} to="/subscriptions?view=suspended" size="sm" data-testid="stat-suspended-link">
                          {s.subscriptions.suspended.toLocaleString()} suspended
                        </Anchor>
                      ) : (
                        `${s.subscriptions.suspended.toLocaleString()} suspended`
                      )
                    }
                    icon={<IconRouter size={22} />}
                    color="brand"
                    to={can('subscriptions.read') ? '/subscriptions?view=lapsed' : undefined}
                  />
                )}
                {s?.expiringWithin7Days != null && (
                  <StatCard
                    testId="stat-expiring"
                    label="Expiring within 7 days"
                    value={s.expiringWithin7Days.toLocaleString()}
                    hint="Active subscriptions due for renewal"
                    icon={<IconClockExclamation size={22} />}
                    color={s.expiringWithin7Days > 0 ? 'orange' : 'gray'}
                    to={can('subscriptions.read') ? '/subscriptions?view=expiring' : undefined}
                  />
                )}
                {s?.conversion30d && (
                  <StatCard
                    testId="stat-conversion"
                    label="Conversion, last 30 days"
                    value={formatPercent(s.conversion30d.rate)}
                    hint={`${s.conversion30d.won} won of ${s.conversion30d.created} new leads`}
                    icon={<IconTrendingUp size={22} />}
                    color="teal"
                  />
                )}
                {inPipeline !== null && (
                  <StatCard
                    testId="stat-pipeline"
                    label="Leads in the pipeline"
                    value={inPipeline.toLocaleString()}
                    hint={s?.leadsByStage ? `${s.leadsByStage.qualified} qualified, ready to convert` : undefined}
                    icon={<IconTargetArrow size={22} />}
                    color="violet"
                    to={can('leads.read') ? '/leads/board' : undefined}
                  />
                )}
                {openTickets !== null && s?.openTicketsByPriority && (
                  <StatCard
                    testId="stat-tickets"
                    label="Open tickets"
                    value={openTickets.toLocaleString()}
                    hint={
                      s.openTicketsByPriority.urgent > 0 ? (
                        <Group gap={4} component="span">
                          <IconAlertTriangle size={14} color="var(--mantine-color-red-6)" />
                          {s.openTicketsByPriority.urgent} urgent
                        </Group>
                      ) : (
                        'Nothing urgent'
                      )
                    }
                    icon={<IconLifebuoy size={22} />}
                    color="orange"
                    to={can('tickets.read') ? '/tickets' : undefined}
                  />
                )}
              </>
            )}
          </SimpleGrid>
          {s && (s.leadsByStage || s.openTicketsByPriority || can('payments.read')) && (
            <Suspense
              fallback={
                <SimpleGrid cols={{ base: 1, md: 2 }}>
                  <Card h={340}>
                    <SkeletonRows rows={5} height={40} />
                  </Card>
                  <Card h={340}>
                    <SkeletonRows rows={5} height={40} />
                  </Card>
                </SimpleGrid>
              }
            >
              <DashboardCharts summary={s} />
            </Suspense>
          )}
          {(can('leads.read') || can('tickets.read')) && (
            <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
              {can('leads.read') && <RecentLeads />}
              {can('tickets.read') && <RecentTickets />}
            </SimpleGrid>
          )}
        </Stack>
      )}
    </>
  );
}

function RecentList({
  title,
  to,
  isPending,
  error,
  empty,
  rows,
}: {
  title: string;
  to: string;
  isPending: boolean;
  error: unknown;
  empty: string;
  rows: { id: string; href: string; primary: string; secondary: string; badge: ReactNode }[] | undefined;
}) {
  return (
    <Card>
      <Group justify="space-between" mb="sm">
        <Title order={3} fz="md">
          {title}
        </Title>
        <Anchor component={Link} to={to} size="sm">
          See all
        </Anchor>
      </Group>
      {isPending ? (
        <SkeletonRows rows={5} height={40} />
      ) : error ? (
        <ErrorState error={error} />
      ) : !rows || rows.length === 0 ? (
        <Text size="sm" c="dimmed" py="md" ta="center">
          {empty}
        </Text>
      ) : (
        <Stack gap={0}>
          {rows.map((r, i) => (
            <Group
              key={r.id}
              justify="space-between"
              wrap="nowrap"
              py={8}
              style={{ borderTop: i === 0 ? undefined : '1px solid var(--mantine-color-gray-2)' }}
            >
              <Stack gap={0} style={{ minWidth: 0 }}>
                <Anchor component={Link} to={r.href} size="sm" fw={600} lineClamp={1}>
                  {r.primary}
                </Anchor>
                <Text size="xs" c="dimmed" lineClamp={1}>
                  {r.secondary}
                </Text>
              </Stack>
              {r.badge}
            </Group>
          ))}
        </Stack>
      )}
    </Card>
  );
}

function RecentLeads() {
  const trpc = useTRPC();
  const list = useQuery(trpc.leads.list.queryOptions({ limit: 6, sort: 'updatedAt', order: 'desc' }));
  return (
    <RecentList
      title="Recently active leads"
      to="/leads?sort=updatedAt&order=desc"
      isPending={list.isPending}
      error={list.error}
      empty="No leads yet."
      rows={list.data?.items.map((l) => ({
        id: l.id,
        href: `/leads/${l.id}`,
        primary: l.name,
        secondary: `${l.planName ?? 'No plan chosen'} · ${formatRelative(l.updatedAt)}`,
        badge: <StatusBadge status={l.status} />,
      }))}
    />
  );
}

function RecentTickets() {
  const trpc = useTRPC();
  const list = useQuery(trpc.tickets.list.queryOptions({ limit: 6, sort: 'updatedAt', order: 'desc' }));
  return (
    <RecentList
      title="Latest ticket activity"
      to="/tickets"
      isPending={list.isPending}
      error={list.error}
      empty="No tickets. All quiet."
      rows={list.data?.items.map((t) => ({
        id: t.id,
        href: `/tickets/${t.id}`,
        primary: t.subject,
        secondary: `${t.customerName} · ${formatRelative(t.updatedAt)}`,
        badge: <StatusBadge status={t.status} />,
      }))}
    />
  );
}

function StatCard({
  label,
  value,
  hint,
  icon,
  color,
  to,
  testId,
}: {
  label: string;
  value: string;
  hint?: ReactNode;
  icon: ReactNode;
  color: string;
  to?: string;
  testId: string;
}) {
  return (
    <Paper withBorder p="md" radius="md" shadow="xs" data-testid={testId}>
      <Group justify="space-between" align="flex-start" wrap="nowrap">
        <Stack gap={4} style={{ minWidth: 0 }}>
          <Text size="xs" c="dimmed" fw={600} tt="uppercase" style={{ letterSpacing: '0.04em' }}>
            {label}
          </Text>
          <Title order={3} fz={28} fw={700} lh={1.15} data-testid={`${testId}-value`}>
            {value}
          </Title>
          {hint && (
            <Text size="sm" c="dimmed" component="div">
              {hint}
            </Text>
          )}
        </Stack>
        <ThemeIcon size={44} radius="md" variant="light" color={color}>
          {icon}
        </ThemeIcon>
      </Group>
      {to && (
        <Anchor component={Link} to={to} size="xs" mt="xs" display="inline-block">
          View details →
        </Anchor>
      )}
    </Paper>
  );
}
