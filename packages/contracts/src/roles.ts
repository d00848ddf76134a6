/**
 * Roles and the role → permission matrix as data (the table in docs/ARCHITECTURE.md). The API enforces it
 * (permission procedures, record scopes) and the web client reads the same data to hide what a
 * role cannot do. Anything not granted here is denied.
 */
import { z } from 'zod';

export const ROLES = ['admin', 'manager', 'sales', 'support', 'technician', 'finance'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

export const PERMISSIONS = [
  'users.read',
  'users.manage',
  'settings.read',
  'settings.manage',
  'audit.read',
  'dashboard.read',
  'leads.read',
  'leads.write',
  'leads.export',
  'customers.read',
  'customers.create',
  'customers.update',
  'customers.export',
  'plans.read',
  'plans.manage',
  'subscriptions.read',
  'subscriptions.create',
  'subscriptions.provision',
  'subscriptions.suspend',
  'subscriptions.restore',
  'subscriptions.cancel',
  'routers.read',
  'routers.manage',
  'payments.read',
  'payments.record',
  'payments.assign',
  'payments.reverse',
  'payments.move',
  // One customer's payments, read-only (the front desk answering "I paid but I'm off").
  'payments.lookup',
  'payments.export',
  'tickets.read',
  'tickets.create',
  'tickets.update',
  'tickets.comment',
  'sms.read',
  'sms.optout',
  'jobs.read',
  'jobs.manage',
] as const;
export const permissionSchema = z.enum(PERMISSIONS);
export type Permission = z.infer<typeof permissionSchema>;

/**
 * How far a grant reaches: `all` records, the caller's `own` plus unassigned ones (sales and
 * leads), or only the records `assigned` to the caller (technicians and tickets).
 */
export type Scope = 'all' | 'own' | 'assigned';

type Grants = Partial<Record<Permission, Scope>>;

const all = (...permissions: Permission[]): Grants => Object.fromEntries(permissions.map((p) => [p, 'all' as const]));

const everything = all(...PERMISSIONS);

export const PERMISSION_MATRIX: Readonly<Record<Role, Readonly<Grants>>> = {
  admin: everything,
  manager: Object.fromEntries(
    // The job queue (payloads, failures, retry) is an operator's tool: admin only; so are router writes.
    Object.entries(everything).filter(
      ([p]) => p !== 'users.manage' && p !== 'settings.manage' && p !== 'routers.manage' && !p.startsWith('jobs.'),
    ),
  ),
  sales: {
    'dashboard.read': 'all',
    'leads.read': 'own',
    'leads.write': 'own',
    // Who may create subscriptions sees them (else the customer page hides what they just made).
    ...all('customers.read', 'customers.create', 'plans.read', 'subscriptions.read', 'subscriptions.create', 'tickets.create'),
    // Records a customer's "no SMS" at the door; message bodies (receipts carry amounts) stay hidden.
    'sms.optout': 'all',
  },
  support: all(
    'dashboard.read',
    'payments.lookup',
    'leads.read',
    'customers.read',
    'plans.read',
    'subscriptions.read',
    'tickets.read',
    'tickets.create',
    'tickets.update',
    'tickets.comment',
    'sms.read',
    'sms.optout',
  ),
  technician: {
    ...all('dashboard.read', 'customers.read', 'plans.read', 'subscriptions.read', 'subscriptions.provision'),
    'tickets.read': 'assigned',
    'tickets.update': 'assigned',
    'tickets.comment': 'assigned',
  },
  finance: {
    // Finance corrects what it recorded (or what arrived by M-Pesa, unrecorded); a colleague's
    // payment is moved by a manager.
    'payments.move': 'own',
    ...all(
      'dashboard.read',
      'customers.read',
      'plans.read',
      // The matrix gives finance "suspend, restore"; it must also list the subscriptions it acts on.
      'subscriptions.read',
      'subscriptions.suspend',
      'subscriptions.restore',
      'payments.read',
      'payments.record',
      'payments.assign',
      'payments.export',
      'customers.export',
      'tickets.read',
      'sms.read',
    ),
  },
};

/** The scope of a grant, or null when the role lacks the permission. */
export function scopeOf(role: Role, permission: Permission): Scope | null {
  return PERMISSION_MATRIX[role][permission] ?? null;
}

export function can(role: Role, permission: Permission): boolean {
  return scopeOf(role, permission) !== null;
}
