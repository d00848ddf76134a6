/**
 * M-Pesa through Daraja: C2B validation and confirmation (money paid to the paybill with an account
 * number), STK push (staff ask the customer's phone for a payment) with its callback and status
 * query. Money is recorded through the payments module exactly as staff record it (renewal, events,
 * audit, timeline), as `systemActor('mpesa')` for callbacks. Idempotency rests on the unique
 * (method, reference) index of payments: `TransID` and `MpesaReceiptNumber` share that namespace.
 */
import {
  stkResultMessage,
  type C2BCallback,
  type StkCallback,
  type StkPush,
  type StkPushInput,
  type StkPushStarted,
} from '@netflow/contracts';
import { toDarajaPhone, toLocalPhone } from '@netflow/contracts';
import { customers, mpesaStkRequests, payments, type Database } from '@netflow/db';
import { and, asc, eq, gte, isNull, sql } from 'drizzle-orm';
import type { MpesaConfig } from '../../config';
import type { Actor } from '../../lib/actor';
import { conflict, fieldError, invalid, isDomainError, notFound } from '../../lib/errors';
import { addCustomerActivity } from '../activities';
import { audit } from '../audit';
import { normaliseAccountNumber, recordPayment } from '../payments';
import { DarajaError, type DarajaClient } from './daraja';
import { kesToCents, parseDarajaTime } from './time';

type StkRow = typeof mpesaStkRequests.$inferSelect;

/** The public callback URLs Daraja is given (the token is the secret path segment). */
export function callbackUrls(mpesa: MpesaConfig) {
  const base = `${mpesa.publicUrl}/api/hooks`;
  return {
    confirmation: `${base}/c2b/${mpesa.callbackToken}/confirmation`,
    validation: `${base}/c2b/${mpesa.callbackToken}/validation`,
    stkResult: `${base}/stk/${mpesa.callbackToken}/result`,
  };
}

async function customerByAccount(db: Database, typed: string) {
  const [row] = await db
    .select({ id: customers.id, accountNumber: customers.accountNumber, name: customers.name })
    .from(customers)
    .where(sql`upper(${customers.accountNumber}) = ${normaliseAccountNumber(typed)}`)
    .limit(1);
  return row ?? null;
}

/** A time Daraja reported, never later than now (recording refuses future payments; clocks drift). */
function paidAtFrom(text: string | number | undefined): string | undefined {
  const at = text === undefined ? null : parseDarajaTime(text);
  if (!at) return undefined;
  return new Date(Math.min(at.getTime(), Date.now())).toISOString();
}

async function paymentIdByReference(db: Database, reference: string): Promise<string | null> {
  const [row] = await db
    .select({ id: payments.id })
    .from(payments)
    .where(and(eq(payments.method, 'mpesa'), eq(payments.reference, reference)))
    .limit(1);
  return row?.id ?? null;
}

/**
 * Records an M-Pesa payment once: a second call with the same reference (a duplicate callback,
 * concurrent or late) records nothing and answers the existing payment's id.
 */
