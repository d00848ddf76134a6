/**
 * Fixed-window counters behind every rate limit. In memory for a single instance; in Redis (one
 * atomic script per hit) when REDIS_URL is set, so several API instances share them.
 *
 * When Redis stops answering, `ResilientCounterStore` keeps limiting with this instance's own
 * memory counters instead of failing open (an outage must not switch brute-force defence off) or
 * failing closed (an outage must not lock every user out). Redis commands are bounded by a short
 * timeout and never queued while disconnected, so a dead Redis costs at most one timeout per
 * retry interval, never a hanging request.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';

export interface CounterHit {
  /** Hits in the current window, this one included. */
  count: number;
  /** Milliseconds until the window (and its count) ends. */
  resetInMs: number;
}

export interface CounterStore {
  hit(key: string, windowMs: number): Promise<CounterHit>;
}

interface Window {
  count: number;
  resetAt: number;
}

/** Per-process counters with a bounded number of keys, so an address-rotating flood cannot exhaust memory. */
export class MemoryCounterStore implements CounterStore {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly maxKeys = 50_000) {}

  hit(key: string, windowMs: number): Promise<CounterHit> {
    const now = Date.now();
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      if (window) this.windows.delete(key);
      this.makeRoom(now);
      window = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, window);
    }
    window.count += 1;
    return Promise.resolve({ count: window.count, resetInMs: window.resetAt - now });
  }

  private makeRoom(now: number) {
    if (this.windows.size < this.maxKeys) return;
    for (const [key, window] of this.windows) {
      if (window.resetAt <= now) this.windows.delete(key);
    }
    // Still full of live windows: drop the oldest (Map iterates in insertion order).
    for (const key of this.windows.keys()) {
      if (this.windows.size < this.maxKeys) break;
      this.windows.delete(key);
    }
  }
}

/** INCR and set the window's expiry in one atomic step; repairs a key that somehow lost its TTL. */
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`;

export class RedisCounterStore implements CounterStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async hit(key: string, windowMs: number): Promise<CounterHit> {
    const result = await this.redis.eval(HIT_SCRIPT, 1, `${this.prefix}${key}`, windowMs);
    if (!Array.isArray(result) || typeof result[0] !== 'number' || typeof result[1] !== 'number') {
      throw new Error('unexpected answer from the Redis counter script');
    }
    return { count: result[0], resetInMs: result[1] };
  }
}

export type CounterBackend = 'redis' | 'memory';

/**
 * Redis first; this instance's memory while Redis is unreachable, errors or times out. After a
 * failure Redis is left alone for `retryAfterMs`, so an outage does not add a timeout to every
 * request. Each switch is logged once.
 */
export class ResilientCounterStore implements CounterStore {
  private skipRedisUntil = 0;
  private degraded = false;

  constructor(
    private readonly redis: Redis,
    private readonly primary: CounterStore,
    private readonly fallback: CounterStore,
    private readonly log: FastifyBaseLogger,
    private readonly retryAfterMs = 5_000,
  ) {}

  /** Where the next hit will be counted. */
  get backend(): CounterBackend {
    return this.redis.status === 'ready' && Date.now() >= this.skipRedisUntil ? 'redis' : 'memory';
  }

  async hit(key: string, windowMs: number): Promise<CounterHit> {
    if (this.backend === 'redis') {
      try {
        const result = await this.primary.hit(key, windowMs);
        if (this.degraded) {
          this.degraded = false;
          this.log.info({ event: 'ratelimit.redis.restored' }, 'Redis answers again: rate-limit counters are shared again');
        }
        return result;
      } catch (error) {
        this.skipRedisUntil = Date.now() + this.retryAfterMs;
        this.markDegraded(error);
      }
    } else {
      this.markDegraded(null);
    }
    return this.fallback.hit(key, windowMs);
  }

  /** Logs the fallback now (once) when Redis is not there, e.g. right after start-up. */
  reportIfUnavailable() {
    if (this.backend === 'memory') this.markDegraded(null);
  }

  private markDegraded(error: unknown) {
    if (this.degraded) return;
    this.degraded = true;
    this.log.warn(
      { event: 'ratelimit.redis.unavailable', err: error ?? undefined, redisStatus: this.redis.status },
      'Redis is unavailable: rate limits use this instance’s memory until it returns (per-account lockout is unaffected)',
    );
  }
}
