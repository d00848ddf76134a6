/**
 * Provisioning: making a router agree with the CRM about one subscription.
 *
 * Billing raises `subscription.changed` inside its transaction; `provisionOnChange` (wired in
 * `src/wiring.ts`) marks a router-managed subscription `pending` and enqueues a
 * `provision.subscription` job on that same transaction. The job (`provisionSubscription`) reads
 * the subscription's CURRENT state when it runs — so a late retry of an old event still converges
 * — and applies it with idempotent RouterOS calls: active → the PPP secret (or hotspot user) exists,
 * enabled, with the plan's profile and the service password; suspended or cancelled → disabled and
 * its sessions dropped. A failure leaves `failed` with the router's message and is retried by the
 * queue with backoff; a technician can retry at once (`retryProvisioning`).
 *
 * The service password is generated here, sealed (`subscription:<id>:service-password`), and shown
 * once: in the activation answer or when a technician sets a new one. It never goes into lists,
 * logs, audit rows or job payloads (jobs carry only the subscription id).
 */
import type { Subscription } from '@netflow/contracts';
import { plans, routers, subscriptions, type Database } from '@netflow/db';
import { and, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import { randomInt } from 'node:crypto';
import type { Config } from '../../config';
import type { Actor, ActorLog } from '../../lib/actor';
import type { EventActor, DomainEvent } from '../../lib/events';
import { conflict, notFound } from '../../lib/errors';
import { secretBox } from '../../lib/secrets';
import { audit } from '../audit';
import { findRecords, SERVICE_MENUS, type RouterOsClient, type ServiceKind } from './routeros-client';
import { clientFor, routerErrorMessage, type RouterRow } from './service';

export const servicePasswordAad = (subscriptionId: string) => `subscription:${subscriptionId}:service-password`;

/** No look-alikes (0/o, 1/l/i): read aloud or typed into a CPE. 12 of 31 symbols ≈ 59 bits. */
const PASSWORD_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

export function generateServicePassword(): string {
  const groups: string[] = [];
  for (let g = 0; g < 3; g += 1) {
    let group = '';
    for (let i = 0; i < 4; i += 1) group += PASSWORD_ALPHABET.charAt(randomInt(PASSWORD_ALPHABET.length));
    groups.push(group);
  }
  return groups.join('-');
}

// ---------------------------------------------------------------------------------------------
// The router operations (idempotent: find → create or patch)

export interface DesiredAccount {
  service: ServiceKind;
  username: string;
  enabled: boolean;
  /** The plan's router profile; null leaves the router's default. */
  profile: string | null;
  password: string | null;
  comment: string;
}

/** What was done, for the audit trail (never a password). */
export type RouterOperation = 'create' | 'enable' | 'update' | 'disable' | 'drop-session';

/** Makes the router's account for `desired` exist and match it. Returns the operations performed. */
export async function applyAccount(client: RouterOsClient, desired: DesiredAccount): Promise<RouterOperation[]> {
  const menu = SERVICE_MENUS[desired.service];
  const ops: RouterOperation[] = [];
  const [found] = await findRecords(client, menu.users, { name: desired.username });
  if (desired.enabled) {
    if (!found) {
      await client.put(menu.users, {
        name: desired.username,
        ...(desired.password !== null ? { password: desired.password } : {}),
        ...(desired.service === 'pppoe' ? { service: 'pppoe' } : {}),
        ...(desired.profile ? { profile: desired.profile } : {}),
        comment: desired.comment,
        disabled: 'false',
      });
      ops.push('create');
    } else {
      // The password is always written: without the `sensitive` policy RouterOS does not show it,
      // so it cannot be compared (and writing the same one again is harmless).
      await client.patch(`${menu.users}/${found['.id']}`, {
        disabled: 'false',
        ...(desired.profile ? { profile: desired.profile } : {}),
        ...(desired.password !== null ? { password: desired.password } : {}),
      });
      ops.push(found.disabled === 'true' || found.disabled === 'yes' ? 'enable' : 'update');
    }
    return ops;
  }
  if (found && found.disabled !== 'true' && found.disabled !== 'yes') {
    await client.patch(`${menu.users}/${found['.id']}`, { disabled: 'true' });
    ops.push('disable');
  }
  // Disabling a secret does not end a session already up: drop them, so the customer is really cut off.
  const sessions = await findRecords(client, menu.active, { [menu.activeUserField]: desired.username });
  for (const session of sessions) {
    await client.delete(`${menu.active}/${session['.id']}`);
    ops.push('drop-session');
  }
  return ops;
}

// ---------------------------------------------------------------------------------------------
// One subscription

interface Target {
  sub: typeof subscriptions.$inferSelect;
  plan: { type: ServiceKind; routerProfile: string | null };
  router: RouterRow;
  accountNumber: string;
}

async function loadTarget(db: Database, subscriptionId: string): Promise<Target | null> {
  const [row] = await db
    .select({
      sub: subscriptions,
      plan: { type: plans.type, routerProfile: plans.routerProfile },
      router: routers,
      accountNumber: sql<string>`(select account_number from customers where customers.id = ${subscriptions.customerId})`,
    })
    .from(subscriptions)
    .innerJoin(plans, eq(plans.id, subscriptions.planId))
    .innerJoin(routers, eq(routers.id, subscriptions.routerId))
    .where(eq(subscriptions.id, subscriptionId));
  return row ?? null;
}

/** The service password of a subscription, generated (and sealed, not shown) when it has none. */
async function servicePasswordOf(db: Database, sub: typeof subscriptions.$inferSelect): Promise<string> {
  if (sub.servicePasswordSealed) return secretBox().open(sub.servicePasswordSealed, servicePasswordAad(sub.id));
  const password = generateServicePassword();
  await db
    .update(subscriptions)
    .set({ servicePasswordSealed: secretBox().seal(password, servicePasswordAad(sub.id)), servicePasswordShownAt: null })
    .where(and(eq(subscriptions.id, sub.id), isNull(subscriptions.servicePasswordSealed)));
  const [again] = await db.select({ sealed: subscriptions.servicePasswordSealed }).from(subscriptions).where(eq(subscriptions.id, sub.id));
  // Another run may have set one first: use whatever is stored.
  return again?.sealed ? secretBox().open(again.sealed, servicePasswordAad(sub.id)) : password;
}

export function desiredAccountOf(target: Target, password: string | null): DesiredAccount | null {
  const { sub, plan } = target;
  if (!sub.pppoeUsername || sub.status === 'pending') return null;
  return {
    service: plan.type,
    username: sub.pppoeUsername,
    enabled: sub.status === 'active',
    profile: plan.routerProfile,
    password,
    comment: `netflow ${target.accountNumber} ${sub.id}`,
  };
}

export type ProvisionOutcome =
  { state: 'synced'; operations: RouterOperation[] } | { state: 'failed'; error: string } | { state: 'not-managed' };

export interface ProvisionOptions {
  config: Config;
  actor: Pick<Actor, 'user' | 'label' | 'ip' | 'requestId'>;
  log: ActorLog;
}

/**
 * Applies the subscription's current state to its router and records the outcome (`synced`, or
 * `failed` with the router's message; attempts counted). Never throws for a router failure: the
 * caller decides (the job rethrows so the queue retries; a technician's retry answers with it).
 */
export async function provisionSubscription(db: Database, subscriptionId: string, options: ProvisionOptions): Promise<ProvisionOutcome> {
  // A change that lands while we talk to the router bumps the generation: go round again, so the
  // router ends up with the newest state even when two jobs of one subscription overlap.
  for (let round = 0; round < 3; round += 1) {
    const target = await loadTarget(db, subscriptionId);
    if (!target) return { state: 'not-managed' };
    const generation = target.sub.provisioningGeneration;
    let operations: RouterOperation[] = [];
    let failure: string | null = null;
    try {
      const wantsEnabled = target.sub.status === 'active';
      const password = wantsEnabled && target.sub.pppoeUsername ? await servicePasswordOf(db, target.sub) : null;
      const desired = desiredAccountOf(target, password);
      if (desired) operations = await applyAccount(clientFor(target.router, options.config), desired);
    } catch (error) {
      failure = routerErrorMessage(error);
      if (failure === 'Unexpected error talking to the router')
        options.log.error({ err: error, subscriptionId }, 'provisioning failed unexpectedly');
    }
    const recorded = await db.transaction(async (tx) => {
      const [row] = await tx
        .update(subscriptions)
        .set(
          failure === null
            ? {
                provisioningState: 'synced',
                provisioningError: null,
                provisioningAttempts: sql`${subscriptions.provisioningAttempts} + 1`,
                provisionedAt: new Date(),
              }
            : {
                provisioningState: 'failed',
                provisioningError: failure,
                provisioningAttempts: sql`${subscriptions.provisioningAttempts} + 1`,
              },
        )
        .where(and(eq(subscriptions.id, subscriptionId), eq(subscriptions.provisioningGeneration, generation)))
        .returning({ id: subscriptions.id, attempts: subscriptions.provisioningAttempts });
      if (!row) return false;
      await audit(tx, options.actor, {
        action: 'subscription.provision',
        entityType: 'subscription',
        entityId: subscriptionId,
        outcome: failure === null ? 'success' : 'failure',
        reason: failure,
        changes: {
          routerId: target.router.id,
          status: target.sub.status,
          username: target.sub.pppoeUsername,
          operations,
          attempt: row.attempts,
        },
      });
      return true;
    });
    if (!recorded) continue;
    if (failure !== null) {
      options.log.warn({ subscriptionId, routerId: target.router.id, error: failure }, 'provisioning failed');
      return { state: 'failed', error: failure };
    }
    return { state: 'synced', operations };
  }
  // Still changing under us: the job that the newest change enqueued will finish the work.
  return { state: 'synced', operations: [] };
}

// ---------------------------------------------------------------------------------------------
// The event listener (runs on billing's transaction)

type SubscriptionChanged = Extract<DomainEvent, { type: 'subscription.changed' }>;

/**
 * Marks a router-managed subscription `pending` and returns true when a provisioning job should be
 * enqueued (the caller enqueues on the same transaction). Generates the service password at
 * activation when there is none yet (shown once by the activation answer).
 */
export async function markPending(tx: Database, event: Pick<SubscriptionChanged, 'subscriptionId' | 'change'>): Promise<boolean> {
  const [sub] = await tx
    .select({ routerId: subscriptions.routerId, sealed: subscriptions.servicePasswordSealed })
    .from(subscriptions)
    .where(eq(subscriptions.id, event.subscriptionId));
  if (!sub?.routerId) return false;
  const password =
    sub.sealed === null && (event.change === 'activated' || event.change === 'restored' || event.change === 'renewed')
      ? secretBox().seal(generateServicePassword(), servicePasswordAad(event.subscriptionId))
      : null;
  await tx
    .update(subscriptions)
    .set({
      provisioningState: 'pending',
      provisioningAttempts: 0,
      provisioningGeneration: sql`${subscriptions.provisioningGeneration} + 1`,
      ...(password ? { servicePasswordSealed: password, servicePasswordShownAt: null } : {}),
    })
    .where(eq(subscriptions.id, event.subscriptionId));
  return true;
}

export type ProvisionEventActor = EventActor;

// ---------------------------------------------------------------------------------------------
// Staff actions

/**
 * The service password, once: returns it and marks it shown, or null when there is none or it was
 * shown already. The activation answer uses it right after the activation committed.
 */
export async function revealServicePasswordOnce(db: Database, actor: Actor, subscriptionId: string): Promise<string | null> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(subscriptions)
      .set({ servicePasswordShownAt: new Date() })
      .where(
        and(
          eq(subscriptions.id, subscriptionId),
          isNotNull(subscriptions.servicePasswordSealed),
          isNull(subscriptions.servicePasswordShownAt),
        ),
      )
      .returning({ sealed: subscriptions.servicePasswordSealed });
    if (!row?.sealed) return null;
    await audit(tx, actor, { action: 'subscription.service_password.show', entityType: 'subscription', entityId: subscriptionId });
    return secretBox().open(row.sealed, servicePasswordAad(subscriptionId));
  });
}

