/**
 * Start-up tasks after migrations: make sure an active admin exists. With BOOTSTRAP_ADMIN_* set,
 * that admin is created; on an empty database without them, a demo admin is created and its
 * random password printed once, outside production only. Production never gets a generated admin
 * or demo data: an empty database without BOOTSTRAP_ADMIN_* refuses to start.
 */
import { randomBytes } from 'node:crypto';
import { users, type Database } from '@netflow/db';
import { and, count, eq } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import { ConfigError, type Config } from './config';
import { passwordProblem } from './modules/auth';
import { hashPassword } from './modules/auth';
import { recordAudit } from './modules/audit';

export const DEMO_ADMIN_EMAIL = 'admin@netflow.local';

const SYSTEM_ACTOR = { actorId: null, actorLabel: 'system:startup', ip: null, requestId: null };

export interface EnsureAdminResult {
  created: 'bootstrap' | 'demo' | null;
  email?: string;
  password?: string;
}

export async function ensureAdmin(db: Database, config: Config, log: FastifyBaseLogger): Promise<EnsureAdminResult> {
  const [admins] = await db
    .select({ n: count() })
    .from(users)
    .where(and(eq(users.role, 'admin'), eq(users.status, 'active')));
  if ((admins?.n ?? 0) > 0) return { created: null };

  if (config.bootstrapAdmin) {
    const { email, password } = config.bootstrapAdmin;
    // The first admin gets the same password rules as everyone else.
    const problem = passwordProblem(password, [email]);
    if (problem) throw new ConfigError(`BOOTSTRAP_ADMIN_PASSWORD refused: ${problem}`);
    await createAdmin(db, 'Administrator', email, password, 'bootstrap');
    log.info({ email }, 'bootstrap admin created');
    return { created: 'bootstrap', email };
  }

  const [anyone] = await db.select({ n: count() }).from(users);
  if ((anyone?.n ?? 0) > 0) {
    log.warn('no active admin: set BOOTSTRAP_ADMIN_EMAIL and BOOTSTRAP_ADMIN_PASSWORD to create one');
    return { created: null };
  }
  if (config.env === 'production') {
    throw new ConfigError(
      'empty database and no BOOTSTRAP_ADMIN_EMAIL/BOOTSTRAP_ADMIN_PASSWORD: set both to create the first admin (production never generates one)',
    );
  }
  const password = randomBytes(12).toString('base64url');
  await createAdmin(db, 'Demo Admin', DEMO_ADMIN_EMAIL, password, 'demo');
  return { created: 'demo', email: DEMO_ADMIN_EMAIL, password };
}

async function createAdmin(db: Database, name: string, email: string, password: string, kind: string) {
  const passwordHash = await hashPassword(password);
  await db.transaction(async (tx) => {
    const [row] = await tx.insert(users).values({ name, email, passwordHash, role: 'admin', status: 'active' }).returning({ id: users.id });
    await recordAudit(tx, SYSTEM_ACTOR, {
      action: 'user.create',
      entityType: 'user',
      entityId: row?.id,
      changes: { email, role: 'admin', status: 'active', via: kind },
    });
  });
}
