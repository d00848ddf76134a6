import { describe, expect, it } from 'vitest';
import { PERMISSION_MATRIX, PERMISSIONS, ROLES, can, scopeOf } from './roles';

describe('permission matrix (README: roles)', () => {
  it('admin holds every permission, for all records', () => {
    for (const p of PERMISSIONS) expect(scopeOf('admin', p)).toBe('all');
  });

  it('manager holds everything but managing users and settings, which it may read', () => {
    expect(can('manager', 'users.read')).toBe(true);
    expect(can('manager', 'users.manage')).toBe(false);
    expect(can('manager', 'settings.manage')).toBe(false);
    expect(can('manager', 'audit.read')).toBe(true);
    expect(can('manager', 'payments.reverse')).toBe(true);
  });

  it.each([
    ['sales', 'leads.read', 'own'],
    ['sales', 'leads.write', 'own'],
    ['sales', 'customers.create', 'all'],
    ['sales', 'subscriptions.create', 'all'],
    ['sales', 'tickets.create', 'all'],
    ['support', 'leads.read', 'all'],
    ['support', 'tickets.update', 'all'],
    ['technician', 'tickets.read', 'assigned'],
    ['technician', 'subscriptions.provision', 'all'],
    ['finance', 'payments.record', 'all'],
    ['finance', 'subscriptions.suspend', 'all'],
    ['finance', 'subscriptions.restore', 'all'],
  ] as const)('%s has %s with scope %s', (role, permission, scope) => {
    expect(scopeOf(role, permission)).toBe(scope);
  });

  it.each([
    ['sales', 'users.read'],
    ['sales', 'audit.read'],
    ['sales', 'payments.read'],
    ['sales', 'leads.export'],
    ['support', 'leads.write'],
    ['support', 'payments.record'],
    ['technician', 'leads.read'],
    ['technician', 'payments.read'],
    ['finance', 'leads.read'],
    ['finance', 'payments.reverse'],
    ['finance', 'subscriptions.cancel'],
  ] as const)('%s lacks %s (deny by default)', (role, permission) => {
    expect(can(role, permission)).toBe(false);
    expect(scopeOf(role, permission)).toBeNull();
  });

  it('grants only known permissions to known roles', () => {
    expect(Object.keys(PERMISSION_MATRIX).sort()).toEqual([...ROLES].sort());
    for (const grants of Object.values(PERMISSION_MATRIX)) {
      for (const p of Object.keys(grants)) expect(PERMISSIONS).toContain(p);
    }
  });

  it('only admin and manager may reverse payments or read the audit log', () => {
    for (const role of ROLES) {
      const expected = role === 'admin' || role === 'manager';
      expect(can(role, 'payments.reverse')).toBe(expected);
      expect(can(role, 'audit.read')).toBe(expected);
    }
  });

  it('only admin reads or manages the job queue', () => {
    for (const role of ROLES) {
      expect(can(role, 'jobs.read')).toBe(role === 'admin');
      expect(can(role, 'jobs.manage')).toBe(role === 'admin');
    }
  });
});
