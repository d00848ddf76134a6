/**
 * Demo data: a believable small Kenyan ISP — plans, staff of every role, ~200 leads across the
 * pipeline, ~100 customers (half converted from won leads) with subscriptions in every state,
 * M-Pesa/cash/bank payments, tickets with comments and a timeline. Deterministic (seeded PRNG;
 * dates relative to `now`), written with plain inserts in one transaction, and idempotent: it
 * does nothing when the demo staff already exist, and refuses a database that already holds
 * customers (demo data never mixes with real data).
 */
import { randomBytes } from 'node:crypto';
import type { Role } from '@netflow/contracts';
import { activities, customers, leads, payments, plans, subscriptions, ticketComments, tickets, users, type Database } from '@netflow/db';
import { count, eq, inArray, sql } from 'drizzle-orm';
import { hashPassword } from '../modules/auth';
import { recordAudit } from '../modules/audit';
import {
  ESTATES,
  GIVEN_NAMES,
  LEAD_NOTES,
  LEAD_SOURCES,
  LOST_REASONS,
  PHONE_PREFIXES,
  SURNAMES,
  TICKET_COMMENTS,
  TICKET_SUBJECTS,
} from './kenya';
import { createRng, type Rng } from './prng';

const SEED = 20_240_601;
const DEMO_LOCK_KEY = 7_301_990_442;
const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;

/** The demo staff; the first one doubles as the "demo data present" marker. */
export const DEMO_STAFF: readonly { name: string; email: string; role: Role; phone: string }[] = [
  { name: 'Amina Otieno', email: 'amina.otieno@netflow.local', role: 'admin', phone: '0700100001' },
  { name: 'Peter Kamau', email: 'peter.kamau@netflow.local', role: 'manager', phone: '0700100002' },
  { name: 'Grace Wanjiru', email: 'grace.wanjiru@netflow.local', role: 'sales', phone: '0700100003' },
  { name: 'Brian Ochieng', email: 'brian.ochieng@netflow.local', role: 'sales', phone: '0700100004' },
  { name: 'Faith Chebet', email: 'faith.chebet@netflow.local', role: 'sales', phone: '0700100005' },
  { name: 'Mercy Akinyi', email: 'mercy.akinyi@netflow.local', role: 'support', phone: '0700100006' },
  { name: 'Dennis Mutua', email: 'dennis.mutua@netflow.local', role: 'support', phone: '0700100007' },
  { name: 'Kevin Kiprop', email: 'kevin.kiprop@netflow.local', role: 'technician', phone: '0700100008' },
  { name: 'Samuel Wafula', email: 'samuel.wafula@netflow.local', role: 'technician', phone: '0700100009' },
  { name: 'Joseph Njoroge', email: 'joseph.njoroge@netflow.local', role: 'technician', phone: '0700100010' },
  { name: 'Esther Moraa', email: 'esther.moraa@netflow.local', role: 'finance', phone: '0700100011' },
  { name: 'Collins Barasa', email: 'collins.barasa@netflow.local', role: 'finance', phone: '0700100012' },
];

/** Prices in KES cents. */
export const DEMO_PLANS: readonly (typeof plans.$inferInsert)[] = [
  { name: 'Home Basic 5 Mbps', type: 'pppoe', downloadKbps: 5_000, uploadKbps: 2_000, priceCents: 1_500_00, validityDays: 30 },
  { name: 'Home Plus 10 Mbps', type: 'pppoe', downloadKbps: 10_000, uploadKbps: 5_000, priceCents: 2_500_00, validityDays: 30 },
  { name: 'Home Premium 20 Mbps', type: 'pppoe', downloadKbps: 20_000, uploadKbps: 10_000, priceCents: 3_500_00, validityDays: 30 },
  { name: 'Business 50 Mbps', type: 'pppoe', downloadKbps: 50_000, uploadKbps: 25_000, priceCents: 8_000_00, validityDays: 30 },
  { name: 'Hotspot Daily 2 Mbps', type: 'hotspot', downloadKbps: 2_000, uploadKbps: 1_000, priceCents: 50_00, validityDays: 1 },
  { name: 'Hotspot Weekly 3 Mbps', type: 'hotspot', downloadKbps: 3_000, uploadKbps: 1_500, priceCents: 300_00, validityDays: 7 },
  {
    name: 'Home Lite 3 Mbps (retired)',
    type: 'pppoe',
    downloadKbps: 3_000,
    uploadKbps: 1_000,
    priceCents: 1_000_00,
    validityDays: 30,
    active: false,
  },
];

