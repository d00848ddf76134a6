/**
 * What a mutation makes stale, declared once on the mutation (`meta: { invalidates: [...] }`) and
 * acted on in one place: the QueryClient's MutationCache (see `makeClients` in trpc.ts). A key is
 * the name of a tRPC router; its whole subtree is invalidated through tRPC's own `pathFilter()`, so
 * nothing here knows how tRPC lays out its query keys.
 */
import type { AppRouter } from '@netflow/api';
import type { inferRouterOutputs } from '@trpc/server';

export type InvalidationKey = Extract<keyof inferRouterOutputs<AppRouter>, string>;

/**
 * The groups that go stale together. A payment moves the customer's balance, the subscription's
 * expiry, the dashboard's revenue and writes to the customer's timeline: every mutation of money
 * names this one list, so they cannot drift apart again.
 */
export const STALE = {
  money: ['payments', 'customers', 'subscriptions', 'dashboard', 'activities'],
  billing: ['subscriptions', 'customers', 'dashboard', 'activities'],
  leads: ['leads', 'activities', 'dashboard'],
  conversion: ['leads', 'customers', 'subscriptions', 'activities', 'dashboard'],
  customers: ['customers', 'activities'],
  tickets: ['tickets', 'customers', 'activities', 'dashboard'],
  plans: ['plans'],
  users: ['users'],
  timeline: ['activities'],
} as const satisfies Record<string, readonly InvalidationKey[]>;

export interface InvalidationMeta extends Record<string, unknown> {
  /** Routers whose cached queries go stale when this mutation succeeds. */
  invalidates?: readonly InvalidationKey[];
}

/** `meta` for a mutation's options: `meta: invalidates('money')` or `invalidates('users', 'audit')`. */
export function invalidates(...what: (keyof typeof STALE | InvalidationKey)[]): InvalidationMeta {
  const keys = new Set<InvalidationKey>();
  for (const w of what) {
    if (w in STALE) for (const k of STALE[w as keyof typeof STALE]) keys.add(k);
    else keys.add(w as InvalidationKey);
  }
  return { invalidates: [...keys] };
}

declare module '@tanstack/react-query' {
  interface Register {
    mutationMeta: InvalidationMeta;
  }
}
