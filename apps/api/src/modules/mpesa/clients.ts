/**
 * One Daraja client per database handle and configuration (the token cache lives in it), and one
 * Redis connection per REDIS_URL for the shared token when Redis is configured.
 */
import type { Database } from '@netflow/db';
import { Redis } from 'ioredis';
import type { Config, MpesaConfig } from '../../config';
import { createDarajaClient, type DarajaClient } from './daraja';
import { postgresTokenStore, redisTokenStore, tokenKey } from './token-store';

const clients = new WeakMap<Database, { mpesa: MpesaConfig; client: DarajaClient }>();
const redisConnections = new Map<string, Redis>();

function redisFor(url: string): Redis {
  let redis = redisConnections.get(url);
  if (!redis) {
    redis = new Redis(url, { maxRetriesPerRequest: 1, commandTimeout: 2_000, connectTimeout: 2_000, lazyConnect: false });
    // Errors surface on the commands that fail (a token refresh then fails and is retried later).
    redis.on('error', () => {});
    redisConnections.set(url, redis);
  }
  return redis;
}

/** The Daraja client for this database and M-Pesa configuration, or null when M-Pesa is not configured. */
export function darajaClientFor(config: Config, db: Database): DarajaClient | null {
  const mpesa = config.mpesa;
  if (!mpesa) return null;
  const known = clients.get(db);
  if (known && known.mpesa === mpesa) return known.client;
  const key = tokenKey(mpesa.baseUrl, mpesa.consumerKey);
  const redisUrl = config.redisUrl;
  const store = redisUrl ? redisTokenStore(() => redisFor(redisUrl), config.redisKeyPrefix, key) : postgresTokenStore(db, key);
  const client = createDarajaClient(mpesa, store);
  clients.set(db, { mpesa, client });
  return client;
}

/** Closes the Redis connections (server shutdown, end of a CLI command). */
export async function closeMpesaClients(): Promise<void> {
  const all = [...redisConnections.values()];
  redisConnections.clear();
  await Promise.all(all.map((r) => r.quit().catch(() => r.disconnect())));
}
