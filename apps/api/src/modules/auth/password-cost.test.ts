/**
 * The test-cost switch cannot leak into what a server stores: production parameters are OWASP's
 * argon2id minimum, hashes made under either setting verify under the other, and the login path's
 * rehash check follows the active parameters.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HASH_OPTIONS, hashPassword, needsRehash, setHashCostForTests, verifyPassword } from './passwords';

afterEach(() => setHashCostForTests('test'));

describe('password hashing cost', () => {
  it('hashes and verifies at OWASP parameters (m=19456, t=2, p=1) in production', async () => {
    expect(HASH_OPTIONS).toMatchObject({ memoryCost: 19_456, timeCost: 2, parallelism: 1 });
    setHashCostForTests('production');
    const hash = await hashPassword('kettle-orbit-93-lamp');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(hash, 'kettle-orbit-93-lamp')).toBe(true);
    expect(await verifyPassword(hash, 'kettle-orbit-93-lamq')).toBe(false);
    expect(needsRehash(hash)).toBe(false);
  });

  it('the test setting hashes cheaply, and each kind of hash verifies under the other setting', async () => {
    const cheap = await hashPassword('kettle-orbit-93-lamp');
    expect(cheap).toMatch(/^\$argon2id\$v=19\$m=8,t=1,p=1\$/);
    setHashCostForTests('production');
    // A cheap hash is what the login path would upgrade in production.
    expect(needsRehash(cheap)).toBe(true);
    expect(await verifyPassword(cheap, 'kettle-orbit-93-lamp')).toBe(true);
    const strong = await hashPassword('kettle-orbit-93-lamp');
    setHashCostForTests('test');
    expect(await verifyPassword(strong, 'kettle-orbit-93-lamp')).toBe(true);
  });
});
