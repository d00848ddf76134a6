/**
 * `pnpm secrets:rotate` covers every sealed column: values sealed under the old key in each of
 * them open under the new key alone after a rotation, with the place (aad) the module uses.
 */
import { routers, subscriptions } from '@netflow/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routerPasswordAad, servicePasswordAad } from '../modules/routers';
import { createHarness, type Harness } from '../test/harness';
import { insertCustomer, insertPlan, insertSubscription } from '../test/fixtures';
import { rotateSealedColumns, SEALED_COLUMNS } from './sealed-columns';
import { createSecretBox } from './secrets';

const keyA = 'rotation-key-a-that-is-long-enough-0123456789';
const keyB = 'rotation-key-b-that-is-long-enough-9876543210';
let h: Harness;

beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

describe('sealed columns', () => {
  it('lists every sealed column of the schema', () => {
    expect(SEALED_COLUMNS.map((c) => c.name).sort()).toEqual([
      'routers.password_sealed',
      'subscriptions.service_password_sealed',
      'users.mfa_pending_secret',
      'users.mfa_secret',
    ]);
  });

  it('re-seals router and service passwords under the new key, readable in their own place only', async () => {
    const old = createSecretBox({ key: keyA, previousKeys: [] });
    const [router] = await h.db.db
      .insert(routers)
      .values({ name: 'Rotation router', url: 'https://10.0.0.1', username: 'netflow', passwordSealed: 'pending' })
      .returning();
    if (!router) throw new Error('router insert');
    await h.db.db
      .update(routers)
      .set({ passwordSealed: old.seal('router-secret', routerPasswordAad(router.id)) })
      .where(eq(routers.id, router.id));
    const plan = await insertPlan(h.db.db);
    const customer = await insertCustomer(h.db.db);
    const sub = await insertSubscription(h.db.db, { customerId: customer.id, planId: plan.id });
    await h.db.db
      .update(subscriptions)
      .set({ servicePasswordSealed: old.seal('service-secret', servicePasswordAad(sub.id)) })
      .where(eq(subscriptions.id, sub.id));

    const box = createSecretBox({ key: keyB, previousKeys: [keyA] });
    const counts = Object.fromEntries((await rotateSealedColumns(h.db.db, box)).map((c) => [c.name, c]));
    expect(counts['routers.password_sealed']).toMatchObject({ failed: 0 });
    expect(counts['routers.password_sealed']?.resealed).toBeGreaterThanOrEqual(1);
    expect(counts['subscriptions.service_password_sealed']?.resealed).toBeGreaterThanOrEqual(1);

    const onlyB = createSecretBox({ key: keyB, previousKeys: [] });
    const [r] = await h.db.db.select().from(routers).where(eq(routers.id, router.id));
    const [s] = await h.db.db.select().from(subscriptions).where(eq(subscriptions.id, sub.id));
    expect(onlyB.open(r?.passwordSealed ?? '', routerPasswordAad(router.id))).toBe('router-secret');
    expect(onlyB.open(s?.servicePasswordSealed ?? '', servicePasswordAad(sub.id))).toBe('service-secret');
    expect(() => onlyB.open(s?.servicePasswordSealed ?? '', routerPasswordAad(router.id))).toThrow();
  });
});
