/**
 * Deny by default, proven over every procedure the app router has (so procedures added later are
 * covered without touching this file):
 * - without a token, nothing but PUBLIC_PROCEDURES answers: not through a tRPC caller, not over
 *   /trpc, not at any REST path of the OpenAPI document; and the refusal comes before input
 *   validation (an empty input still gets 401, not 400);
 * - every signed-in procedure names a permission of the matrix, except the declared
 *   SIGNED_IN_PROCEDURES; and each role reaches exactly the procedures its matrix row grants;
 * - `permissionProcedure` answers every role × permission exactly as PERMISSION_MATRIX says,
 *   with the scope of the grant.
 */
import { PERMISSION_MATRIX, PERMISSIONS, ROLES, type Permission, type Role } from '@netflow/contracts';
import { TRPCError, type AnyProcedure } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../server';
import { createTestApp } from '../test/harness';
import { createContextInner, type CurrentUser } from '../trpc/context';
import { appRouter } from '../trpc/router';
import { createCallerFactory, permissionProcedure, router, type Meta } from '../trpc/trpc';
import { isSignedInProcedure, PUBLIC_PROCEDURES, SIGNED_IN_PROCEDURES } from './public-procedures';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
let t: TestApp;
const staff = new Map<Role, CurrentUser>();

beforeAll(async () => {
  t = await createTestApp();
  for (const role of ROLES) staff.set(role, await t.createUser({ role }));
});
afterAll(async () => {
  await t.close();
});

// At run time `_def.procedures` is flat ('leads.list' → procedure); its static type is the nested record.
const flatProcedures = appRouter._def.procedures as unknown as Record<string, AnyProcedure>;
const procedures = Object.entries(flatProcedures).map(([path, procedure]) => ({
  path,
  type: procedure._def.type,
  meta: procedure._def.meta as Meta | undefined,
}));

/** The procedure at `path` of a caller (a proxy), as a plain function. */
function procedureAt(caller: unknown, path: string): (input?: unknown) => Promise<unknown> {
  let node: unknown = caller;
  for (const key of path.split('.')) node = (node as Record<string, unknown>)[key];
  if (typeof node !== 'function') throw new Error(`${path} is not callable`);
  return node as (input?: unknown) => Promise<unknown>;
}

/** 'OK' or the tRPC error code of a call with no input at all. */
async function outcomeOf(user: CurrentUser | null, path: string): Promise<string> {
  try {
    await procedureAt(t.caller(user), path)(undefined);
    return 'OK';
  } catch (error) {
    return error instanceof TRPCError ? error.code : `THREW ${String(error)}`;
  }
}

describe('the declared tiers', () => {
  it('name procedures that exist', () => {
    const paths = new Set(procedures.map((p) => p.path));
    for (const path of PUBLIC_PROCEDURES) expect(paths.has(path), path).toBe(true);
    for (const entry of SIGNED_IN_PROCEDURES) {
      expect(entry.endsWith('.*') ? [...paths].some((p) => p.startsWith(entry.slice(0, -1))) : paths.has(entry), entry).toBe(true);
    }
    expect(procedures.length).toBeGreaterThan(PUBLIC_PROCEDURES.size + SIGNED_IN_PROCEDURES.length);
  });
});