export interface DemoSeedOptions {
  /** Reference instant for every relative date; defaults to now. */
  now?: Date;
  /** Password of every demo staff account; random when absent (returned once). */
  password?: string;
}

export interface DemoSeedResult {
  created: boolean;
  /** Why nothing was created. */
  reason?: string;
  /** The demo staff password, when this run created the accounts. */
  password?: string;
  staff: { name: string; email: string; role: Role }[];
  counts: Record<string, number>;
}

export async function seedDemoData(db: Database, options: DemoSeedOptions = {}): Promise<DemoSeedResult> {
  const now = options.now ?? new Date();
  const password = options.password ?? randomBytes(12).toString('base64url');
  const staffList = DEMO_STAFF.map(({ name, email, role }) => ({ name, email, role }));
  const skip = await whyNot(db);
  if (skip) return { created: false, reason: skip, staff: staffList, counts: {} };
  // Hashing is slow on purpose; done once, outside the transaction.
  const passwordHash = await hashPassword(password);

  return db.transaction(async (tx) => {
    // Two start-ups seeding at once: the second waits here, then finds the marker.
    await tx.execute(sql`select pg_advisory_xact_lock(${DEMO_LOCK_KEY})`);
    const late = await whyNot(tx);
    if (late) return { created: false, reason: late, staff: staffList, counts: {} };
    const counts = await insertDemo(tx, createRng(SEED), now, passwordHash);
    await recordAudit(
      tx,
      { actorId: null, actorLabel: 'system:demo-seed', ip: null, requestId: null },
      { action: 'demo.seed', entityType: 'database', changes: counts },
    );
    return { created: true, password, staff: staffList, counts };
  });
}

async function whyNot(db: Database): Promise<string | null> {
  const marker = DEMO_STAFF[0]?.email ?? '';
  const [present] = await db.select({ id: users.id }).from(users).where(eq(users.email, marker)).limit(1);
  if (present) return 'demo data already present';
  const [existing] = await db.select({ n: count() }).from(customers);
  if ((existing?.n ?? 0) > 0) return 'the database already holds customers; demo data only goes into an empty one';
  return null;
}

type LeadInsert = typeof leads.$inferInsert;
type ActivityInsert = typeof activities.$inferInsert;
type PaymentInsert = typeof payments.$inferInsert;
type PlanRow = typeof plans.$inferSelect;
type LeadRow = typeof leads.$inferSelect;
type CustomerRow = typeof customers.$inferSelect;
type SubscriptionRow = typeof subscriptions.$inferSelect;
type PaymentRow = typeof payments.$inferSelect;
type TicketRow = typeof tickets.$inferSelect;

/**
 * What every step shares: the transaction, the one random sequence (the steps draw from it in a
 * fixed order, which is what makes the data deterministic), the clock, and people with phone
 * numbers unique across leads, customers and payers.
 */
interface SeedContext {
  tx: Database;
  rng: Rng;
  now: Date;
  ago: (ms: number) => Date;
  phone: () => string;
  person: () => { name: string; phone: string; email: string | null; address: string; location: string };
}

function seedContext(tx: Database, rng: Rng, now: Date): SeedContext {
  const ago = (ms: number) => new Date(now.getTime() - ms);
  const usedPhones = new Set<string>();
  const phone = () => {
    for (;;) {
      const candidate = `${rng.pick(PHONE_PREFIXES)}${String(rng.int(0, 999_999)).padStart(6, '0')}`;
      if (!usedPhones.has(candidate)) {
        usedPhones.add(candidate);
        return candidate;
      }
    }
  };
  const person = () => {
    const given = rng.pick(GIVEN_NAMES);
    const surname = rng.pick(SURNAMES);
    const place = rng.pick(ESTATES);
    return {
      name: `${given} ${surname}`,
      phone: phone(),
      email: rng.chance(0.4) ? `${given}.${surname}${rng.int(1, 99)}@gmail.com`.toLowerCase() : null,
      address: `${rng.pick(['Hse', 'Apt', 'Plot'])} ${rng.int(1, 240)}, ${place.road}, ${place.estate}`,
      location: `${place.estate}, ${rng.chance(0.8) ? 'Nairobi' : 'Kiambu'}`,
    };
  };
  return { tx, rng, now, ago, phone, person };
}

