/**
 * The rate limits, counted in one `CounterStore`:
 * - `global`: every HTTP request per client (through @fastify/rate-limit, see plugins/rate-limits.ts):
 *   the signed-in user, or the client address for traffic without a valid session;
 * - `auth`: every sign-in and registration call per client address, counted per call inside the
 *   procedure, so a tRPC batch cannot multiply attempts;
 * - `user`: every authenticated tRPC/REST call and CSV export per user, again per call.
 * The client address is Fastify's `req.ip`, which honours X-Forwarded-For only from TRUST_PROXY.
 */
import { normalizeIP } from '@fastify/rate-limit';
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Config } from '../config';
import type { CounterStore } from './counters';

export type LimitName = 'global' | 'auth' | 'user';

export interface LimitRule {
  max: number;
  windowMs: number;
}

export interface LimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Whole seconds until the window resets (at least 1), for Retry-After. */
  retryAfterSeconds: number;
}

const MINUTE_MS = 60_000;

export function limitRules(config: Config): Record<LimitName, LimitRule> {
  return {
    global: { max: config.rateLimit.globalPerMinute, windowMs: MINUTE_MS },
    auth: { max: config.rateLimit.authPerMinute, windowMs: MINUTE_MS },
    user: { max: config.rateLimit.userPerMinute, windowMs: MINUTE_MS },
  };
}

/**
 * The key of a client address: IPv4 as is (IPv4-mapped IPv6 unwrapped), IPv6 by its /64, because
 * one subscriber usually holds a whole /64 and could otherwise rotate through it.
 */
export function clientKey(ip: string): string {
  return normalizeIP(ip, 64);
}

export class RateLimiter {
  constructor(
    private readonly store: CounterStore,
    readonly rules: Record<LimitName, LimitRule>,
  ) {}

  async consume(name: LimitName, key: string): Promise<LimitDecision> {
    const rule = this.rules[name];
    const { count, resetInMs } = await this.store.hit(`${name}:${key}`, rule.windowMs);
    return {
      allowed: count <= rule.max,
      limit: rule.max,
      remaining: Math.max(0, rule.max - count),
      retryAfterSeconds: Math.max(1, Math.ceil(resetInMs / 1000)),
    };
  }
}

/**
 * Lets @fastify/rate-limit (the global limit, its headers and its 429) count in our store, so the
 * global limit shares Redis and its fallback with the other limits.
 */
export function fastifyStoreOf(store: CounterStore): FastifyRateLimitStoreCtor {
  class SharedStore implements FastifyRateLimitStore {
    private readonly prefix: string;

    constructor(_options: unknown, prefix = 'global:') {
      this.prefix = prefix;
    }

    incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number) {
      store.hit(`${this.prefix}${key}`, timeWindow).then(
        (hit) => callback(null, { current: hit.count, ttl: hit.resetInMs }),
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    }

    /** A route with its own limit counts apart from the global one. */
    child(params: object) {
      // The plugin passes its merged route parameters, the route itself under `routeInfo`.
      const route: { method?: unknown; url?: unknown } =
        'routeInfo' in params && params.routeInfo && typeof params.routeInfo === 'object' ? params.routeInfo : {};
      return new SharedStore(undefined, `route:${String(route.method)}:${String(route.url)}:`);
    }
  }
  return SharedStore;
}
