/**
 * Where Daraja's OAuth token is kept. A new token invalidates the previous one, so every instance
 * must use the same token: one store shared by all of them (Redis when REDIS_URL is set, else a
 * PostgreSQL row), refreshed under a lock so two instances never both fetch one.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mpesaOauthTokens, type Database } from '@netflow/db';
import { eq } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import { secretBox } from '../../lib/secrets';

export interface CachedToken {
  token: string;
  expiresAt: Date;
}

export interface TokenStore {
  /** The shared token, or null when none is stored. */
  get(): Promise<CachedToken | null>;
  /**
   * Under the shared lock: if the stored token is still usable and is not `stale` (the one Daraja
   * just refused), answers it; otherwise calls `fetchToken`, stores and answers the new one.
   */
  refresh(stale: string | null, fetchToken: () => Promise<CachedToken>): Promise<CachedToken>;
}

/** A token is refreshed this long before Daraja says it expires (clocks and slow requests). */
export const TOKEN_MARGIN_MS = 120_000;

export const isUsable = (t: CachedToken | null, now = Date.now()): t is CachedToken =>
  t !== null && t.expiresAt.getTime() - TOKEN_MARGIN_MS > now;

/** One store key per Daraja app (consumer key) and host, without putting the key itself anywhere. */
export function tokenKey(baseUrl: string, consumerKey: string): string {
  return createHash('sha256').update(`${baseUrl}\n${consumerKey}`).digest('hex').slice(0, 32);
}

const AAD = (key: string) => `mpesa-oauth:${key}`;

function openToken(key: string, sealed: string | null, expiresAt: Date | null): CachedToken | null {
  if (!sealed || !expiresAt) return null;
  try {
    return { token: secretBox().open(sealed, AAD(key)), expiresAt };
  } catch {
    // Sealed under a key rotated away: as good as missing, a refresh replaces it.
    return null;
  }
}

export function postgresTokenStore(db: Database, key: string): TokenStore {
  return {
    async get() {
      const [row] = await db.select().from(mpesaOauthTokens).where(eq(mpesaOauthTokens.key, key)).limit(1);
      return row ? openToken(key, row.sealedToken, row.expiresAt) : null;
    },
    async refresh(stale, fetchToken) {
      return db.transaction(async (tx) => {
        await tx.insert(mpesaOauthTokens).values({ key }).onConflictDoNothing();
        // The row lock is the shared lock: another instance refreshing waits here, then sees the new token.
        const [row] = await tx.select().from(mpesaOauthTokens).where(eq(mpesaOauthTokens.key, key)).for('update');
        const current = row ? openToken(key, row.sealedToken, row.expiresAt) : null;
        if (isUsable(current) && current.token !== stale) return current;
        const fresh = await fetchToken();
        await tx
          .update(mpesaOauthTokens)
          .set({ sealedToken: secretBox().seal(fresh.token, AAD(key)), expiresAt: fresh.expiresAt })
          .where(eq(mpesaOauthTokens.key, key));
        return fresh;
      });
    },
  };
}

const LOCK_TTL_MS = 20_000;
const LOCK_POLL_MS = 150;

/** Deletes the lock only if it is still ours (it may have expired and been taken by another instance). */
const UNLOCK_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/** `connection` may be a getter, so a store outlives a connection closed and reopened (server restarts in tests). */
export function redisTokenStore(connection: Redis | (() => Redis), prefix: string, key: string): TokenStore {
  const redis = () => (typeof connection === 'function' ? connection() : connection);
  const tokenKeyName = `${prefix}mpesa:oauth:${key}`;
  const lockKeyName = `${tokenKeyName}:lock`;
  const read = async (): Promise<CachedToken | null> => {
    const raw = await redis().get(tokenKeyName);
    if (!raw) return null;
    try {
      const parsed = JSON.parse(raw) as { sealed?: string; expiresAt?: string };
      return openToken(key, parsed.sealed ?? null, parsed.expiresAt ? new Date(parsed.expiresAt) : null);
    } catch {
      return null;
    }
  };
  return {
    get: read,
    async refresh(stale, fetchToken) {
      const me = randomBytes(12).toString('hex');
      const deadline = Date.now() + LOCK_TTL_MS;
      for (;;) {
        const locked = await redis().set(lockKeyName, me, 'PX', LOCK_TTL_MS, 'NX');
        if (locked === 'OK') {
          try {
            const current = await read();
            if (isUsable(current) && current.token !== stale) return current;
            const fresh = await fetchToken();
            const ttl = Math.max(1_000, fresh.expiresAt.getTime() - Date.now());
            const value = JSON.stringify({ sealed: secretBox().seal(fresh.token, AAD(key)), expiresAt: fresh.expiresAt.toISOString() });
            await redis().set(tokenKeyName, value, 'PX', ttl);
            return fresh;
          } finally {
            await redis()
              .eval(UNLOCK_SCRIPT, 1, lockKeyName, me)
              .catch(() => undefined);
          }
        }
        // Another instance is refreshing: use its token once it lands.
        const current = await read();
        if (isUsable(current) && current.token !== stale) return current;
        if (Date.now() > deadline) throw new Error('timed out waiting for another instance to refresh the M-Pesa token');
        await new Promise((r) => setTimeout(r, LOCK_POLL_MS));
      }
    },
  };
}
