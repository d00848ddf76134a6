/**
 * Security services shared by every request of one API instance: the rate limiter and the store
 * its counters live in (Redis when REDIS_URL is set, with an in-memory fallback; memory otherwise).
 */
import type { FastifyBaseLogger } from 'fastify';
import { Redis } from 'ioredis';
import type { Config } from '../config';
import { MemoryCounterStore, RedisCounterStore, ResilientCounterStore, type CounterBackend, type CounterStore } from './counters';
import { limitRules, RateLimiter } from './rate-limits';

export interface Security {
  counters: CounterStore;
  limiter: RateLimiter;
  /** Where counters are kept right now. */
  backend(): CounterBackend;
  close(): Promise<void>;
}

/** How long start-up waits for Redis before serving with memory counters (and retrying in the background). */
const REDIS_STARTUP_WAIT_MS = 1_000;

export async function createSecurity(config: Config, log: FastifyBaseLogger): Promise<Security> {
  const memory = new MemoryCounterStore();
  if (!config.redisUrl) {
    return { counters: memory, limiter: new RateLimiter(memory, limitRules(config)), backend: () => 'memory', close: async () => {} };
  }

  const redis = new Redis(config.redisUrl, {
    // Never queue commands while disconnected, never wait long for an answer: a dead Redis must
    // turn into an immediate fallback, not a hanging request.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 250,
    connectTimeout: 1_000,
    retryStrategy: (attempt) => Math.min(attempt * 250, 5_000),
    lazyConnect: true,
  });
  // Connection errors are reported by the store (once per outage), not thrown.
  redis.on('error', () => {});
  await Promise.race([
    redis.connect().catch(() => undefined),
    new Promise((resolve) => setTimeout(resolve, REDIS_STARTUP_WAIT_MS).unref()),
  ]);

  const counters = new ResilientCounterStore(redis, new RedisCounterStore(redis, `${config.redisKeyPrefix}rl:`), memory, log);
  counters.reportIfUnavailable();
  return {
    counters,
    limiter: new RateLimiter(counters, limitRules(config)),
    backend: () => counters.backend,
    close: async () => {
      redis.disconnect();
    },
  };
}