/** The steps in the order they draw random numbers; changing the order changes the data. */
async function insertDemo(tx: Database, rng: Rng, now: Date, passwordHash: string): Promise<Record<string, number>> {
  const ctx = seedContext(tx, rng, now);
  const catalog = await insertPlans(ctx);
  const staff = await insertStaff(ctx, passwordHash);
  const leadRows = await insertLeads(ctx, catalog, staff);
  const customerRows = await insertCustomers(ctx, leadRows, staff);
  const subs = await insertSubscriptions(ctx, catalog, customerRows);
  const paymentRows = await insertPayments(ctx, catalog, staff, customerRows, subs);
  const ticketSet = await insertTickets(ctx, staff, customerRows);
  const activityCount = await insertTimeline(ctx, {
    leadRows,
    customerRows,
    paymentRows,
    subRows: subs.rows,
    ticketRows: ticketSet.tickets,
  });
  return {
    plans: catalog.rows.length,
    staff: staff.count,
    leads: leadRows.length,
    customers: customerRows.length,
    subscriptions: subs.rows.length,
    payments: paymentRows.length,
    tickets: ticketSet.tickets.length,
    ticketComments: ticketSet.commentCount,
    activities: activityCount,
  };
}

interface PlanCatalog {
  rows: PlanRow[];
  plan(name: string): PlanRow;
  /** Names of the plans still on sale. */
  sellable: string[];
}

/** Plans (kept if an admin already created one with the same name). */
async function insertPlans({ tx }: SeedContext): Promise<PlanCatalog> {
  await tx
    .insert(plans)
    .values([...DEMO_PLANS])
    .onConflictDoNothing({ target: plans.name });
  const rows = await tx
    .select()
    .from(plans)
    .where(
      inArray(
        plans.name,
        DEMO_PLANS.map((p) => p.name),
      ),
    );
  const byName = new Map(rows.map((p) => [p.name, p]));
  const plan = (name: string) => {
    const found = byName.get(name);
    if (!found) throw new Error(`demo plan ${name} missing`);
    return found;
  };
  return { rows, plan, sellable: DEMO_PLANS.filter((p) => p.active !== false).map((p) => p.name) };
}

interface DemoStaff {
  count: number;
  sales: string[];
  technicians: string[];
  support: string[];
  finance: string[];
  managerId: string | null;
}

/** Staff of every role, all with the one demo password. */
async function insertStaff({ tx, ago }: SeedContext, passwordHash: string): Promise<DemoStaff> {
  const rows = await tx
    .insert(users)
    .values(DEMO_STAFF.map((s) => ({ ...s, passwordHash, status: 'active' as const, createdAt: ago(200 * DAY) })))
    .returning({ id: users.id, role: users.role, name: users.name });
  const byRole = (role: Role) => rows.filter((s) => s.role === role).map((s) => s.id);
  return {
    count: rows.length,
    sales: byRole('sales'),
    technicians: byRole('technician'),
    support: byRole('support'),
    finance: byRole('finance'),
    managerId: byRole('manager')[0] ?? null,
  };
}

/** Leads across the pipeline; the won ones become customers next. */
async function insertLeads({ tx, rng, now, ago, person }: SeedContext, catalog: PlanCatalog, staff: DemoStaff): Promise<LeadRow[]> {
  const stages = [
    ...Array<'new'>(45).fill('new'),
    ...Array<'contacted'>(40).fill('contacted'),
    ...Array<'qualified'>(35).fill('qualified'),
    ...Array<'won'>(55).fill('won'),
    ...Array<'lost'>(25).fill('lost'),
  ];
  const values: LeadInsert[] = rng.shuffle(stages).map((status) => {
    const who = person();
    const createdAt = ago(rng.int(status === 'new' ? 0 : 5, status === 'won' ? 400 : 120) * DAY + rng.int(0, 23) * HOUR);
    const assigneeId = rng.chance(status === 'new' ? 0.4 : 0.12) ? null : rng.pick(staff.sales);
    return {
      ...who,
      source: rng.pick(LEAD_SOURCES),
      planId: rng.chance(0.8) ? catalog.plan(rng.pick(catalog.sellable)).id : null,
      assigneeId,
      notes: rng.chance(0.5) ? rng.pick(LEAD_NOTES) : null,
      status,
      lostReason: status === 'lost' ? rng.pick(LOST_REASONS) : null,
      convertedAt: status === 'won' ? new Date(Math.min(now.getTime() - HOUR, createdAt.getTime() + rng.int(1, 10) * DAY)) : null,
      createdById: assigneeId ?? rng.pick(staff.sales),
      createdAt,
      updatedAt: createdAt,
    };
  });
  return tx.insert(leads).values(values).returning();
}