async function recordOnce(
  db: Database,
  actor: Actor,
  input: Parameters<typeof recordPayment>[2],
): Promise<{ paymentId: string; duplicate: boolean; status: string }> {
  try {
    const recorded = await recordPayment(db, actor, input);
    return { paymentId: recorded.id, duplicate: false, status: recorded.status };
  } catch (error) {
    if (isDomainError(error) && error.kind === 'conflict') {
      const existing = await paymentIdByReference(db, input.reference);
      if (existing) return { paymentId: existing, duplicate: true, status: 'duplicate' };
    }
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// C2B

export const C2B_ACCEPTED = { ResultCode: '0', ResultDesc: 'Accepted' } as const;
export const C2B_REJECTED = { ResultCode: 'C2B00012', ResultDesc: 'Rejected' } as const;

/** Validation (only called by Daraja when the shortcode has external validation enabled). */
export async function validateC2B(db: Database, mpesa: MpesaConfig, body: C2BCallback) {
  if (mpesa.validation !== 'reject-unknown') return C2B_ACCEPTED;
  const typed = body.BillRefNumber.trim();
  return typed && (await customerByAccount(db, typed)) ? C2B_ACCEPTED : C2B_REJECTED;
}

export interface C2BOutcome {
  paymentId: string;
  /** True when this TransID had been recorded already (nothing new was written). */
  duplicate: boolean;
  status: string;
}

/**
 * A confirmation: money has moved, so it is always recorded, matched on the account number the
 * payer typed (never the phone); nobody matching → `unmatched`, in finance's queue.
 */
export async function confirmC2B(db: Database, actor: Actor, body: C2BCallback): Promise<C2BOutcome> {
  const amountCents = kesToCents(body.TransAmount);
  if (amountCents === null || amountCents <= 0) throw invalid('TransAmount is not a positive amount');
  const typed = body.BillRefNumber.trim();
  const payerName = [body.FirstName, body.MiddleName, body.LastName]
    .map((s) => s?.trim())
    .filter(Boolean)
    .join(' ');
  const reference = body.TransID.trim().toUpperCase();
  const adopted = (await paymentIdByReference(db, reference)) ? null : await adoptedByStk(db, actor, reference, amountCents, typed);
  if (adopted) return { paymentId: adopted, duplicate: true, status: 'duplicate' };
  return recordOnce(db, actor, {
    method: 'mpesa',
    reference,
    amountCents,
    ...(typed ? { accountNumber: typed } : {}),
    paidAt: paidAtFrom(body.TransTime),
    ...(payerName ? { payerName: payerName.slice(0, 120) } : {}),
    // Daraja masks the number ("2547 ***** 126"); kept exactly as given.
    ...(body.MSISDN?.trim() ? { payerPhone: body.MSISDN.trim() } : {}),
  });
}

// ---------------------------------------------------------------------------------------------
// STK push

const PENDING_MESSAGE = 'Waiting for the customer to enter their M-Pesa PIN';

export function toStkPush(row: StkRow): StkPush {
  let message = PENDING_MESSAGE;
  if (row.status === 'paid')
    message = row.receipt ? `Paid: M-Pesa receipt ${row.receipt}` : 'Paid (confirmed by M-Pesa; receipt number not received yet)';
  else if (row.status === 'failed')
    message = row.resultCode !== null ? stkResultMessage(row.resultCode, row.resultDesc) : (row.resultDesc ?? 'Failed');
  return {
    checkoutRequestId: row.checkoutRequestId,
    status: row.status,
    message,
    resultCode: row.resultCode,
    receipt: row.receipt,
    paymentId: row.paymentId,
    customerId: row.customerId,
    accountNumber: row.accountNumber,
    phone: row.phone,
    amountCents: row.amountCents,
    createdAt: row.createdAt.toISOString(),
    resolvedAt: row.resolvedAt?.toISOString() ?? null,
  };
}

export interface MpesaDeps {
  mpesa: MpesaConfig | undefined;
  daraja: DarajaClient | null;
}

function requireMpesa(deps: MpesaDeps): { mpesa: MpesaConfig; daraja: DarajaClient } {
  if (!deps.mpesa || !deps.daraja) throw conflict('M-Pesa is not configured on this server (MPESA_ variables)');
  return { mpesa: deps.mpesa, daraja: deps.daraja };
}

/** Daraja's failure as a domain error staff can act on. */
function darajaProblem(error: unknown): Error {
  if (!(error instanceof DarajaError)) return error instanceof Error ? error : new Error(String(error));
  if (error.kind === 'rejected') return invalid(error.message);
  if (error.kind === 'credentials')
    return conflict('M-Pesa refused this server’s credentials; ask an administrator to check the MPESA_ settings');
  return conflict(`${error.message}; try again in a minute`);
}

/** Hooks run after an STK push row is written, on its transaction (the status-query job). */
type StkStartedHook = (tx: Database, row: StkRow) => Promise<void>;
const startedHooks: StkStartedHook[] = [];
export function onStkStarted(hook: StkStartedHook): void {
  if (!startedHooks.includes(hook)) startedHooks.push(hook);
}

export async function startStkPush(db: Database, actor: Actor, deps: MpesaDeps, input: StkPushInput): Promise<StkPushStarted> {
  const { mpesa, daraja } = requireMpesa(deps);
  const phone = toDarajaPhone(input.phone);
  if (!phone) throw fieldError('phone', 'Enter a Safaricom number such as 0712 345 678');
  if (input.amountCents % 100 !== 0) throw fieldError('amountCents', 'M-Pesa takes whole shillings: leave out the cents');
  const customer = await customerByAccount(db, input.accountNumber);
  if (!customer) throw fieldError('accountNumber', 'No customer has this account number');

  let answer;
  try {
    answer = await daraja.stkPush({
      phone,
      amountKes: input.amountCents / 100,
      accountReference: customer.accountNumber,
      description: 'Internet',
      callbackUrl: callbackUrls(mpesa).stkResult,
    });
  } catch (error) {
    actor.log.warn({ err: error, event: 'mpesa.stk_push_failed' }, 'STK push failed');
    throw darajaProblem(error);
  }

  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(mpesaStkRequests)
      .values({
        checkoutRequestId: answer.CheckoutRequestID,
        merchantRequestId: answer.MerchantRequestID,
        customerId: customer.id,
        accountNumber: customer.accountNumber,
        phone,
        amountCents: input.amountCents,
        requestedById: actor.user?.id ?? null,
      })
      .returning();
    if (!row) throw new Error('STK insert returned nothing');
    await audit(tx, actor, {
      action: 'mpesa.stk_push',
      entityType: 'customer',
      entityId: customer.id,
      changes: { checkoutRequestId: row.checkoutRequestId, phone, amountCents: input.amountCents, accountNumber: customer.accountNumber },
    });
    await addCustomerActivity(
      tx,
      actor,
      customer.id,
      `M-Pesa payment of KES ${(input.amountCents / 100).toLocaleString('en-KE')} requested from ${toLocalPhone(phone) ?? phone}`,
      { checkoutRequestId: row.checkoutRequestId, amountCents: input.amountCents },
      'payment',
    );
    for (const hook of startedHooks) await hook(tx, row);
    return { checkoutRequestId: row.checkoutRequestId, status: 'pending' as const };
  });
}

