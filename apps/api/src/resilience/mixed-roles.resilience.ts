/**
 * (e) 10,000 mixed authorised requests from all six roles against one instance on a private
 * PostgreSQL: zero 5xx and zero cross-role leaks. Each answer is checked against the role matrix in
 * contracts (a permission the role lacks answers 403, one it has 200), against record scopes (sales
 * see only their own and unassigned leads, technicians only the tickets assigned to them; someone
 * else's record answers 404), and against secrets in bodies (no password hash, no token).
 */
import { can, ROLES, type Permission, type Role } from '@netflow/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createStaff, load, startApi, type Answer, type Api, type Staff } from './stack';
import { missingTools, startPrivatePostgres, type PrivatePostgres } from './services';

const skip = missingTools();
const TOTAL = Number(process.env.RESILIENCE_MIXED_REQUESTS ?? 10_000);
let pg: PrivatePostgres;
let api: Api;
const staff = {} as Record<Role, Staff>;
let otherSales: Staff;
let otherTechnician: Staff;
const ids = { ownLead: '', othersLead: '', unassignedLead: '', customer: '', ownTicket: '', othersTicket: '' };

async function post<T>(path: string, token: string, body: unknown): Promise<T> {
  const res = await call(api.origin, 'seed', path, { method: 'POST', token, body });
  if (res.status !== 201 && res.status !== 200) throw new Error(`${path}: ${res.status} ${res.body}`);
  return JSON.parse(res.body) as T;
}

beforeAll(async () => {
  if (skip) return;
  pg = await startPrivatePostgres();
  api = await startApi(pg.url);
  for (const role of ROLES) staff[role] = await createStaff(api, role);
  otherSales = await createStaff(api, 'sales');
  otherTechnician = await createStaff(api, 'technician');
  ids.ownLead = (await post<{ id: string }>('/api/leads', staff.sales.token, { name: 'Own lead', phone: '0747000001' })).id;
  ids.othersLead = (await post<{ id: string }>('/api/leads', otherSales.token, { name: 'Other lead', phone: '0747000002' })).id;
  ids.unassignedLead = (await post<{ id: string }>('/api/leads', staff.admin.token, { name: 'Unassigned lead', phone: '0747000003' })).id;
  ids.customer = (await post<{ id: string }>('/api/customers', staff.admin.token, { name: 'Mixed customer', phone: '0747000004' })).id;
  ids.ownTicket = (
    await post<{ id: string }>('/api/tickets', staff.admin.token, {
      customerId: ids.customer,
      subject: 'Mine',
      assigneeId: staff.technician.id,
    })
  ).id;
  ids.othersTicket = (
    await post<{ id: string }>('/api/tickets', staff.admin.token, {
      customerId: ids.customer,
      subject: 'Theirs',
      assigneeId: otherTechnician.id,
    })
  ).id;
  await post('/api/payments', staff.finance.token, {
    customerId: ids.customer,
    method: 'cash',
    reference: `MIX${Date.now().toString(36)}`,
    amountCents: 50_000,
  });
});
afterAll(async () => {
  await api?.close();
  await pg?.destroy();
});

interface Probe {
  path: string;
  permission: Permission;
  /** For a role holding the permission: the status it must get (record scopes), default 200. */
  expectFor?: (role: Role) => number;
  /** Checks a 200 body for what this role must not see. */
  leak?: (role: Role, body: unknown) => string | null;
}

const probes = (): Probe[] => [
  { path: '/api/dashboard', permission: 'dashboard.read' },
  {
    path: '/api/leads?limit=50',
    permission: 'leads.read',
    leak: (role, body) => {
      const names = (body as { items: { name: string }[] }).items.map((l) => l.name);
      return role === 'sales' && names.includes('Other lead') ? 'sales saw another salesperson’s lead' : null;
    },
  },
  { path: `/api/leads/${ids.othersLead}`, permission: 'leads.read', expectFor: (role) => (role === 'sales' ? 404 : 200) },
  { path: `/api/leads/${ids.ownLead}`, permission: 'leads.read' },
  { path: `/api/leads/${ids.unassignedLead}`, permission: 'leads.read' },
  { path: '/api/customers?limit=20', permission: 'customers.read' },
  { path: `/api/customers/${ids.customer}`, permission: 'customers.read' },
  { path: '/api/plans', permission: 'plans.read' },
  { path: '/api/subscriptions?limit=20', permission: 'subscriptions.read' },
  { path: '/api/payments?limit=20', permission: 'payments.read' },
  {
    path: '/api/tickets?limit=50',
    permission: 'tickets.read',
    leak: (role, body) => {
      const subjects = (body as { items: { subject: string }[] }).items.map((t) => t.subject);
      return role === 'technician' && subjects.includes('Theirs') ? 'a technician saw a ticket assigned to someone else' : null;
    },
  },
  { path: `/api/tickets/${ids.othersTicket}`, permission: 'tickets.read', expectFor: (role) => (role === 'technician' ? 404 : 200) },
  { path: `/api/tickets/${ids.ownTicket}`, permission: 'tickets.read' },
  { path: '/api/users?limit=20', permission: 'users.read' },
  { path: '/api/audit?limit=20', permission: 'audit.read' },
  { path: `/api/customers/${ids.customer}/activities`, permission: 'customers.read' },
];

describe.skipIf(skip)('mixed roles under load', () => {
  it(`${TOTAL} requests from all six roles: no 5xx, every answer as the role matrix says, nothing leaked`, async () => {
    const list = probes();
    // Every role asks every probe in turn: role i % 6, probe (i / 6) % probes.
    const plan = Array.from({ length: TOTAL }, (_, i) => ({
      role: ROLES[i % ROLES.length] ?? 'admin',
      probe: list[Math.floor(i / ROLES.length) % list.length] ?? list[0],
    })) as { role: Role; probe: Probe }[];
    const answers: (Answer & { role: Role; probe: Probe })[] = [];
    const started = Date.now();
    await load({
      concurrency: 16,
      count: TOTAL,
      next: async (i) => {
        const { role, probe } = plan[i] ?? { role: 'admin', probe: list[0] as Probe };
        const answer = await call(api.origin, `${role} ${probe.path}`, probe.path, { token: staff[role].token });
        answers.push({ ...answer, role, probe });
        return answer;
      },
    });
    const seconds = (Date.now() - started) / 1000;

    expect(answers).toHaveLength(TOTAL);
    const serverErrors = answers.filter((a) => a.status >= 500 || a.status === 0);
    expect(serverErrors.map((a) => `${a.label}: ${a.status}`)).toEqual([]);
    const wrong: string[] = [];
    for (const a of answers) {
      const expected = can(a.role, a.probe.permission) ? (a.probe.expectFor?.(a.role) ?? 200) : 403;
      if (a.status !== expected) wrong.push(`${a.label}: ${a.status}, expected ${expected}`);
      if (/passwordHash|password_hash|\$argon2|"token"/.test(a.body)) wrong.push(`${a.label}: a secret in the body`);
      if (a.status === 200 && a.probe.leak) {
        const leak = a.probe.leak(a.role, JSON.parse(a.body));
        if (leak) wrong.push(`${a.label}: ${leak}`);
      }
    }
    expect([...new Set(wrong)].slice(0, 20)).toEqual([]);
    const byRole = Object.fromEntries(ROLES.map((r) => [r, answers.filter((a) => a.role === r && a.status === 200).length]));
    console.info(
      `mixed roles: ${TOTAL} requests in ${seconds.toFixed(1)} s (${Math.round(TOTAL / seconds)}/s), 200s per role ${JSON.stringify(byRole)}`,
    );
  });
});
