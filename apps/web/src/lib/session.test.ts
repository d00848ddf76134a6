import { beforeEach, describe, expect, it, vi } from 'vitest';

/** A sessionStorage stand-in: the module under test only needs get/set/remove. */
function fakeStorage() {
  const data = new Map<string, string>();
  return {
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    removeItem: (k: string) => void data.delete(k),
    data,
  };
}

describe('session store', () => {
  let storage: ReturnType<typeof fakeStorage>;

  beforeEach(() => {
    vi.resetModules();
    storage = fakeStorage();
    vi.stubGlobal('window', { sessionStorage: storage });
  });

  it('keeps the token in sessionStorage and nowhere else, and forgets it on sign-out', async () => {
    const session = await import('./session');
    const seen: (string | null)[] = [];
    session.subscribeSession(() => seen.push(session.getToken()));
    session.startSession({ token: 'abc', expiresAt: new Date(Date.now() + 60_000).toISOString() });
    expect(session.getToken()).toBe('abc');
    expect(storage.data.get('netflow.session')).toContain('abc');

    session.endSession('signed-out');
    expect(session.getToken()).toBeNull();
    expect(storage.data.size).toBe(0);
    expect(session.peekSignOutReason()).toBe('signed-out');
    expect(seen).toEqual(['abc', null]);
  });

  it('survives a reload (a fresh module reads the stored session)', async () => {
    storage.setItem('netflow.session', JSON.stringify({ token: 'kept', expiresAt: new Date(Date.now() + 60_000).toISOString() }));
    const session = await import('./session');
    expect(session.getToken()).toBe('kept');
  });

  it('drops an expired or malformed session and says why', async () => {
    storage.setItem('netflow.session', JSON.stringify({ token: 'old', expiresAt: new Date(Date.now() - 1_000).toISOString() }));
    const session = await import('./session');
    expect(session.getToken()).toBeNull();
    expect(session.peekSignOutReason()).toBe('expired');
    expect(storage.data.size).toBe(0);

    vi.resetModules();
    storage.setItem('netflow.session', '{not json');
    const again = await import('./session');
    expect(again.getToken()).toBeNull();
  });
});