/**
 * Gives the payment recorded from a status query (reference = the checkout id) its M-Pesa receipt
 * number once one arrives, so the receipt is never recorded a second time. False when that receipt
 * is already another payment's.
 */
async function adoptReceipt(tx: Database, actor: Actor, row: StkRow, receipt: string, cause: string): Promise<boolean> {
  if (!row.paymentId || (await paymentIdByReference(tx, receipt))) return false;
  await tx.update(payments).set({ reference: receipt }).where(eq(payments.id, row.paymentId));
  await tx.update(mpesaStkRequests).set({ receipt }).where(eq(mpesaStkRequests.id, row.id));
  await audit(tx, actor, {
    action: 'payment.reference',
    entityType: 'payment',
    entityId: row.paymentId,
    changes: { reference: { from: row.checkoutRequestId.toUpperCase(), to: receipt }, cause },
  });
  return true;
}

/**
 * Safaricom may also send a C2B confirmation for an STK push to the paybill. When that push was
 * resolved by a status query (so its payment carries the checkout id, not the receipt), the
 * confirmation is the same money: it names the payment instead of recording it again. Matched on
 * the account and the amount among such pushes of the last day; a wrong pairing can only swap two
 * receipts of one customer, and the reconciliation would show the receipt left over.
 */
async function adoptedByStk(db: Database, actor: Actor, receipt: string, amountCents: number, typed: string): Promise<string | null> {
  if (!typed) return null;
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select()
      .from(mpesaStkRequests)
      .where(
        and(
          eq(mpesaStkRequests.status, 'paid'),
          isNull(mpesaStkRequests.receipt),
          eq(mpesaStkRequests.amountCents, amountCents),
          sql`upper(${mpesaStkRequests.accountNumber}) = ${normaliseAccountNumber(typed)}`,
          gte(mpesaStkRequests.resolvedAt, new Date(Date.now() - 24 * 3600 * 1000)),
        ),
      )
      .orderBy(asc(mpesaStkRequests.resolvedAt))
      .limit(1)
      .for('update', { skipLocked: true });
    if (!row || !(await adoptReceipt(tx, actor, row, receipt, 'mpesa.c2b_confirmation'))) return null;
    return row.paymentId;
  });
}

