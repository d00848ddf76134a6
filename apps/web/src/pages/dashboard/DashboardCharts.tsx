/** The dashboard's charts, in their own chunk so the figures paint before recharts arrives. */
import '@mantine/charts/styles.css';
import { AreaChart, BarChart, DonutChart } from '@mantine/charts';
import { Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { formatMoneyCompact } from '../../lib/format';
import type { RouterOutputs } from '../../trpc';
import { STAGE_LABELS } from '../leads/stages';

type Summary = RouterOutputs['dashboard']['summary'];

const STAGE_COLORS = { new: 'blue.6', contacted: 'cyan.6', qualified: 'violet.6', won: 'teal.6', lost: 'gray.5' } as const;
const PRIORITY_COLORS = { urgent: 'red.6', high: 'orange.6', normal: 'blue.6', low: 'gray.5' } as const;

export default function DashboardCharts({ summary }: { summary: Summary }) {
  const stages = summary.leadsByStage;
  const tickets = summary.openTicketsByPriority;
  // Days come as UTC dates (YYYY-MM-DD); label them without shifting into the browser's zone.
  const revenue = summary.revenueByDay?.map((d) => ({
    day: new Date(`${d.day}T00:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' }),
    revenue: d.cents / 100,
  }));
  return (
    <Stack gap="lg">
      {revenue && (
        <Card>
          <Group justify="space-between" mb="md">
            <div>
              <Title order={3} fz="md">
                Revenue, last 30 days
              </Title>
              <Text size="xs" c="dimmed">
                Applied payments per day (KES)
              </Text>
            </div>
          </Group>
          <AreaChart
            h={240}
            data={revenue}
            dataKey="day"
            series={[{ name: 'revenue', label: 'Revenue', color: 'green.6' }]}
            curveType="monotone"
            valueFormatter={(v) => formatMoneyCompact(v * 100)}
            gridAxis="y"
            tickLine="none"
            withDots={false}
            xAxisProps={{ interval: 'preserveStartEnd', minTickGap: 24 }}
            yAxisProps={{ width: 72 }}
          />
        </Card>
      )}
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
        {stages && (
          <Card>
            <Title order={3} fz="md">
              Leads per stage
            </Title>
            <Text size="xs" c="dimmed" mb="md">
              Every lead you can see, by pipeline stage
            </Text>
            <BarChart
              h={240}
              data={(Object.keys(STAGE_COLORS) as (keyof typeof STAGE_COLORS)[]).map((stage) => ({
                stage: STAGE_LABELS[stage],
                leads: stages[stage],
                color: STAGE_COLORS[stage],
              }))}
              dataKey="stage"
              series={[{ name: 'leads', label: 'Leads', color: 'brand.6' }]}
              gridAxis="y"
              tickLine="none"
              barProps={{ radius: [6, 6, 0, 0] }}
              getBarColor={(_value, entry) => (entry as { color?: string } | undefined)?.color ?? 'brand.6'}
              data-testid="chart-leads-by-stage"
            />
          </Card>
        )}
        {tickets && (
          <Card>
            <Title order={3} fz="md">
              Open tickets by priority
            </Title>
            <Text size="xs" c="dimmed" mb="md">
              Not yet resolved or closed
            </Text>
            <Group justify="center" gap="xl" wrap="wrap">
              <DonutChart
                size={180}
                thickness={26}
                withLabelsLine={false}
                chartLabel={`${tickets.low + tickets.normal + tickets.high + tickets.urgent} open`}
                data={(Object.keys(PRIORITY_COLORS) as (keyof typeof PRIORITY_COLORS)[]).map((p) => ({
                  name: p.charAt(0).toUpperCase() + p.slice(1),
                  value: tickets[p],
                  color: PRIORITY_COLORS[p],
                }))}
              />
              <Stack gap={6}>
                {(Object.keys(PRIORITY_COLORS) as (keyof typeof PRIORITY_COLORS)[]).map((p) => (
                  <Group key={p} gap={8}>
                    <div
                      style={{
                        width: 10,
                        height: 10,
                        borderRadius: 3,
                        background: `var(--mantine-color-${PRIORITY_COLORS[p].replace('.', '-')})`,
                      }}
                    />
                    <Text size="sm" w={70}>
                      {p.charAt(0).toUpperCase() + p.slice(1)}
                    </Text>
                    <Text size="sm" fw={600}>
                      {tickets[p]}
                    </Text>
                  </Group>
                ))}
              </Stack>
            </Group>
          </Card>
        )}
      </SimpleGrid>
    </Stack>
  );
}
