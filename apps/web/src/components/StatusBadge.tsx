/** One colour language for every status and priority in the product. */
import { Badge, type BadgeProps } from '@mantine/core';
import { humanize } from '../lib/format';

const COLORS: Record<string, string> = {
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
  // tickets
  open: 'blue',
  resolved: 'teal',
  closed: 'gray',
  // audit outcomes
  success: 'teal',
  failure: 'red',
  denied: 'orange',
};

const PRIORITY_COLORS: Record<string, string> = {
  low: 'gray',
  normal: 'blue',
  high: 'orange',
  urgent: 'red',
};

export function StatusBadge({ status, ...props }: { status: string } & BadgeProps) {
  return (
    <Badge color={COLORS[status] ?? 'gray'} {...props}>
      {humanize(status)}
    </Badge>
  );
}

export function PriorityBadge({ priority, ...props }: { priority: string } & BadgeProps) {
  return (
    <Badge color={PRIORITY_COLORS[priority] ?? 'gray'} variant={priority === 'urgent' ? 'filled' : 'light'} {...props}>
      {humanize(priority)}
    </Badge>
  );
}

export function statusColor(status: string): string {
  return COLORS[status] ?? 'gray';
}
