/** The navigation, driven by the contracts permission matrix: a page a role cannot use is not offered. */
import type { Permission } from '@netflow/contracts';
import {
  IconAddressBook,
  IconCash,
  IconGauge,
  IconHistory,
  IconLayoutKanban,
  IconLifebuoy,
  IconMessage,
  IconListCheck,
  IconPackage,
  IconRouter,
  IconTargetArrow,
  IconUsersGroup,
  type Icon,
} from '@tabler/icons-react';

export interface NavItem {
  to: string;
  label: string;
  icon: Icon;
  permission: Permission;
  /** Extra paths that highlight this entry (e.g. /leads/board for Leads). */
  end?: boolean;
}

export interface NavGroup {
  label: string;
  items: NavItem[];
}

export const NAV: NavGroup[] = [
  {
    label: 'Overview',
    items: [{ to: '/', label: 'Dashboard', icon: IconGauge, permission: 'dashboard.read', end: true }],
  },
  {
    label: 'Sales',
    items: [
      { to: '/leads', label: 'Leads', icon: IconTargetArrow, permission: 'leads.read', end: true },
      { to: '/leads/board', label: 'Pipeline board', icon: IconLayoutKanban, permission: 'leads.read' },
      { to: '/customers', label: 'Customers', icon: IconAddressBook, permission: 'customers.read' },
    ],
  },
  {
    label: 'Billing',
    items: [
      { to: '/plans', label: 'Plans', icon: IconPackage, permission: 'plans.read' },
      { to: '/subscriptions', label: 'Subscriptions', icon: IconRouter, permission: 'subscriptions.read' },
      { to: '/payments', label: 'Payments', icon: IconCash, permission: 'payments.read' },
    ],
  },
  {
    label: 'Support',
    items: [{ to: '/tickets', label: 'Tickets', icon: IconLifebuoy, permission: 'tickets.read' }],
  },
  {
    label: 'Administration',
    items: [
      { to: '/users', label: 'Users', icon: IconUsersGroup, permission: 'users.read' },
      { to: '/audit', label: 'Audit log', icon: IconHistory, permission: 'audit.read' },
      { to: '/routers', label: 'Routers', icon: IconRouter, permission: 'routers.read' },
      { to: '/sms/templates', label: 'SMS templates', icon: IconMessage, permission: 'settings.read' },
      { to: '/jobs', label: 'Jobs', icon: IconListCheck, permission: 'jobs.read' },
    ],
  },
];
