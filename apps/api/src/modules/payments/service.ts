/**
 * Payments: money received by M-Pesa, cash or bank. Owns recording (one payment per external
 * reference and method), matching by account number (never by phone alone), application to a
 * subscription (renewal + customer balance) in the same transaction, assignment of unmatched
 * payments, and reversal.
 *
 * Balance model: `customers.balance_cents` is credit not yet turned into service time. An applied
 * payment adds its amount to the credit; when the customer has an active or suspended
 * subscription, every whole plan price in the credit buys one validity period (at most ~3 years
 * per payment), and the rest stays as credit for the next payment. What a payment changed is
 * written to its `payment.apply` audit row (tamper-evident, append-only), which is where a
 * reversal reads what to undo.
 */
import type { AssignPaymentInput, ListPaymentsInput, Payment, RecordPaymentInput, ReversePaymentInput } from '@netflow/contracts';
import { auditLog, customers, payments, plans, subscriptions, type Database } from '@netflow/db';
import { TRPCError } from '@trpc/server';
import { and, asc, desc, eq, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import { keyset, toPage, type Page, type SortType } from '../../lib/pagination';
import { isUniqueViolation } from '../../lib/pg-errors';
import { searchAny } from '../../lib/search';
import { audit } from '../audit';
import type { AuditEntry } from '../audit';
import {
  addDays,
  auditCustomerStatus,
  renewSubscription,
  syncCustomerStatus,
  type AuditContext,
  type CustomerStatusChange,
  type RenewalEffect,
} from '../subscriptions/service';
import { addCustomerActivity } from '../activities';

type PaymentRow = typeof payments.$inferSelect;

/** One payment buys at most this much service time; the rest stays as credit. */
const MAX_DAYS_PER_PAYMENT = 1096;
/** Clock skew tolerated on `paidAt` before it counts as "in the future". */
const FUTURE_SKEW_MS = 5 * 60 * 1000;

// ---------------------------------------------------------------------------------------------
// Reading

const paymentColumns = {
  payment: payments,
  id: payments.id,
  customerName: customers.name,
  accountNumber: customers.accountNumber,
};

interface JoinedPayment {
  payment: PaymentRow;
  customerName: string | null;
  accountNumber: string | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toPayment(r: JoinedPayment): Payment {
  const p = r.payment;
  return {
    id: p.id,
    method: p.method,
    reference: p.reference,
    amountCents: p.amountCents,
    accountReference: p.accountReference,
    payerName: p.payerName,
    payerPhone: p.payerPhone,
    customerId: p.customerId,
    customerName: r.customerName,
    accountNumber: r.accountNumber,
    subscriptionId: p.subscriptionId,
    status: p.status,
    paidAt: p.paidAt.toISOString(),
    recordedById: p.recordedById,
    reversedAt: iso(p.reversedAt),
    reversedById: p.reversedById,
    reversalReason: p.reversalReason,
    createdAt: p.createdAt.toISOString(),
  };
}

const notFound = () => new TRPCError({ code: 'NOT_FOUND', message: 'Payment not found' });

export async function getPayment(db: Database, id: string): Promise<Payment> {
  const [row] = await db
    .select(paymentColumns)
    .from(payments)
    .leftJoin(customers, eq(customers.id, payments.customerId))
    .where(eq(payments.id, id))
    .limit(1);
  if (!row) throw notFound();
  return toPayment(row);
}

const SORT_COLUMNS = {
  paidAt: { column: payments.paidAt, type: 'timestamptz' },
  createdAt: { column: payments.createdAt, type: 'timestamptz' },
  amountCents: { column: payments.amountCents, type: 'integer' },
} as const satisfies Record<ListPaymentsInput['sort'], { column: unknown; type: SortType }>;

export async function listPayments(db: Database, input: ListPaymentsInput): Promise<Page<Payment>> {
  const sort = SORT_COLUMNS[input.sort];
  const ks = keyset({
    name: `${input.sort}.${input.order}`,
    column: sort.column,
    type: sort.type,
    id: payments.id,
    direction: input.order,
    cursor: input.cursor,
  });
  const filters: (SQL | undefined)[] = [
    input.status ? eq(payments.status, input.status) : undefined,
    input.method ? eq(payments.method, input.method) : undefined,
    input.customerId ? eq(payments.customerId, input.customerId) : undefined,
    input.subscriptionId ? eq(payments.subscriptionId, input.subscriptionId) : undefined,
    input.paidFrom ? gte(payments.paidAt, new Date(input.paidFrom)) : undefined,
    input.paidTo ? lt(payments.paidAt, new Date(input.paidTo)) : undefined,
    searchAny(input.search, [payments.reference, payments.accountReference]),
    ks.where,
  ];
  const rows = await db
    .select({ ...paymentColumns, cursorKey: ks.cursorKey })
    .from(payments)
    .leftJoin(customers, eq(customers.id, payments.customerId))
    .where(and(...filters))
    .orderBy(...ks.orderBy)
    .limit(input.limit + 1);
  return toPage(rows, input.limit, ks.name, toPayment);
}

// ---------------------------------------------------------------------------------------------
// Matching

/**
 * Account numbers as payers type them: "nf 123", "NF000123", " nf-000123 " all mean NF-000123.
 * Anything not shaped like one of ours is compared as typed, case-insensitively.
 */
export function normaliseAccountNumber(typed: string): string {
  const compact = typed.replace(/\s+/g, '').toUpperCase();
  const ours = /^NF-?(\d{1,9})$/.exec(compact);
  if (ours?.[1]) return `NF-${ours[1].padStart(6, '0')}`;
  return compact;
}

async function findCustomerByAccount(db: Database, typed: string): Promise<{ id: string; accountNumber: string } | null> {
  const normalised = normaliseAccountNumber(typed);
  const [row] = await db
    .select({ id: customers.id, accountNumber: customers.accountNumber })
    .from(customers)
    .where(sql`upper(${customers.accountNumber}) = ${normalised}`)
    .limit(1);
  return row ?? null;
}

async function findCustomerById(db: Database, id: string) {
  const [row] = await db
    .select({ id: customers.id, accountNumber: customers.accountNumber })
    .from(customers)
    .where(eq(customers.id, id))
    .limit(1);
  return row ?? null;
}

/**
 * The customer a payment names. A customer id must exist (staff picked it); an account number
 * that matches nobody gives null (the payment is recorded `unmatched`). Both given must agree.
 */
async function resolveCustomer(
  db: Database,
  target: { customerId?: string | undefined; accountNumber?: string | undefined },
): Promise<{ id: string; accountNumber: string } | null> {
  if (target.customerId) {
    const customer = await findCustomerById(db, target.customerId);
    if (!customer) throw new TRPCError({ code: 'NOT_FOUND', message: 'Customer not found' });
    if (target.accountNumber && normaliseAccountNumber(target.accountNumber) !== customer.accountNumber.toUpperCase()) {
      throw new TRPCError({ code: 'BAD_REQUEST', message: 'That account number belongs to a different customer' });
    }
    return customer;
  }
  return target.accountNumber ? findCustomerByAccount(db, target.accountNumber) : null;
}

// ---------------------------------------------------------------------------------------------
// Application

/** What applying a payment changed; stored in its `payment.apply` audit row for reversal. */
export interface ApplyEffect {
  customerId: string;
  subscriptionId: string | null;
  balanceCents: { from: number; to: number };
  /** balance.to − balance.from: what a reversal takes back off the balance. */
  balanceDeltaCents: number;
  renewal: RenewalEffect | null;
}

interface Applied {
  effect: ApplyEffect;
  customerChange: CustomerStatusChange | null;
  planName: string | null;
}

/**
 * Allocates a payment to the customer's subscription that lapses first among the active and
 * suspended ones (the service most at risk), else to the oldest pending one (credit only: a
 * pending subscription is activated by provisioning, not by money), else to the balance alone.
 * Lock order: subscriptions (by id), then the customer — the same order as every other writer.
 */
async function applyPayment(tx: Database, payment: PaymentRow, customerId: string, now: Date): Promise<Applied> {
  const candidates = await tx
    .select()
    .from(subscriptions)
    .where(and(eq(subscriptions.customerId, customerId), inArray(subscriptions.status, ['active', 'suspended', 'pending'])))
    .orderBy(asc(subscriptions.id))
    .for('update');
  const running = candidates
    .filter((s) => s.status !== 'pending')
    .sort(
      (a, b) =>
        (a.expiresAt?.getTime() ?? Number.MAX_SAFE_INTEGER) - (b.expiresAt?.getTime() ?? Number.MAX_SAFE_INTEGER) ||
        a.createdAt.getTime() - b.createdAt.getTime(),
    );
  const pending = candidates.filter((s) => s.status === 'pending').sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  const target = running[0] ?? pending[0] ?? null;

  const [customer] = await tx
    .select({ balanceCents: customers.balanceCents })
    .from(customers)
    .where(eq(customers.id, customerId))
    .for('update');
  if (!customer) throw new Error('payment customer vanished');

  const credit = customer.balanceCents + payment.amountCents;
  let renewal: RenewalEffect | null = null;
  let spent = 0;
  let planName: string | null = null;
  if (target) {
    const [plan] = await tx.select().from(plans).where(eq(plans.id, target.planId));
    if (!plan) throw new Error('subscription without plan');
    planName = plan.name;
    if (target.status !== 'pending' && plan.priceCents > 0) {
      const affordable = Math.floor(credit / plan.priceCents);
      const periods = Math.min(affordable, Math.max(1, Math.floor(MAX_DAYS_PER_PAYMENT / plan.validityDays)));
      if (periods > 0) {
        renewal = await renewSubscription(tx, target, plan.validityDays, periods, now);
        spent = periods * plan.priceCents;
      }
    }
  }
  const balanceTo = credit - spent;
  await tx.update(customers).set({ balanceCents: balanceTo }).where(eq(customers.id, customerId));
  await tx
    .update(payments)
    .set({ status: 'applied', customerId, subscriptionId: target?.id ?? null })
    .where(eq(payments.id, payment.id));
  const customerChange = renewal ? await syncCustomerStatus(tx, customerId) : null;
  return {
    effect: {
      customerId,
      subscriptionId: target?.id ?? null,
      balanceCents: { from: customer.balanceCents, to: balanceTo },
      balanceDeltaCents: balanceTo - customer.balanceCents,
      renewal,
    },
    customerChange,
    planName,
  };
}

/** Timeline entry and audit rows for an application, written after every lock was taken. */
async function recordApplication(tx: Database, ctx: AuditContext, payment: PaymentRow, applied: Applied, cause: string) {
  const { effect } = applied;
  const amount = formatKes(payment.amountCents);
  const body = effect.renewal
    ? `Payment ${payment.reference} (${amount}) renewed ${applied.planName ?? 'the subscription'} until ${effect.renewal.expiresAt.to.slice(0, 10)}`
    : `Payment ${payment.reference} (${amount}) credited to the balance`;
  await addCustomerActivity(tx, ctx, effect.customerId, body, { paymentId: payment.id, ...effect }, 'payment');
  await audit(tx, ctx, {
    action: 'payment.apply',
    entityType: 'payment',
    entityId: payment.id,
    changes: { ...effect, cause },
  });
  if (effect.renewal) {
    await audit(tx, ctx, {
      action: 'subscription.renew',
      entityType: 'subscription',
      entityId: effect.renewal.subscriptionId,
      changes: { paymentId: payment.id, ...effect.renewal },
    });
  }
  if (applied.customerChange) await auditCustomerStatus(tx, ctx, effect.customerId, applied.customerChange, cause);
}

export const formatKes = (cents: number) =>
  `KES ${(cents / 100).toLocaleString('en-KE', { minimumFractionDigits: 0, maximumFractionDigits: 2 })}`;

// ---------------------------------------------------------------------------------------------
// Recording

const duplicateReference = () =>
  new TRPCError({ code: 'CONFLICT', message: 'A payment with this reference has already been recorded' });

export async function recordPayment(db: Database, ctx: AuditContext, input: RecordPaymentInput): Promise<Payment> {
  const now = new Date();
  const paidAt = input.paidAt ? new Date(input.paidAt) : now;
  if (paidAt.getTime() > now.getTime() + FUTURE_SKEW_MS) {
    throw new TRPCError({ code: 'BAD_REQUEST', message: 'The payment time lies in the future' });
  }
  try {
    return await db.transaction(async (tx) => {
      const [existing] = await tx
        .select({ id: payments.id })
        .from(payments)
        .where(and(eq(payments.method, input.method), eq(payments.reference, input.reference)))
        .limit(1);
      if (existing) throw duplicateReference();

      const customer = await resolveCustomer(tx, input);
      // Claims the (method, reference) key first: a concurrent duplicate waits here and then fails
      // on the unique index, before it has changed anything.
      const [payment] = await tx
        .insert(payments)
        .values({
          method: input.method,
          reference: input.reference,
          amountCents: input.amountCents,
          accountReference: input.accountNumber ?? customer?.accountNumber ?? null,
          payerName: input.payerName ?? null,
          payerPhone: input.payerPhone ?? null,
          customerId: null,
          status: 'unmatched',
          paidAt,
          recordedById: ctx.user?.id ?? null,
        })
        .returning();
      if (!payment) throw new Error('payment insert returned nothing');

      const applied = customer ? await applyPayment(tx, payment, customer.id, now) : null;
      await audit(tx, ctx, {
        action: 'payment.record',
        entityType: 'payment',
        entityId: payment.id,
        changes: {
          method: payment.method,
          reference: payment.reference,
          amountCents: payment.amountCents,
          accountReference: payment.accountReference,
          paidAt: paidAt.toISOString(),
          status: applied ? 'applied' : 'unmatched',
        },
      });
      if (applied) await recordApplication(tx, ctx, payment, applied, 'payment.record');
      return getPayment(tx, payment.id);
    });
  } catch (error) {
    if (isUniqueViolation(error, 'payments_method_reference_key')) throw duplicateReference();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Assignment of unmatched payments

export async function assignPayment(db: Database, ctx: AuditContext, input: AssignPaymentInput): Promise<Payment> {
  return db.transaction(async (tx) => {
    const payment = await lockPayment(tx, input.id);
    if (payment.status !== 'unmatched') {
      throw new TRPCError({ code: 'CONFLICT', message: `Only unmatched payments can be assigned; this one is ${payment.status}` });
    }
    const customer = await resolveCustomer(tx, input);
    if (!customer) throw new TRPCError({ code: 'NOT_FOUND', message: 'No customer has that account number' });
    const applied = await applyPayment(tx, payment, customer.id, new Date());
    await audit(tx, ctx, {
      action: 'payment.assign',
      entityType: 'payment',
      entityId: payment.id,
      changes: { status: { from: 'unmatched', to: 'applied' }, customerId: customer.id, accountReference: payment.accountReference },
    });
    await recordApplication(tx, ctx, payment, applied, 'payment.assign');
    return getPayment(tx, payment.id);
  });
}

async function lockPayment(tx: Database, id: string): Promise<PaymentRow> {
  const [payment] = await tx.select().from(payments).where(eq(payments.id, id)).for('update');
  if (!payment) throw notFound();
  return payment;
}

// ---------------------------------------------------------------------------------------------
// Reversal

/** The effect of the payment's latest application, read back from its audit row. */
async function appliedEffect(tx: Database, paymentId: string): Promise<ApplyEffect | null> {
  const [row] = await tx
    .select({ changes: auditLog.changes })
    .from(auditLog)
    .where(and(eq(auditLog.entityType, 'payment'), eq(auditLog.entityId, paymentId), eq(auditLog.action, 'payment.apply')))
    .orderBy(desc(auditLog.id))
    .limit(1);
  return (row?.changes as ApplyEffect | null | undefined) ?? null;
}

/**
 * Payments inserted without going through `applyPayment` (the demo seed, a data import) have no
 * apply record; their effect is taken to be the standard one: as many whole periods of the
 * subscription's plan as the amount pays for, the rest as credit.
 */
async function importedEffect(tx: Database, payment: PaymentRow): Promise<ApplyEffect | null> {
  if (!payment.customerId) return null;
  let renewal: RenewalEffect | null = null;
  let spent = 0;
  if (payment.subscriptionId) {
    const [row] = await tx
      .select({ status: subscriptions.status, expiresAt: subscriptions.expiresAt, priceCents: plans.priceCents, validityDays: plans.validityDays })
      .from(subscriptions)
      .innerJoin(plans, eq(plans.id, subscriptions.planId))
      .where(eq(subscriptions.id, payment.subscriptionId));
    if (row && row.status !== 'pending' && row.priceCents > 0) {
      const periods = Math.min(Math.floor(payment.amountCents / row.priceCents), Math.max(1, Math.floor(MAX_DAYS_PER_PAYMENT / row.validityDays)));
      if (periods > 0) {
        spent = periods * row.priceCents;
        renewal = {
          subscriptionId: payment.subscriptionId,
          periods,
          addedDays: periods * row.validityDays,
          expiresAt: { from: null, to: iso(row.expiresAt) ?? '' },
          // Unknown whether it re-activated anything: never re-suspend on its account.
          status: { from: row.status, to: row.status },
        };
      }
    }
  }
  return {
    customerId: payment.customerId,
    subscriptionId: payment.subscriptionId,
    balanceCents: { from: 0, to: 0 },
    balanceDeltaCents: payment.amountCents - spent,
    renewal,
  };
}

/**
 * Undoes a payment: its renewal days come off the subscription's expiry, a subscription it had
 * re-activated is suspended again, its credit comes off the balance (which may go negative when
 * the credit was already used), and the payment is marked `reversed`. An expiry that now lies in
 * the past without such a re-activation is left to the expiry sweep and its grace period, exactly
 * as if the payment had never arrived. A second reversal answers 409.
 */
export async function reversePayment(db: Database, ctx: AuditContext, input: ReversePaymentInput): Promise<Payment> {
  return db.transaction(async (tx) => {
    const payment = await lockPayment(tx, input.id);
    if (payment.status === 'reversed') throw new TRPCError({ code: 'CONFLICT', message: 'This payment has already been reversed' });
    const now = new Date();
    const effect = payment.status === 'applied' ? ((await appliedEffect(tx, payment.id)) ?? (await importedEffect(tx, payment))) : null;

    const undone: Record<string, unknown> = {};
    let customerChange: CustomerStatusChange | null = null;
    if (effect) {
      const renewal = effect.renewal;
      if (renewal) {
        const [sub] = await tx.select().from(subscriptions).where(eq(subscriptions.id, renewal.subscriptionId)).for('update');
        if (sub?.expiresAt) {
          const expiresAt = addDays(sub.expiresAt, -renewal.addedDays);
          const resuspend = renewal.status.from === 'suspended' && sub.status === 'active';
          await tx
            .update(subscriptions)
            .set({ expiresAt, ...(resuspend ? { status: 'suspended' as const, suspendedAt: now } : {}) })
            .where(eq(subscriptions.id, sub.id));
          undone.subscription = {
            id: sub.id,
            expiresAt: { from: sub.expiresAt.toISOString(), to: expiresAt.toISOString() },
            ...(resuspend ? { status: { from: 'active', to: 'suspended' } } : {}),
          };
        }
      }
      const [customer] = await tx
        .select({ balanceCents: customers.balanceCents })
        .from(customers)
        .where(eq(customers.id, effect.customerId))
        .for('update');
      if (customer) {
        const to = customer.balanceCents - effect.balanceDeltaCents;
        await tx.update(customers).set({ balanceCents: to }).where(eq(customers.id, effect.customerId));
        undone.balanceCents = { from: customer.balanceCents, to };
      }
      if (renewal) customerChange = await syncCustomerStatus(tx, effect.customerId);
    }

    await tx
      .update(payments)
      .set({ status: 'reversed', reversedAt: now, reversedById: ctx.user?.id ?? null, reversalReason: input.reason })
      .where(eq(payments.id, payment.id));

    const audits: AuditEntry[] = [
      {
        action: 'payment.reverse',
        entityType: 'payment',
        entityId: payment.id,
        changes: { status: { from: payment.status, to: 'reversed' }, reason: input.reason, ...undone },
      },
    ];
    if (effect) {
      await addCustomerActivity(
        tx,
        ctx,
        effect.customerId,
        `Payment ${payment.reference} (${formatKes(payment.amountCents)}) reversed: ${input.reason}`,
        { paymentId: payment.id, ...undone },
        'payment',
      );
      if (customerChange) {
        audits.push({
          action: 'customer.status',
          entityType: 'customer',
          entityId: effect.customerId,
          changes: { status: customerChange, cause: 'payment.reverse' },
        });
      }
    }
    for (const entry of audits) await audit(tx, ctx, entry);
    return getPayment(tx, payment.id);
  });
}