interface StkResult {
  resultCode: string;
  resultDesc: string;
  /** From the callback's metadata (success only). */
  receipt?: string | undefined;
  amountCents?: number | undefined;
  paidAt?: string | undefined;
  payerPhone?: string | undefined;
}

/**
 * Applies a final result to a pending push, under its row lock (a duplicate callback, or a callback
 * racing a status query, waits and then finds it resolved). Success records the payment for the
 * push's customer; a failure stores the code for the staff message.
 */
async function resolveStk(db: Database, actor: Actor, checkoutRequestId: string, result: StkResult): Promise<StkRow | null> {
  return db.transaction(async (tx) => {
    const [row] = await tx.select().from(mpesaStkRequests).where(eq(mpesaStkRequests.checkoutRequestId, checkoutRequestId)).for('update');
    if (!row) return null;
    const now = new Date();
    if (row.status !== 'pending') {
      // Paid by a status query first (no receipt then): the late callback brings the receipt.
      if (
        row.status === 'paid' &&
        !row.receipt &&
        result.receipt &&
        (await adoptReceipt(tx, actor, row, result.receipt, 'mpesa.stk_callback'))
      ) {
        return { ...row, receipt: result.receipt };
      }
      return row;
    }
    if (result.resultCode !== '0') {
      const [updated] = await tx
        .update(mpesaStkRequests)
        .set({ status: 'failed', resultCode: result.resultCode, resultDesc: result.resultDesc, resolvedAt: now })
        .where(eq(mpesaStkRequests.id, row.id))
        .returning();
      const message = stkResultMessage(result.resultCode, result.resultDesc);
      await audit(tx, actor, {
        action: 'mpesa.stk_failed',
        entityType: 'customer',
        entityId: row.customerId,
        changes: { checkoutRequestId, resultCode: result.resultCode, resultDesc: result.resultDesc },
      });
      await addCustomerActivity(
        tx,
        actor,
        row.customerId,
        `M-Pesa payment request not paid: ${message}`,
        { checkoutRequestId, resultCode: result.resultCode },
        'payment',
      );
      return updated ?? row;
    }
    // Without a receipt (a status query) the checkout id stands in until the callback brings one.
    const reference = (result.receipt ?? row.checkoutRequestId).toUpperCase();
    const recorded = await recordOnce(tx, actor, {
      method: 'mpesa',
      reference,
      amountCents: result.amountCents ?? row.amountCents,
      customerId: row.customerId,
      paidAt: result.paidAt,
      ...(result.payerPhone ? { payerPhone: result.payerPhone } : {}),
    });
    const [updated] = await tx
      .update(mpesaStkRequests)
      .set({
        status: 'paid',
        resultCode: '0',
        resultDesc: result.resultDesc,
        receipt: result.receipt ?? null,
        paymentId: recorded.paymentId,
        resolvedAt: now,
      })
      .where(eq(mpesaStkRequests.id, row.id))
      .returning();
    return updated ?? row;
  });
}

const CALLBACK_WAIT_MS = 3_000;
const CALLBACK_POLL_MS = 250;

const itemValue = (body: StkCallback, name: string) => body.Body.stkCallback.CallbackMetadata?.Item.find((i) => i.Name === name)?.Value;