/** Customers: every won lead, plus direct sign-ups (walk-ins, a migrated list), oldest first. */
async function insertCustomers({ tx, rng, ago, person }: SeedContext, leadRows: LeadRow[], staff: DemoStaff): Promise<CustomerRow[]> {
  const wonLeads = leadRows.filter((l) => l.status === 'won');
  const values: (typeof customers.$inferInsert)[] = [
    ...wonLeads.map((l) => ({
      name: l.name,
      phone: l.phone,
      email: l.email,
      address: l.address,
      location: l.location,
      leadId: l.id,
      createdById: l.assigneeId,
      createdAt: l.convertedAt ?? l.createdAt,
      updatedAt: l.convertedAt ?? l.createdAt,
    })),
    ...Array.from({ length: 45 }, () => {
      const createdAt = ago(rng.int(3, 400) * DAY);
      return { ...person(), createdById: rng.pick(staff.sales), createdAt, updatedAt: createdAt };
    }),
  ].sort((a, b) => (a.createdAt?.getTime() ?? 0) - (b.createdAt?.getTime() ?? 0));
  return tx.insert(customers).values(values).returning();
}

type SubState = 'pending' | 'cancelled' | 'suspended' | 'expiring' | 'active';

interface DemoSubscriptions {
  rows: SubscriptionRow[];
  /** Per row: whose it is (index into the customer rows), the state it was made in, its plan. */
  meta: { customerIndex: number; state: SubState; planName: string }[];
}

/** One subscription per customer, in every state; customer status follows them (see syncCustomerStatus). */
async function insertSubscriptions(
  { tx, rng, now, ago }: SeedContext,
  catalog: PlanCatalog,
  customerRows: CustomerRow[],
): Promise<DemoSubscriptions> {
  const states: SubState[] = rng.shuffle([
    ...Array<SubState>(7).fill('pending'),
    ...Array<SubState>(4).fill('cancelled'),
    ...Array<SubState>(18).fill('suspended'),
    ...Array<SubState>(12).fill('expiring'),
  ]);
  while (states.length < customerRows.length) states.push('active');
  // Pending installs are the newest customers.
  const newestFirst = [...customerRows].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  const pendingSet = new Set(newestFirst.slice(0, 7).map((c) => c.id));
  const others = states.filter((s) => s !== 'pending');

  const values: (typeof subscriptions.$inferInsert)[] = [];
  const meta: DemoSubscriptions['meta'] = [];
  const customerStatus = new Map<string, 'active' | 'suspended' | 'inactive'>();
  let otherIndex = 0;
  customerRows.forEach((c, customerIndex) => {
    const state: SubState = pendingSet.has(c.id) ? 'pending' : (others[otherIndex++] ?? 'active');
    const planName = rng.weighted<string>([
      ['Home Basic 5 Mbps', 25],
      ['Home Plus 10 Mbps', 35],
      ['Home Premium 20 Mbps', 15],
      ['Business 50 Mbps', 8],
      ['Hotspot Daily 2 Mbps', 7],
      ['Hotspot Weekly 3 Mbps', 10],
    ]);
    const p = catalog.plan(planName);
    const validity = p.validityDays * DAY;
    let expiresAt: Date | null = null;
    let suspendedAt: Date | null = null;
    let cancelledAt: Date | null = null;
    if (state === 'expiring') expiresAt = new Date(now.getTime() + rng.int(6, Math.min(7 * 24, p.validityDays * 24) - 1) * HOUR);
    if (state === 'active') {
      const minHours = Math.min(8 * 24, p.validityDays * 24 - 1);
      expiresAt = new Date(now.getTime() + rng.int(Math.max(2, minHours), p.validityDays * 24) * HOUR);
    }
    if (state === 'suspended') {
      expiresAt = ago(rng.int(2, 40) * DAY + rng.int(0, 23) * HOUR);
      suspendedAt = new Date(expiresAt.getTime() + 24 * HOUR);
    }
    if (state === 'cancelled') {
      expiresAt = ago(rng.int(30, 120) * DAY);
      cancelledAt = new Date(expiresAt.getTime() + rng.int(1, 20) * DAY);
    }
    // Paid periods so far: a customer since long ago has renewed many times.
    const periods = rng.int(1, 6);
    const startsAt = expiresAt ? new Date(Math.max(c.createdAt.getTime(), expiresAt.getTime() - periods * validity)) : null;
    values.push({
      customerId: c.id,
      planId: p.id,
      status: state === 'expiring' ? 'active' : state,
      pppoeUsername: state === 'pending' ? null : c.accountNumber.toLowerCase().replace(/[^a-z0-9]/g, ''),
      startsAt,
      expiresAt,
      suspendedAt,
      cancelledAt,
      createdAt: c.createdAt,
      updatedAt: suspendedAt ?? cancelledAt ?? c.createdAt,
    });
    meta.push({ customerIndex, state, planName });
    if (state === 'suspended') customerStatus.set(c.id, 'suspended');
    if (state === 'cancelled') customerStatus.set(c.id, 'inactive');
  });
  const rows = await tx.insert(subscriptions).values(values).returning();
  for (const [customerId, status] of customerStatus) {
    await tx.update(customers).set({ status }).where(eq(customers.id, customerId));
  }
  return { rows, meta };
}

