/**
 * The session token lives in sessionStorage: it survives a reload of the tab but not closing the
 * browser, and it is never put in a cookie or localStorage. A tiny store lets React (and the tRPC
 * link, which lives outside React) read it and hear when it changes.
 */

const KEY = 'netflow.session';

export interface StoredSession {
  token: string;
  /** ISO instant after which the server will refuse the token. */
  expiresAt: string;
}

/** Why the person was sent back to sign-in; shown once on the sign-in page. */
export type SignOutReason = 'expired' | 'unauthorized' | 'signed-out' | 'signed-out-everywhere' | 'password-changed';

type Listener = () => void;
const listeners = new Set<Listener>();
let lastReason: SignOutReason | null = null;

function read(): StoredSession | null {
  try {
    const raw = window.sessionStorage.getItem(KEY);
    if (!raw) return null;
    const parsed: unknown = JSON.parse(raw);
    if (
      parsed &&
      typeof parsed === 'object' &&
      'token' in parsed &&
      'expiresAt' in parsed &&
      typeof parsed.token === 'string' &&
      typeof parsed.expiresAt === 'string'
    ) {
      return { token: parsed.token, expiresAt: parsed.expiresAt };
    }
  } catch {
    // Unreadable storage (private mode quirks, corrupt value): treat as signed out.
  }
  return null;
}

let current: StoredSession | null = read();

function emit() {
  for (const listener of listeners) listener();
}

export function subscribeSession(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The stored session as is, for React's useSyncExternalStore (stable identity, no side effects). */
export function peekSession(): StoredSession | null {
  return current;
}

/** The session, or null when there is none or it has expired (an expired one is cleared). */
export function getSession(): StoredSession | null {
  if (current && Date.parse(current.expiresAt) <= Date.now()) {
    endSession('expired');
  }
  return current;
}

export function getToken(): string | null {
  return getSession()?.token ?? null;
}

export function startSession(session: StoredSession): void {
  current = session;
  lastReason = null;
  try {
    window.sessionStorage.setItem(KEY, JSON.stringify(session));
  } catch {
    // Storage full or blocked: the session still works until the tab reloads.
  }
  emit();
}

export function endSession(reason: SignOutReason): void {
  const had = current !== null;
  current = null;
  try {
    window.sessionStorage.removeItem(KEY);
  } catch {
    // Nothing to clear.
  }
  lastReason = reason;
  if (had) emit();
}

export function peekSignOutReason(): SignOutReason | null {
  return lastReason;
}

export const SIGN_OUT_MESSAGES: Record<SignOutReason, string> = {
  expired: 'Your session expired. Please sign in again.',
  unauthorized: 'Your session is no longer valid (signed out elsewhere, password changed or account disabled). Please sign in again.',
  'signed-out': 'You have been signed out.',
  'signed-out-everywhere': 'You have been signed out on every device.',
  'password-changed': 'Your password was changed. Sign in with the new password.',
};
