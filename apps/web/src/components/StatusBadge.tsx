/**
 * One colour language for every status and priority in the product. Colours come from the AA
 * tones in index.css (`nf-tone-*`); within one kind of record every status has its own tone, and
 * priorities are outlined pills with an arrow, so a priority is never mistaken for a status.
 */
import { Badge, type BadgeProps } from '@mantine/core';
import { IconAlertTriangle, IconArrowDown, IconArrowUp, IconMinus } from '@tabler/icons-react';
import { humanize } from '../lib/format';

type Tone = 'blue' | 'cyan' | 'violet' | 'teal' | 'gray' | 'orange' | 'yellow' | 'red' | 'indigo' | 'grape' | 'pink';

const COLORS: Record<string, Tone> = {
  // leads
  new: 'blue',
  contacted: 'cyan',
  qualified: 'violet',
  won: 'teal',
  lost: 'gray',
  // customers, subscriptions, users
  active: 'teal',
  suspended: 'orange',
  inactive: 'gray',
  pending: 'yellow',
  cancelled: 'gray',
  disabled: 'red',
  // payments
  applied: 'teal',
  unmatched: 'orange',
  reversed: 'red',
  // tickets (new is blue as for leads)
  open: 'cyan',
  resolved: 'teal',
  closed: 'gray',
  // audit outcomes
  success: 'teal',
  failure: 'red',
  denied: 'orange',
};

const PRIORITY_COLORS: Record<string, Tone> = {
  low: 'gray',
  normal: 'blue',
  high: 'orange',
  urgent: 'red',
};

const PRIORITY_ICONS = { low: IconArrowDown, normal: IconMinus, high: IconArrowUp, urgent: IconAlertTriangle } as const;

export function StatusBadge({ status, className, ...props }: { status: string } & BadgeProps) {
  return (
    <Badge
      variant="light"
      radius="sm"
      className={`nf-badge nf-tone-${COLORS[status] ?? 'gray'}${className ? ` ${className}` : ''}`}
      data-status={status}
      {...props}
    >
      {humanize(status)}
    </Badge>
  );
}

export function PriorityBadge({ priority, className, ...props }: { priority: string } & BadgeProps) {
  const Icon = PRIORITY_ICONS[priority as keyof typeof PRIORITY_ICONS] ?? IconMinus;
  return (
    <Badge
      variant="outline"
      radius="xl"
      className={`nf-badge nf-badge-priority nf-tone-${PRIORITY_COLORS[priority] ?? 'gray'}${className ? ` ${className}` : ''}`}
      data-urgent={priority === 'urgent' ? true : undefined}
      data-priority={priority}
      leftSection={<Icon size={12} stroke={2.2} aria-hidden />}
      {...props}
    >
      {humanize(priority)}
    </Badge>
  );
}

/** A Mantine colour name for charts and dots beside a status (not for text on a tint). */
export function statusColor(status: string): string {
  return COLORS[status] ?? 'gray';
}
