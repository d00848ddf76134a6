/**
 * Router ↔ CRM sync. The dry run reads the router's PPP secrets and hotspot users and lists how they
 * differ from the subscriptions the CRM has on that router; nothing changes until an admin applies
 * it, which makes the router match the CRM and is audited.
 *
 * - `missing`: an active subscription without its account on the router (apply: create it);
 * - `disabled-while-active`: the account is disabled but the subscription is active (enable);
 * - `wrong-profile`: an active account with another profile than the plan's (set the profile);
 * - `enabled-while-suspended`: a suspended or cancelled subscription whose account is enabled
 *   (disable it and drop its sessions);
 * - `extra`: an account the CRM does not know on this router. Apply disables it only when NetFlow
 *   created it (its comment starts with `netflow `); anything else was made by hand and is left
 *   alone. Nothing is ever deleted.
 */
import type { RouterDifference, RouterSyncResult } from '@netflow/contracts';
import { customers, plans, subscriptions, type Database } from '@netflow/db';
import { and, eq, inArray, isNotNull, ne } from 'drizzle-orm';
import type { Config } from '../../config';
import type { Actor } from '../../lib/actor';
import { secretBox } from '../../lib/secrets';
import { audit } from '../audit';
import { applyAccount, generateServicePassword, servicePasswordAad } from './provisioning';
import { findRecords, SERVICE_MENUS, type RouterOsClient, type RouterOsRecord, type ServiceKind } from './routeros-client';
import { clientFor, loadRouter } from './service';

const SERVICES: ServiceKind[] = ['pppoe', 'hotspot'];
const isDisabled = (r: RouterOsRecord) => r.disabled === 'true' || r.disabled === 'yes';

interface CrmAccount {
  subscriptionId: string;
  username: string;
  status: 'active' | 'suspended' | 'cancelled';
  service: ServiceKind;
  profile: string | null;
  accountNumber: string;
  sealed: string | null;
}

async function crmAccounts(db: Database, routerId: string): Promise<CrmAccount[]> {
  const rows = await db
    .select({
      subscriptionId: subscriptions.id,
      username: subscriptions.pppoeUsername,
      status: subscriptions.status,
      service: plans.type,
      profile: plans.routerProfile,
      accountNumber: customers.accountNumber,
      sealed: subscriptions.servicePasswordSealed,
    })
    .from(subscriptions)
    .innerJoin(plans, eq(plans.id, subscriptions.planId))
    .innerJoin(customers, eq(customers.id, subscriptions.customerId))
    .where(and(eq(subscriptions.routerId, routerId), ne(subscriptions.status, 'pending'), isNotNull(subscriptions.pppoeUsername)));
  return rows.map((r) => ({ ...r, username: r.username ?? '', status: r.status as CrmAccount['status'] }));
}

async function routerAccounts(client: RouterOsClient): Promise<Record<ServiceKind, RouterOsRecord[]>> {
  return {
    pppoe: await findRecords(client, SERVICE_MENUS.pppoe.users, {}),
    hotspot: await findRecords(client, SERVICE_MENUS.hotspot.users, {}),
  };
}

export function compare(crm: CrmAccount[], onRouter: Record<ServiceKind, RouterOsRecord[]>): RouterDifference[] {
  const differences: RouterDifference[] = [];
  for (const service of SERVICES) {
    const byName = new Map(onRouter[service].map((r) => [r.name ?? '', r]));
    const known = new Set<string>();
    for (const account of crm.filter((a) => a.service === service)) {
      known.add(account.username);
      const row = byName.get(account.username);
      const base = {
        username: account.username,
        service,
        subscriptionId: account.subscriptionId,
        crmStatus: account.status,
        expectedProfile: account.profile,
        routerProfile: row?.profile ?? null,
        note: null,
      };
      if (account.status === 'active') {
        if (!row) differences.push({ ...base, kind: 'missing', action: 'create' });
        else if (isDisabled(row)) differences.push({ ...base, kind: 'disabled-while-active', action: 'enable' });
        else if (account.profile && row.profile !== account.profile)
          differences.push({ ...base, kind: 'wrong-profile', action: 'set-profile' });
      } else if (row && !isDisabled(row)) {
        differences.push({
          ...base,
          kind: 'enabled-while-suspended',
          action: 'disable',
          note: account.status === 'cancelled' ? 'The subscription is cancelled' : null,
        });
      }
    }
    for (const row of onRouter[service]) {
      const name = row.name ?? '';
      if (known.has(name)) continue;
      const ours = (row.comment ?? '').startsWith('netflow ');
      differences.push({
        username: name,
        kind: 'extra',
        service,
        subscriptionId: null,
        crmStatus: null,
        expectedProfile: null,
        routerProfile: row.profile ?? null,
        action: ours && !isDisabled(row) ? 'disable' : 'none',
        note: !ours ? 'Not created by NetFlow CRM: left alone' : isDisabled(row) ? 'Already disabled' : null,
      });
    }
  }
  return differences.sort((a, b) => a.username.localeCompare(b.username) || a.kind.localeCompare(b.kind));
}

/** Compares (and with `apply`, fixes) one router. Router failures are thrown as RouterOsErrors. */
export async function syncRouter(
  db: Database,
  actor: Actor,
  config: Config,
  input: { id: string; apply: boolean },
): Promise<RouterSyncResult> {
  const router = await loadRouter(db, input.id);
  const client = clientFor(router, config);
  const crm = await crmAccounts(db, router.id);
  const differences = compare(crm, await routerAccounts(client));
  if (!input.apply) return { applied: false, differences, fixed: 0, checkedAt: new Date().toISOString() };

  const bySubscription = new Map(crm.map((a) => [a.subscriptionId, a]));
  const fixed: Record<string, number> = {};
  const touched: string[] = [];
  for (const diff of differences) {
    if (diff.action === 'none') continue;
    const account = diff.subscriptionId ? bySubscription.get(diff.subscriptionId) : undefined;
    let password: string | null = null;
    if (account && account.status === 'active') {
      if (account.sealed) password = secretBox().open(account.sealed, servicePasswordAad(account.subscriptionId));
      else {
        password = generateServicePassword();
        await db
          .update(subscriptions)
          .set({
            servicePasswordSealed: secretBox().seal(password, servicePasswordAad(account.subscriptionId)),
            servicePasswordShownAt: null,
          })
          .where(eq(subscriptions.id, account.subscriptionId));
      }
    }
    await applyAccount(client, {
      service: diff.service,
      username: diff.username,
      enabled: diff.action !== 'disable',
      profile: account?.profile ?? null,
      password,
      comment: account ? `netflow ${account.accountNumber} ${account.subscriptionId}` : '',
    });
    fixed[diff.kind] = (fixed[diff.kind] ?? 0) + 1;
    if (diff.subscriptionId) touched.push(diff.subscriptionId);
  }
  const count = Object.values(fixed).reduce((a, b) => a + b, 0);
  await db.transaction(async (tx) => {
    if (touched.length > 0) {
      await tx
        .update(subscriptions)
        .set({ provisioningState: 'synced', provisioningError: null, provisionedAt: new Date() })
        .where(inArray(subscriptions.id, touched));
    }
    await audit(tx, actor, {
      action: 'router.sync',
      entityType: 'router',
      entityId: router.id,
      changes: { fixed, differences: differences.length, subscriptions: touched },
    });
  });
  const remaining = compare(await crmAccounts(db, router.id), await routerAccounts(client));
  return { applied: true, differences: remaining, fixed: count, checkedAt: new Date().toISOString() };
}