/**
 * A new service password (the old one was lost, or never shown): sealed, shown this once, and the
 * router told through a provisioning job enqueued by `enqueueJob` on the same transaction.
 */
export async function rotateServicePassword(
  db: Database,
  actor: Actor,
  subscriptionId: string,
  enqueueJob: (tx: Database, subscriptionId: string, reason: string) => Promise<unknown>,
): Promise<{ username: string; password: string }> {
  return db.transaction(async (tx) => {
    const [sub] = await tx.select().from(subscriptions).where(eq(subscriptions.id, subscriptionId)).for('update');
    if (!sub) throw notFound('Subscription');
    if (!sub.routerId) throw conflict('This subscription is not served by a router the CRM manages');
    if (!sub.pppoeUsername) throw conflict('Activate the subscription first: it has no service username yet');
    if (sub.status === 'cancelled') throw conflict('This subscription is cancelled');
    const password = generateServicePassword();
    await tx
      .update(subscriptions)
      .set({
        servicePasswordSealed: secretBox().seal(password, servicePasswordAad(sub.id)),
        servicePasswordShownAt: new Date(),
        provisioningState: 'pending',
        provisioningAttempts: 0,
        provisioningGeneration: sql`${subscriptions.provisioningGeneration} + 1`,
      })
      .where(eq(subscriptions.id, sub.id));
    await enqueueJob(tx, sub.id, 'password');
    await audit(tx, actor, { action: 'subscription.service_password.rotate', entityType: 'subscription', entityId: sub.id });
    return { username: sub.pppoeUsername, password };
  });
}

/**
 * A technician's "retry now": one provisioning attempt in the request, answered with the outcome
 * (the queued retries keep going on their own schedule and find the router in agreement).
 */
export async function retryProvisioning(
  db: Database,
  actor: Actor,
  config: Config,
  subscriptionId: string,
  read: (db: Database, id: string) => Promise<Subscription>,
): Promise<Subscription> {
  const [sub] = await db.select({ routerId: subscriptions.routerId }).from(subscriptions).where(eq(subscriptions.id, subscriptionId));
  if (!sub) throw notFound('Subscription');
  if (!sub.routerId) throw conflict('This subscription is not served by a router the CRM manages');
  await db
    .update(subscriptions)
    .set({ provisioningState: 'pending', provisioningGeneration: sql`${subscriptions.provisioningGeneration} + 1` })
    .where(eq(subscriptions.id, subscriptionId));
  await provisionSubscription(db, subscriptionId, { config, actor, log: actor.log });
  return read(db, subscriptionId);
}