/**
 * Payments: one per paid period, mostly M-Pesa, a few partial top-ups (credit, on the customer's
 * balance), money waiting for finance to match it, and two reversed duplicates.
 */
async function insertPayments(
  { tx, rng, now, ago, phone }: SeedContext,
  catalog: PlanCatalog,
  staff: DemoStaff,
  customerRows: CustomerRow[],
  subs: DemoSubscriptions,
): Promise<PaymentRow[]> {
  const usedRefs = new Set<string>();
  const mpesaId = (at: Date) => {
    for (;;) {
      const year = String.fromCharCode('R'.charCodeAt(0) + Math.max(0, at.getUTCFullYear() - 2023));
      const month = String.fromCharCode('A'.charCodeAt(0) + at.getUTCMonth());
      const day = '123456789ABCDEFGHIJKLMNOPQRSTUV'[at.getUTCDate() - 1] ?? '1';
      const tail = Array.from({ length: 7 }, () => 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789'[rng.int(0, 33)]).join('');
      const id = `${year}${month}${day}${tail}`;
      if (!usedRefs.has(`mpesa:${id}`)) {
        usedRefs.add(`mpesa:${id}`);
        return id;
      }
    }
  };
  let receiptNo = 1000;
  const reference = (method: 'mpesa' | 'cash' | 'bank', at: Date) => {
    if (method === 'mpesa') return mpesaId(at);
    receiptNo += 1;
    return method === 'cash' ? `RCPT-${at.getUTCFullYear()}-${receiptNo}` : `EQ-FT${at.getUTCFullYear()}${receiptNo}`;
  };
  const values: PaymentInsert[] = [];
  const balances = new Map<string, number>();
  subs.rows.forEach((s, i) => {
    const meta = subs.meta[i];
    const c = meta ? customerRows[meta.customerIndex] : undefined;
    if (!meta || !c) return;
    const p = catalog.plan(meta.planName);
    const method = () =>
      rng.weighted<'mpesa' | 'cash' | 'bank'>([
        ['mpesa', 85],
        ['cash', 10],
        ['bank', p.type === 'pppoe' && p.priceCents >= 8_000_00 ? 30 : 3],
      ]);
    const add = (amountCents: number, paidAt: Date) => {
      const m = method();
      values.push({
        method: m,
        reference: reference(m, paidAt),
        amountCents,
        accountReference: c.accountNumber,
        payerName: m === 'mpesa' ? c.name.toUpperCase() : c.name,
        payerPhone: m === 'mpesa' ? c.phone : null,
        customerId: c.id,
        subscriptionId: s.id,
        status: 'applied',
        paidAt,
        recordedById: rng.pick(staff.finance),
        createdAt: paidAt,
      });
    };
    if (meta.state === 'pending') {
      if (rng.chance(0.6)) {
        add(p.priceCents, ago(rng.int(1, 48) * HOUR));
        balances.set(c.id, p.priceCents);
      }
      return;
    }
    if (!s.startsAt || !s.expiresAt) return;
    const validity = p.validityDays * DAY;
    for (let start = s.startsAt.getTime(); start + validity <= s.expiresAt.getTime() + 1000; start += validity) {
      const paidAt = new Date(Math.min(now.getTime() - HOUR, start - rng.int(0, 36) * HOUR));
      add(p.priceCents, paidAt);
    }
    if (meta.state === 'active' && rng.chance(0.08)) {
      const topUp = Math.round(p.priceCents / 4 / 100) * 100 || 100;
      add(topUp, ago(rng.int(1, 5) * DAY));
      balances.set(c.id, topUp);
    }
  });
  for (const [customerId, balanceCents] of balances) {
    await tx.update(customers).set({ balanceCents }).where(eq(customers.id, customerId));
  }
  // Money that arrived with an account number nobody has: waiting for finance to assign it.
  for (const typed of ['NF-00O012', 'HOUSE 14', '0722000000', 'ACC 12B', 'KASARANI']) {
    const paidAt = ago(rng.int(2, 200) * HOUR);
    values.push({
      method: 'mpesa',
      reference: mpesaId(paidAt),
      amountCents: rng.pick([1_500_00, 2_500_00, 50_00, 300_00]),
      accountReference: typed,
      payerName: `${rng.pick(GIVEN_NAMES)} ${rng.pick(SURNAMES)}`.toUpperCase(),
      payerPhone: phone(),
      status: 'unmatched',
      paidAt,
      createdAt: paidAt,
    });
  }
  // Two duplicates keyed in by hand and reversed by the manager (no effect left on any account).
  for (const c of rng.shuffle(customerRows).slice(0, 2)) {
    const paidAt = ago(rng.int(5, 30) * DAY);
    values.push({
      method: 'cash',
      reference: reference('cash', paidAt),
      amountCents: 2_500_00,
      accountReference: c.accountNumber,
      payerName: c.name,
      customerId: c.id,
      status: 'reversed',
      paidAt,
      recordedById: rng.pick(staff.finance),
      reversedAt: new Date(paidAt.getTime() + 2 * HOUR),
      reversedById: staff.managerId,
      reversalReason: 'Duplicate entry of the same receipt',
      createdAt: paidAt,
    });
  }
  return tx.insert(payments).values(values).returning();
}

/** Tickets in every state, with comments by whoever works them. */
async function insertTickets(
  { tx, rng, ago }: SeedContext,
  staff: DemoStaff,
  customerRows: CustomerRow[],
): Promise<{ tickets: TicketRow[]; commentCount: number }> {
  type TicketStatus = (typeof tickets.$inferInsert)['status'] & string;
  const ticketStates: TicketStatus[] = rng.shuffle([
    ...Array<TicketStatus>(6).fill('new'),
    ...Array<TicketStatus>(10).fill('open'),
    ...Array<TicketStatus>(6).fill('pending'),
    ...Array<TicketStatus>(8).fill('resolved'),
    ...Array<TicketStatus>(10).fill('closed'),
  ]);
  const ticketValues: (typeof tickets.$inferInsert)[] = ticketStates.map((status) => {
    const c = rng.pick(customerRows);
    const createdAt = ago(rng.int(status === 'new' ? 0 : 2, 60) * DAY + rng.int(0, 23) * HOUR);
    const assigneeId = status === 'new' ? null : rng.chance(0.75) ? rng.pick(staff.technicians) : rng.pick(staff.support);
    const done = status === 'resolved' || status === 'closed';
    return {
      customerId: c.id,
      subject: rng.pick(TICKET_SUBJECTS),
      description: rng.chance(0.6) ? `Customer called from ${c.phone}. ${rng.pick(TICKET_COMMENTS)}` : null,
      priority: rng.weighted<'low' | 'normal' | 'high' | 'urgent'>([
        ['low', 15],
        ['normal', 50],
        ['high', 25],
        ['urgent', 10],
      ]),
      status,
      assigneeId,
      createdById: rng.pick([...staff.support, ...staff.sales]),
      resolvedAt: done ? new Date(createdAt.getTime() + rng.int(2, 72) * HOUR) : null,
      createdAt,
      updatedAt: createdAt,
    };
  });
  const ticketRows = await tx.insert(tickets).values(ticketValues).returning();
  const commentValues: (typeof ticketComments.$inferInsert)[] = [];
  for (const ticket of ticketRows) {
    const n = ticket.status === 'new' ? 0 : rng.int(0, 3);
    for (let k = 0; k < n; k += 1) {
      commentValues.push({
        ticketId: ticket.id,
        authorId: ticket.assigneeId ?? rng.pick(staff.support),
        body: rng.pick(TICKET_COMMENTS),
        createdAt: new Date(ticket.createdAt.getTime() + (k + 1) * rng.int(1, 8) * HOUR),
      });
    }
  }
  if (commentValues.length > 0) await tx.insert(ticketComments).values(commentValues);
  return { tickets: ticketRows, commentCount: commentValues.length };
}

/** Timelines: lead notes and moves, conversions, the last payment, suspensions, tickets. Returns how many entries. */
async function insertTimeline(
  { tx, rng }: SeedContext,
  rows: {
    leadRows: LeadRow[];
    customerRows: CustomerRow[];
    paymentRows: PaymentRow[];
    subRows: SubscriptionRow[];
    ticketRows: TicketRow[];
  },
): Promise<number> {
  const values: ActivityInsert[] = [];
  for (const lead of rows.leadRows) {
    const actorId = lead.assigneeId ?? lead.createdById;
    const notes = lead.status === 'new' ? rng.int(0, 1) : rng.int(1, 3);
    for (let k = 0; k < notes; k += 1) {
      values.push({
        leadId: lead.id,
        kind: rng.pick(['note', 'call', 'call', 'visit'] as const),
        body: rng.pick(LEAD_NOTES),
        actorId,
        createdAt: new Date(lead.createdAt.getTime() + (k + 1) * rng.int(2, 30) * HOUR),
      });
    }
    if (lead.status !== 'new') {
      values.push({
        leadId: lead.id,
        kind: 'status_change',
        body: lead.status === 'lost' ? `Marked lost: ${lead.lostReason ?? ''}` : `Moved to ${lead.status}`,
        data: { to: lead.status },
        actorId,
        createdAt: new Date(lead.createdAt.getTime() + 4 * DAY),
      });
    }
  }
  for (const c of rows.customerRows) {
    if (c.leadId) {
      values.push({
        leadId: c.leadId,
        customerId: c.id,
        kind: 'conversion',
        body: `Converted to customer ${c.accountNumber}`,
        actorId: c.createdById,
        createdAt: c.createdAt,
      });
    }
  }
  const lastPayment = new Map<string, PaymentRow>();
  for (const p of rows.paymentRows) {
    if (!p.customerId || p.status !== 'applied') continue;
    const seen = lastPayment.get(p.customerId);
    if (!seen || seen.paidAt < p.paidAt) lastPayment.set(p.customerId, p);
  }
  for (const [customerId, p] of lastPayment) {
    values.push({
      customerId,
      kind: 'payment',
      body: `Payment ${p.reference} (KES ${(p.amountCents / 100).toLocaleString('en-KE')}) received`,
      data: { paymentId: p.id },
      actorId: p.recordedById,
      createdAt: p.paidAt,
    });
  }
  for (const s of rows.subRows) {
    if (s.status === 'suspended' && s.suspendedAt) {
      values.push({
        customerId: s.customerId,
        kind: 'subscription',
        body: 'Subscription suspended: expired and past the grace period',
        data: { subscriptionId: s.id },
        createdAt: s.suspendedAt,
      });
    }
  }
  for (const ticket of rows.ticketRows) {
    values.push({
      customerId: ticket.customerId,
      kind: 'ticket',
      body: `Ticket opened: ${ticket.subject}`,
      data: { ticketId: ticket.id },
      actorId: ticket.createdById,
      createdAt: ticket.createdAt,
    });
  }
  for (let i = 0; i < values.length; i += 500) {
    await tx.insert(activities).values(values.slice(i, i + 500));
  }
  return values.length;
}