describe('without a token', () => {
  it('every procedure outside the public list answers UNAUTHORIZED before validating its input', async () => {
    const answered: string[] = [];
    for (const { path } of procedures) {
      const outcome = await outcomeOf(null, path);
      if (PUBLIC_PROCEDURES.has(path)) {
        expect(outcome, path).not.toBe('UNAUTHORIZED');
      } else if (outcome !== 'UNAUTHORIZED') {
        answered.push(`${path}: ${outcome}`);
      }
    }
    expect(answered).toEqual([]);
  });

  it('over /trpc, every non-public procedure answers 401 (no header, a malformed one, a garbage token)', async () => {
    const headerSets: Record<string, string>[] = [
      {},
      { authorization: 'Bearer' },
      { authorization: 'Bearer not.a.jwt' },
      { authorization: 'Basic YWRtaW46YWRtaW4=' },
    ];
    const answered: string[] = [];
    for (const { path, type } of procedures) {
      if (PUBLIC_PROCEDURES.has(path) || type === 'subscription') continue;
      for (const headers of headerSets) {
        const res =
          type === 'query'
            ? await t.app.inject({ method: 'GET', url: `/trpc/${path}`, headers })
            : await t.app.inject({ method: 'POST', url: `/trpc/${path}`, headers, payload: {} });
        if (res.statusCode !== 401) answered.push(`${path} ${JSON.stringify(headers)}: ${res.statusCode}`);
      }
    }
    expect(answered).toEqual([]);
  });

  it('every REST operation of the OpenAPI document answers 401, except the public ones', async () => {
    const publicRoutes = new Set(
      procedures
        .filter((p) => PUBLIC_PROCEDURES.has(p.path) && p.meta?.openapi)
        .map((p) => `${p.meta?.openapi?.method} ${p.meta?.openapi?.path}`),
    );
    const document = buildOpenApiDocument();
    const answered: string[] = [];
    let operations = 0;
    for (const [path, item] of Object.entries(document.paths ?? {})) {
      for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
        if (!item || !(method in item)) continue;
        operations += 1;
        const upper = method.toUpperCase();
        if (publicRoutes.has(`${upper} ${path}`)) continue;
        const url = `/api${path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000')}`;
        const res = await t.app.inject({
          method: upper as 'GET',
          url,
          ...(method === 'get' || method === 'delete' ? {} : { payload: {} }),
        });
        if (res.statusCode !== 401) answered.push(`${upper} ${url}: ${res.statusCode}`);
      }
    }
    expect(operations).toBeGreaterThan(publicRoutes.size);
    expect(answered).toEqual([]);
  });
});

describe('signed in: each role gets exactly its row of the matrix', () => {
  it('every signed-in procedure names a permission, unless declared open to all staff', () => {
    const undeclared = procedures
      .filter((p) => !PUBLIC_PROCEDURES.has(p.path) && !isSignedInProcedure(p.path) && !p.meta?.permission)
      .map((p) => p.path);
    expect(undeclared).toEqual([]);
  });

  it.each(ROLES)('%s reaches exactly the procedures whose permission its row grants', async (role) => {
    const user = staff.get(role);
    if (!user) throw new Error(role);
    const wrong: string[] = [];
    for (const { path, meta } of procedures) {
      const permission = meta?.permission;
      if (!permission) continue;
      const granted = PERMISSION_MATRIX[role][permission] !== undefined;
      const outcome = await outcomeOf(user, path);
      if (granted ? outcome === 'FORBIDDEN' || outcome === 'UNAUTHORIZED' : outcome !== 'FORBIDDEN') {
        wrong.push(`${path} (${permission}, ${granted ? 'granted' : 'not granted'}): ${outcome}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it.each(ROLES)('%s reaches every procedure declared open to all staff', async (role) => {
    const user = staff.get(role);
    if (!user) throw new Error(role);
    for (const { path } of procedures.filter((p) => isSignedInProcedure(p.path))) {
      const outcome = await outcomeOf(user, path);
      expect(['FORBIDDEN', 'UNAUTHORIZED'], `${role} ${path}`).not.toContain(outcome);
    }
  });
});

describe('permissionProcedure', () => {
  // One probe per permission: answers the scope it was given.
  const probes = router(
    Object.fromEntries(PERMISSIONS.map((p) => [p.replace('.', '_'), permissionProcedure(p).query(({ ctx }) => ctx.scope)])),
  );
  const createProbeCaller = createCallerFactory(probes);

  const table = ROLES.flatMap((role) => PERMISSIONS.map((permission) => [role, permission] as [Role, Permission]));

  it.each(table)('%s × %s follows PERMISSION_MATRIX', async (role, permission) => {
    const user = { id: '00000000-0000-4000-8000-00000000000' + ROLES.indexOf(role), name: role, email: `${role}@example.test`, role };
    const caller = createProbeCaller(createContextInner({ ...t.services, user }));
    const call = procedureAt(caller, permission.replace('.', '_'));
    const expected = PERMISSION_MATRIX[role][permission];
    if (expected) {
      await expect(call()).resolves.toBe(expected);
    } else {
      await expect(call()).rejects.toSatisfy((e) => e instanceof TRPCError && e.code === 'FORBIDDEN');
    }
  });

  it('anonymous callers get UNAUTHORIZED, not FORBIDDEN', async () => {
    const caller = createProbeCaller(createContextInner({ ...t.services, user: null }));
    await expect(procedureAt(caller, 'users_read')()).rejects.toSatisfy((e) => e instanceof TRPCError && e.code === 'UNAUTHORIZED');
  });
});
