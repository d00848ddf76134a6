/**
 * Who is signed in, and what their role may do. The user comes from `auth.me` (loaded once per
 * session); permission checks read the same matrix the API enforces (packages/contracts).
 */
import { can, type Permission } from '@netflow/contracts';
import { createContext, useContext, useEffect, useSyncExternalStore } from 'react';
import { endSession, peekSession, subscribeSession } from '../lib/session';
import type { RouterOutputs } from '../trpc';

export type CurrentUser = RouterOutputs['auth']['me']['user'];

export const CurrentUserContext = createContext<CurrentUser | null>(null);

export function useCurrentUser(): CurrentUser {
  const user = useContext(CurrentUserContext);
  if (!user) throw new Error('useCurrentUser() outside the signed-in area');
  return user;
}

/** True when the signed-in user's role holds the permission. */
export function useCan(): (permission: Permission) => boolean {
  const user = useCurrentUser();
  return (permission) => can(user.role, permission);
}

export function useSession() {
  return useSyncExternalStore(subscribeSession, peekSession);
}

/** Ends the session at its expiry instant, even when the tab sits idle. */
export function useSessionExpiry() {
  const session = useSession();
  useEffect(() => {
    if (!session) return;
    const ms = Date.parse(session.expiresAt) - Date.now();
    if (ms <= 0) {
      endSession('expired');
      return;
    }
    // setTimeout overflows past ~24.8 days; sessions are far shorter, but stay safe.
    const timer = window.setTimeout(() => endSession('expired'), Math.min(ms, 2_000_000_000));
    return () => window.clearTimeout(timer);
  }, [session]);
}