/** The STK callback. An unknown CheckoutRequestID records nothing (answered 200 all the same). */
export async function handleStkCallback(db: Database, actor: Actor, body: StkCallback): Promise<'unknown' | StkPush['status']> {
  const cb = body.Body.stkCallback;
  const resultCode = String(cb.ResultCode);
  const amount = itemValue(body, 'Amount');
  const receipt = itemValue(body, 'MpesaReceiptNumber');
  const phone = itemValue(body, 'PhoneNumber');
  const amountCents = amount === undefined ? undefined : (kesToCents(typeof amount === 'number' ? amount.toFixed(2) : amount) ?? undefined);
  if (resultCode === '0' && (receipt === undefined || !/^[A-Za-z0-9]{6,20}$/.test(String(receipt)))) {
    throw invalid('A successful STK callback needs its MpesaReceiptNumber');
  }
  const result: StkResult = {
    resultCode,
    resultDesc: cb.ResultDesc,
    receipt: receipt === undefined ? undefined : String(receipt).toUpperCase(),
    amountCents,
    paidAt: paidAtFrom(itemValue(body, 'TransactionDate')),
    payerPhone: phone === undefined ? undefined : (toLocalPhone(String(phone)) ?? undefined),
  };
  let row = await resolveStk(db, actor, cb.CheckoutRequestID, result);
  // A fast callback can overtake the commit of its own push (Daraja answered, our row is not yet
  // visible): look again for a few seconds before calling it unknown.
  for (let waited = 0; !row && waited < CALLBACK_WAIT_MS; waited += CALLBACK_POLL_MS) {
    await new Promise((r) => setTimeout(r, CALLBACK_POLL_MS));
    row = await resolveStk(db, actor, cb.CheckoutRequestID, result);
  }
  if (!row) {
    actor.log.warn(
      { event: 'mpesa.stk_unknown', checkoutRequestId: cb.CheckoutRequestID },
      'STK callback for an unknown CheckoutRequestID; nothing recorded',
    );
    return 'unknown';
  }
  return row.status;
}

/** How long after the push an on-demand status query is worth sending, and how often. */
export const STK_QUERY_AFTER_MS = 60_000;
const STK_QUERY_SPACING_MS = 20_000;

/**
 * Asks Daraja what became of a push still pending (its callback may never arrive). Answers the row
 * as it is afterwards; a push Daraja still reports as in progress stays pending.
 */
export async function queryStkPush(db: Database, actor: Actor, daraja: DarajaClient, checkoutRequestId: string): Promise<StkRow | null> {
  await db.update(mpesaStkRequests).set({ queriedAt: new Date() }).where(eq(mpesaStkRequests.checkoutRequestId, checkoutRequestId));
  const answer = await daraja.stkQuery(checkoutRequestId);
  if (!answer || answer.ResultCode === undefined) {
    const [row] = await db.select().from(mpesaStkRequests).where(eq(mpesaStkRequests.checkoutRequestId, checkoutRequestId));
    return row ?? null;
  }
  return resolveStk(db, actor, checkoutRequestId, { resultCode: String(answer.ResultCode), resultDesc: answer.ResultDesc ?? '' });
}

/** A push as staff see it; a pending one older than a minute is checked with Daraja first. */
export async function getStkPush(db: Database, actor: Actor, deps: MpesaDeps, checkoutRequestId: string): Promise<StkPush> {
  const [row] = await db.select().from(mpesaStkRequests).where(eq(mpesaStkRequests.checkoutRequestId, checkoutRequestId));
  if (!row) throw notFound('M-Pesa payment request');
  const now = Date.now();
  const due =
    row.status === 'pending' &&
    now - row.createdAt.getTime() >= STK_QUERY_AFTER_MS &&
    (!row.queriedAt || now - row.queriedAt.getTime() >= STK_QUERY_SPACING_MS);
  if (due && deps.daraja) {
    try {
      const updated = await queryStkPush(db, actor, deps.daraja, checkoutRequestId);
      if (updated) return toStkPush(updated);
    } catch (error) {
      // Daraja down: show what we know; the scheduled query tries again.
      actor.log.warn({ err: error, event: 'mpesa.stk_query_failed' }, 'STK status query failed');
    }
  }
  return toStkPush(row);
}
