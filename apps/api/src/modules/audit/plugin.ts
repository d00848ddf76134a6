/**
 * The audit chain in a running server: signs every row of this process with `config.auditKey`,
 * seals rows left unkeyed by an upgrade once the server is ready, and logs a checkpoint line (the
 * chain's head: row id, row count, hash) at start-up and whenever the head moved, on a timer. The
 * log pipeline keeps those lines outside the database, where `audit:verify --checkpoint` can later
 * prove that no row up to them was deleted. Checkpoint logging is off under NODE_ENV=test unless
 * enabled; tests call `auditCheckpoint` directly.
 */
import type { FastifyInstance } from 'fastify';
import { runPeriodically } from '../../lib/periodic';
import { auditCheckpoint, formatCheckpoint, sealLegacyRows, useAuditKey } from './chain';

export const AUDIT_CHECKPOINT_INTERVAL_MS = 60 * 60 * 1000;

export interface AuditPluginOptions {
  /** Log checkpoints; defaults to on, except under NODE_ENV=test. */
  checkpoints?: boolean;
  intervalMs?: number;
}

const STARTUP_ACTOR = { actorId: null, actorLabel: 'system:startup', ip: null, requestId: null };

export default async function auditPlugin(app: FastifyInstance, opts: AuditPluginOptions) {
  const { db, config } = app.services;
  // Set at registration, before anything in this process can write an audit row.
  useAuditKey(config.auditKey);

  app.addHook('onReady', async () => {
    const sealed = await sealLegacyRows(db, STARTUP_ACTOR);
    if (sealed > 0) app.log.info({ event: 'audit.chain.keyed', legacyRows: sealed }, 'unkeyed audit rows sealed by a keyed row');
  });

  if (!(opts.checkpoints ?? config.env !== 'test')) return;
  let lastLogged: string | null = null;
  runPeriodically(app, {
    name: 'audit checkpoint',
    intervalMs: opts.intervalMs ?? AUDIT_CHECKPOINT_INTERVAL_MS,
    run: async () => {
      const cp = await auditCheckpoint(db);
      if (!cp) return;
      const line = formatCheckpoint(cp);
      if (line === lastLogged) return;
      lastLogged = line;
      app.log.info({ event: 'audit.checkpoint', auditId: cp.id, auditRows: cp.count }, line);
    },
  });
}
