/**
 * Payments: money received by M-Pesa, cash or bank. Owns recording (one payment per external
 * reference and method), matching by account number (never by phone alone), application to a
 * subscription (renewal + customer balance) in the same transaction, assignment of unmatched
 * payments, and reversal.
 *
 * Balance model (README, "Billing"): `customers.balance_cents` is money received and not yet turned
 * into service time (negative: owed). An applied payment adds its amount to the balance; when the
 * customer has an active or suspended subscription, every whole plan price in the balance buys one
 * validity period (at most ~3 years at once), and the rest stays for the next payment. A pending
 * subscription's first periods are bought at activation. What an application changed is kept on
 * the payment itself (`applied_at`, `balance_delta_cents`, `renewal_*`, `expires_before`,
 * `reactivated`); a reversal undoes exactly that.
 */
import type {
  AssignPaymentInput,
  ListPaymentsInput,
  MovePaymentInput,
  PaymentFilterInput,
  PaymentSuggestion,
  Payment,
  PaymentOutcome,
  RecordedPayment,
  RecordPaymentInput,
  ReversePaymentInput,
  Scope,
} from '@netflow/contracts';
import { CUSTOMER_PAYMENTS_LIMIT, toLocalPhone, type CustomerPayments } from '@netflow/contracts';
import { customers, payments, plans, subscriptions, type Database } from '@netflow/db';
import { and, asc, desc, eq, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { Actor } from '../../lib/actor';
import { conflict, DomainError, forbidden, invalid, notFound } from '../../lib/errors';
import { keyset, toPage, type Page, type SortType } from '../../lib/pagination';
import { isUniqueViolation } from '../../lib/pg-errors';
import { PAYMENT_SEARCH_FIELDS, searchIndexed } from '../../lib/search';
import { addCustomerActivity } from '../activities';
import { nearMissAccountNumber } from './account-number';
import { audit, type AuditEntry } from '../audit';
import {
  addDays,
  auditCustomerStatus,
  formatKes,
  periodsPaidBy,
  renewSubscription,
  syncCustomerStatus,
  type CustomerStatusChange,
  type RenewalEffect,
} from '../subscriptions';
import { emitEvent } from '../../lib/events';

type PaymentRow = typeof payments.$inferSelect;

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

export async function getPayment(db: Database, id: string): Promise<Payment> {
  const [row] = await db
    .select(paymentColumns)
    .from(payments)
    .leftJoin(customers, eq(customers.id, payments.customerId))
    .where(eq(payments.id, id))
    .limit(1);
  if (!row) throw notFound('Payment');
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
    searchIndexed(input.search, PAYMENT_SEARCH_FIELDS, true),
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

/** The customer's latest payments and unmatched payments from the customer's phone (read-only view). */
export async function customerPayments(db: Database, customerId: string): Promise<CustomerPayments> {
  const [customer] = await db.select({ phone: customers.phone }).from(customers).where(eq(customers.id, customerId));
  if (!customer) throw notFound('Customer');
  const own = await listPayments(db, { customerId, sort: 'paidAt', order: 'desc', limit: CUSTOMER_PAYMENTS_LIMIT });
  const unmatched = await db
    .select(paymentColumns)
    .from(payments)
    .leftJoin(customers, eq(customers.id, payments.customerId))
    .where(and(eq(payments.status, 'unmatched'), eq(payments.payerPhone, customer.phone)))
    .orderBy(desc(payments.paidAt))
    .limit(CUSTOMER_PAYMENTS_LIMIT);
  return { payments: own.items, unmatchedByPhone: unmatched.map(toPayment) };
}

/** Every payment matching the filters, page by page, newest first (what the export streams). */
export async function* paymentPages(db: Database, filters: PaymentFilterInput): AsyncIterable<Payment[]> {
  let cursor: string | undefined;
  do {
    const page = await listPayments(db, { ...filters, sort: 'paidAt', order: 'desc', limit: 100, cursor });
    yield page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

/**
 * Customers an unmatched payment probably belongs to: those whose phone is the payer's (any
 * spelling), then the one whose account number the payer nearly typed (`NF-00O012`). Suggestions
 * only: staff confirm by assigning.
 */
export async function suggestCustomers(db: Database, id: string): Promise<PaymentSuggestion[]> {
  const [payment] = await db.select().from(payments).where(eq(payments.id, id));
  if (!payment) throw notFound('Payment');
  const columns = { customerId: customers.id, name: customers.name, accountNumber: customers.accountNumber, phone: customers.phone };
  const found: PaymentSuggestion[] = [];
  const phone = payment.payerPhone ? toLocalPhone(payment.payerPhone) : null;
  if (phone) {
    const rows = await db.select(columns).from(customers).where(eq(customers.phone, phone)).orderBy(asc(customers.name)).limit(5);
    found.push(...rows.map((r) => ({ ...r, reason: 'payer_phone' as const })));
  }
  const account = payment.accountReference ? nearMissAccountNumber(payment.accountReference) : null;
  if (account) {
    const rows = await db.select(columns).from(customers).where(eq(customers.accountNumber, account)).limit(1);
    for (const r of rows) if (!found.some((f) => f.customerId === r.customerId)) found.push({ ...r, reason: 'account_number' });
  }
  return found;
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
    if (!customer) throw notFound('Customer');
    if (target.accountNumber && normaliseAccountNumber(target.accountNumber) !== customer.accountNumber.toUpperCase()) {
      throw invalid('That account number belongs to a different customer');
    }
    return customer;
  }
  return target.accountNumber ? findCustomerByAccount(db, target.accountNumber) : null;
}

// ---------------------------------------------------------------------------------------------
// Application

/** What applying a payment changed: written onto the payment, read back by its reversal. */
interface ApplicationRecord {
  customerId: string;
  subscriptionId: string | null;
  /** The amount minus what its renewal spent: what a reversal takes back off the balance. */
  balanceDeltaCents: number;
  renewalPeriods: number;
  renewalDays: number;
  expiresBefore: Date | null;
  reactivated: boolean;
}

interface Applied {
  balanceCents: { from: number; to: number };
  renewal: RenewalEffect | null;
  customerChange: CustomerStatusChange | null;
  planName: string | null;
  outcome: PaymentOutcome;
}

/**
 * Allocates a payment to the customer's subscription that lapses first among the active and
 * suspended ones (the service most at risk), else to the oldest pending one (credit only: a
 * pending subscription's first period is bought at activation, not by money alone), else to the
 * balance alone. Lock order: subscriptions (by id), then the customer — as every other writer.
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
  let plan: typeof plans.$inferSelect | undefined;
  if (target) {
    [plan] = await tx.select().from(plans).where(eq(plans.id, target.planId));
    if (!plan) throw new Error('subscription without plan');
    const periods = target.status === 'pending' ? 0 : periodsPaidBy(credit, plan);
    if (periods > 0) {
      renewal = await renewSubscription(tx, target, plan.validityDays, periods, now);
      spent = periods * plan.priceCents;
    }
  }
  const balanceTo = credit - spent;
  await tx.update(customers).set({ balanceCents: balanceTo }).where(eq(customers.id, customerId));
  const record: ApplicationRecord = {
    customerId,
    subscriptionId: target?.id ?? null,
    balanceDeltaCents: balanceTo - customer.balanceCents,
    renewalPeriods: renewal?.periods ?? 0,
    renewalDays: renewal?.addedDays ?? 0,
    expiresBefore: renewal ? (target?.expiresAt ?? null) : null,
    reactivated: renewal?.status.from === 'suspended',
  };
  await tx
    .update(payments)
    .set({ status: 'applied', appliedAt: now, ...record })
    .where(eq(payments.id, payment.id));
  const customerChange = renewal ? await syncCustomerStatus(tx, customerId) : null;

  const outcome: PaymentOutcome =
    renewal && target && plan
      ? {
          kind: 'renewed',
          subscriptionId: target.id,
          planName: plan.name,
          periods: renewal.periods,
          expiresAt: renewal.expiresAt.to,
          reactivated: record.reactivated,
          balanceCents: balanceTo,
        }
      : {
          kind: 'credited',
          creditedCents: payment.amountCents,
          balanceCents: balanceTo,
          subscriptionId: target?.id ?? null,
          shortOfRenewalCents: plan ? Math.max(0, plan.priceCents - balanceTo) : null,
          awaitingActivation: target?.status === 'pending',
        };
  return { balanceCents: { from: customer.balanceCents, to: balanceTo }, renewal, customerChange, planName: plan?.name ?? null, outcome };
}

function applicationBody(payment: PaymentRow, applied: Applied): string {
  const what = `Payment ${payment.reference} (${formatKes(payment.amountCents)})`;
  const { outcome } = applied;
  if (outcome.kind === 'renewed') return `${what} renewed ${outcome.planName} until ${outcome.expiresAt.slice(0, 10)}`;
  if (outcome.kind !== 'credited') return `${what} recorded`;
  if (outcome.awaitingActivation) {
    return outcome.shortOfRenewalCents
      ? `${what} credited to the balance; ${formatKes(outcome.shortOfRenewalCents)} short of the first period`
      : `${what} credited to the balance; it pays for the first period at activation`;
  }
  return outcome.shortOfRenewalCents
    ? `${what} credited to the balance; ${formatKes(outcome.shortOfRenewalCents)} short of a renewal`
    : `${what} credited to the balance`;
}

/** Timeline entry and audit rows for an application, written after every lock was taken. */
async function recordApplication(tx: Database, actor: Actor, payment: PaymentRow, customerId: string, applied: Applied, cause: string) {
  const { renewal, balanceCents } = applied;
  const effect = {
    customerId,
    subscriptionId: applied.outcome.kind === 'unmatched' ? null : applied.outcome.subscriptionId,
    balanceCents,
    balanceDeltaCents: balanceCents.to - balanceCents.from,
    renewal,
  };
  await addCustomerActivity(tx, actor, customerId, applicationBody(payment, applied), { paymentId: payment.id, ...effect }, 'payment');
  await audit(tx, actor, { action: 'payment.apply', entityType: 'payment', entityId: payment.id, changes: { ...effect, cause } });
  if (renewal) {
    await audit(tx, actor, {
      action: 'subscription.renew',
      entityType: 'subscription',
      entityId: renewal.subscriptionId,
      changes: { paymentId: payment.id, ...renewal },
    });
  }
  if (applied.customerChange) await auditCustomerStatus(tx, actor, customerId, applied.customerChange, cause);
  // Integrations hear of it last, after every audit row: a receipt for the payment, the router for a renewal.
  if (renewal) {
    await emitEvent(tx, actor, {
      type: 'subscription.changed',
      subscriptionId: renewal.subscriptionId,
      customerId,
      change: renewal.status.from === 'suspended' ? 'restored' : 'renewed',
      cause: 'payment',
      expiresAt: renewal.expiresAt.to,
      paymentId: payment.id,
    });
  }
  await emitEvent(tx, actor, {
    type: 'payment.applied',
    paymentId: payment.id,
    customerId,
    amountCents: payment.amountCents,
    reference: payment.reference,
    renewedUntil: renewal?.expiresAt.to ?? null,
    balanceCents: balanceCents.to,
  });
}

// ---------------------------------------------------------------------------------------------
// Recording

const duplicateReference = () => conflict('A payment with this reference has already been recorded');

export async function recordPayment(db: Database, actor: Actor, input: RecordPaymentInput): Promise<RecordedPayment> {
  const now = new Date();
  const paidAt = input.paidAt ? new Date(input.paidAt) : now;
  if (paidAt.getTime() > now.getTime() + FUTURE_SKEW_MS) throw invalid('The payment time lies in the future');
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
          recordedById: actor.user?.id ?? null,
        })
        .returning();
      if (!payment) throw new Error('payment insert returned nothing');

      const applied = customer ? await applyPayment(tx, payment, customer.id, now) : null;
      await audit(tx, actor, {
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
      if (customer && applied) await recordApplication(tx, actor, payment, customer.id, applied, 'payment.record');
      return { ...(await getPayment(tx, payment.id)), outcome: applied?.outcome ?? { kind: 'unmatched' } };
    });
  } catch (error) {
    if (isUniqueViolation(error, 'payments_method_reference_key')) throw duplicateReference();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Assignment of unmatched payments

export async function assignPayment(db: Database, actor: Actor, input: AssignPaymentInput): Promise<RecordedPayment> {
  return db.transaction(async (tx) => {
    const payment = await lockPayment(tx, input.id);
    if (payment.status !== 'unmatched') throw conflict(`Only unmatched payments can be assigned; this one is ${payment.status}`);
    const customer = await resolveCustomer(tx, input);
    if (!customer) throw new DomainError('not_found', 'No customer has that account number');
    const applied = await applyPayment(tx, payment, customer.id, new Date());
    await audit(tx, actor, {
      action: 'payment.assign',
      entityType: 'payment',
      entityId: payment.id,
      changes: { status: { from: 'unmatched', to: 'applied' }, customerId: customer.id, accountReference: payment.accountReference },
    });
    await recordApplication(tx, actor, payment, customer.id, applied, 'payment.assign');
    return { ...(await getPayment(tx, payment.id)), outcome: applied.outcome };
  });
}

async function lockPayment(tx: Database, id: string): Promise<PaymentRow> {
  const [payment] = await tx.select().from(payments).where(eq(payments.id, id)).for('update');
  if (!payment) throw notFound('Payment');
  return payment;
}

// ---------------------------------------------------------------------------------------------
// Reversal

/** The application record kept on the payment, or null when none was recorded (imports, the demo seed). */
function recordedApplication(payment: PaymentRow): ApplicationRecord | null {
  if (!payment.appliedAt || !payment.customerId) return null;
  return {
    customerId: payment.customerId,
    subscriptionId: payment.subscriptionId,
    balanceDeltaCents: payment.balanceDeltaCents ?? 0,
    renewalPeriods: payment.renewalPeriods ?? 0,
    renewalDays: payment.renewalDays ?? 0,
    expiresBefore: payment.expiresBefore,
    reactivated: payment.reactivated ?? false,
  };
}

/**
 * Payments inserted without an application record (the demo seed, a data import) are taken to have
 * had the standard effect: as many whole periods of their subscription's plan as the amount pays
 * for (unless the subscription is still pending: then it was credit), the rest as credit.
 */
async function importedApplication(tx: Database, payment: PaymentRow): Promise<ApplicationRecord | null> {
  if (!payment.customerId) return null;
  let renewalPeriods = 0;
  let renewalDays = 0;
  let spent = 0;
  if (payment.subscriptionId) {
    const [row] = await tx
      .select({ status: subscriptions.status, priceCents: plans.priceCents, validityDays: plans.validityDays })
      .from(subscriptions)
      .innerJoin(plans, eq(plans.id, subscriptions.planId))
      .where(eq(subscriptions.id, payment.subscriptionId));
    if (row && row.status !== 'pending') {
      renewalPeriods = periodsPaidBy(payment.amountCents, row);
      renewalDays = renewalPeriods * row.validityDays;
      spent = renewalPeriods * row.priceCents;
    }
  }
  return {
    customerId: payment.customerId,
    subscriptionId: payment.subscriptionId,
    balanceDeltaCents: payment.amountCents - spent,
    renewalPeriods,
    renewalDays,
    expiresBefore: null,
    // Unknown whether it re-activated anything: never re-suspend on its account.
    reactivated: false,
  };
}

/**
 * Undoes a payment from what its application recorded: its renewal days come off the
 * subscription's expiry; a subscription it re-activated is suspended again when no paid time is
 * left; its net balance change comes off the balance — which goes negative (money owed) when the
 * credit was already spent, e.g. on an activation. An expiry that now lies in the past without
 * such a re-activation is left to the expiry sweep and its grace period, exactly as if the payment
 * had never arrived. A second reversal answers 409.
 */
export async function reversePayment(db: Database, actor: Actor, input: ReversePaymentInput): Promise<Payment> {
  return db.transaction(async (tx) => {
    const payment = await lockPayment(tx, input.id);
    if (payment.status === 'reversed') throw conflict('This payment has already been reversed');
    const now = new Date();
    const record = payment.status === 'applied' ? (recordedApplication(payment) ?? (await importedApplication(tx, payment))) : null;
    const { undone, customerChange } = record ? await undoApplication(tx, record, now) : { undone: {}, customerChange: null };

    await tx
      .update(payments)
      .set({ status: 'reversed', reversedAt: now, reversedById: actor.user?.id ?? null, reversalReason: input.reason })
      .where(eq(payments.id, payment.id));

    const audits: AuditEntry[] = [
      {
        action: 'payment.reverse',
        entityType: 'payment',
        entityId: payment.id,
        changes: {
          status: { from: payment.status, to: 'reversed' },
          reason: input.reason,
          ...(record && !payment.appliedAt ? { undoneAs: 'imported payment (standard effect)' } : {}),
          ...undone,
        },
      },
    ];
    if (record) {
      await addCustomerActivity(
        tx,
        actor,
        record.customerId,
        `Payment ${payment.reference} (${formatKes(payment.amountCents)}) reversed: ${input.reason}`,
        { paymentId: payment.id, ...undone },
        'payment',
      );
      if (customerChange) {
        audits.push({
          action: 'customer.status',
          entityType: 'customer',
          entityId: record.customerId,
          changes: { status: customerChange, cause: 'payment.reverse' },
        });
      }
    }
    for (const entry of audits) await audit(tx, actor, entry);
    const resuspended = undone.subscription as { id: string; expiresAt: { to: string }; status?: unknown } | undefined;
    if (record && resuspended?.status) {
      await emitEvent(tx, actor, {
        type: 'subscription.changed',
        subscriptionId: resuspended.id,
        customerId: record.customerId,
        change: 'suspended',
        cause: 'reversal',
        expiresAt: resuspended.expiresAt.to,
        paymentId: payment.id,
      });
    }
    return getPayment(tx, payment.id);
  });
}

/**
 * Takes an application back off its customer: the renewal days come off the subscription's
 * expiry (re-suspending what the payment re-activated when no paid time is left), the net balance
 * change comes off the balance. Shared by reversal and move, so both undo exactly alike.
 */
async function undoApplication(
  tx: Database,
  record: ApplicationRecord,
  now: Date,
): Promise<{ undone: Record<string, unknown>; customerChange: CustomerStatusChange | null }> {
  const undone: Record<string, unknown> = {};
  let customerChange: CustomerStatusChange | null = null;
  const renewed = record.subscriptionId && record.renewalDays > 0 ? record.subscriptionId : null;
  if (renewed) {
    const [sub] = await tx.select().from(subscriptions).where(eq(subscriptions.id, renewed)).for('update');
    if (sub?.expiresAt) {
      const expiresAt = addDays(sub.expiresAt, -record.renewalDays);
      const resuspend = record.reactivated && sub.status === 'active' && expiresAt.getTime() <= now.getTime();
      await tx
        .update(subscriptions)
        .set({ expiresAt, ...(resuspend ? { status: 'suspended' as const, suspendedAt: now } : {}) })
        .where(eq(subscriptions.id, sub.id));
      undone.subscription = {
        id: sub.id,
        removedDays: record.renewalDays,
        expiresAt: { from: sub.expiresAt.toISOString(), to: expiresAt.toISOString() },
        ...(resuspend ? { status: { from: 'active', to: 'suspended' } } : {}),
      };
    }
  }
  const [customer] = await tx
    .select({ balanceCents: customers.balanceCents })
    .from(customers)
    .where(eq(customers.id, record.customerId))
    .for('update');
  if (customer && record.balanceDeltaCents !== 0) {
    const to = customer.balanceCents - record.balanceDeltaCents;
    await tx.update(customers).set({ balanceCents: to }).where(eq(customers.id, record.customerId));
    undone.balanceCents = { from: customer.balanceCents, to };
  }
  if (renewed) customerChange = await syncCustomerStatus(tx, record.customerId);
  return { undone, customerChange };
}

// ---------------------------------------------------------------------------------------------
// Moving a mis-assigned payment

/**
 * Moves an applied payment to another customer in one step: its application is undone on the
 * first customer exactly as a reversal would (balance, renewal, re-suspension), then it is applied
 * to the second by the recording rules (renewal from the balance, outcome); it keeps its reference,
 * so nothing has to be re-entered (which the unique reference would refuse anyway). Managers move
 * any payment; finance (scope `own`) moves the payments it recorded itself or that arrived without
 * a recorder (M-Pesa), and asks a manager about a colleague's.
 */
export async function movePayment(db: Database, actor: Actor & { scope?: Scope }, input: MovePaymentInput): Promise<RecordedPayment> {
  return db.transaction(async (tx) => {
    const payment = await lockPayment(tx, input.id);
    if (payment.status !== 'applied' || !payment.customerId) {
      throw conflict(
        payment.status === 'unmatched'
          ? 'This payment is unmatched: assign it instead'
          : `Only applied payments can be moved; this one is ${payment.status}`,
      );
    }
    if (actor.scope === 'own' && payment.recordedById !== null && payment.recordedById !== actor.user?.id) {
      throw forbidden('A payment recorded by a colleague is moved by a manager');
    }
    if (payment.customerId === input.customerId) throw invalid('The payment already belongs to that customer');
    const target = await findCustomerById(tx, input.customerId);
    if (!target) throw notFound('Customer');
    const [source] = await tx
      .select({ id: customers.id, name: customers.name, accountNumber: customers.accountNumber })
      .from(customers)
      .where(eq(customers.id, payment.customerId));
    if (!source) throw new Error('payment customer vanished');
    const [targetRow] = await tx.select({ name: customers.name }).from(customers).where(eq(customers.id, target.id));

    const now = new Date();
    const record = recordedApplication(payment) ?? (await importedApplication(tx, payment));
    if (!record) throw new Error('applied payment without customer');
    const { undone, customerChange: sourceChange } = await undoApplication(tx, record, now);
    const applied = await applyPayment(tx, payment, target.id, now);

    const what = `Payment ${payment.reference} (${formatKes(payment.amountCents)})`;
    await addCustomerActivity(
      tx,
      actor,
      source.id,
      `${what} moved to ${targetRow?.name ?? 'another customer'} (${target.accountNumber}): ${input.reason}`,
      { paymentId: payment.id, movedTo: target.id, ...undone },
      'payment',
    );
    await audit(tx, actor, {
      action: 'payment.move',
      entityType: 'payment',
      entityId: payment.id,
      changes: {
        customerId: { from: source.id, to: target.id },
        accountNumber: { from: source.accountNumber, to: target.accountNumber },
        reference: payment.reference,
        reason: input.reason,
        undone,
      },
    });
    if (sourceChange) await auditCustomerStatus(tx, actor, source.id, sourceChange, 'payment.move');
    await recordApplication(tx, actor, payment, target.id, applied, 'payment.move');
    return { ...(await getPayment(tx, payment.id)), outcome: applied.outcome };
  });
}
