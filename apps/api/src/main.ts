/**
 * Process entry: the only place that reads the environment, listens, and shuts down gracefully
 * (stop accepting, let in-flight requests finish, close the database, exit).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig, type Config } from './config';
import { nodeSupportWarning } from './node-support';
import { checkStartup, wantsDemoData } from './startup-policy';

const SHUTDOWN_TIMEOUT_MS = 15_000;

function readConfig(overrides: Record<string, string> = {}): Config {
  try {
    const config = loadConfig({ ...process.env, ...overrides });
    checkStartup(config);
    return config;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`netflow: configuration error: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

async function main() {
  const nodeWarning = nodeSupportWarning(process.versions.node);
  if (nodeWarning) process.stderr.write(`netflow: warning: ${nodeWarning}\n`);
  // STANDINS=on (never in production): fake Daraja & co. on loopback, and the server aimed at them.
  const standins =
    process.env.STANDINS === 'on' && process.env.NODE_ENV !== 'production'
      ? await (await import('./standins')).startStandins(process.env)
      : null;
  const config = readConfig(standins?.env);
  // The server and the database engine load only once the configuration is accepted: a refused
  // start answers in a moment instead of after loading every module.
  const [{ createDatabase }, { buildServer }, { ensureAdmin }] = await Promise.all([
    import('@netflow/db'),
    import('./server'),
    import('./startup'),
  ]);
  if (!config.databaseUrl) mkdirSync(config.dataDir, { recursive: true });
  const db = await createDatabase({
    url: config.databaseUrl,
    dataDir: config.databaseUrl ? undefined : path.join(config.dataDir, 'pglite'),
  });
  await db.migrate();

  const app = await buildServer({ config, db });
  const admin = await ensureAdmin(db.db, config, app.log);
  if (admin.created === 'demo') {
    // Printed once, on the first start of an empty database; not logged as JSON so it is not collected.
    process.stdout.write(
      `\n  Demo admin created: ${admin.email}  password: ${admin.password}\n  (shown once; change it under Profile)\n\n`,
    );
  }
  // DEMO_DATA=auto fills the database the demo admin was just created in; `on` asks for it always
  // (idempotent, and never into a database that already holds customers). Never in production.
  if (wantsDemoData(config, admin)) {
    const { seedDemoData } = await import('./seed/demo');
    const demo = await seedDemoData(db.db);
    if (demo.created) {
      const staff = demo.staff.map((s) => `    ${s.role.padEnd(10)} ${s.email}`).join('\n');
      process.stdout.write(`  Demo ISP loaded. Staff accounts (password, shown once: ${demo.password ?? ''}):\n${staff}\n\n`);
    } else {
      app.log.info({ reason: demo.reason }, 'demo data not loaded');
    }
  }

  // STANDINS=on: the RouterOS stand-in, registered as a router once the database is open.
  const devStandins = config.standins === 'on' ? await (await import('./standins')).startDevStandIns(db.db, config, app.log) : null;
  for (const note of standins?.notes ?? []) app.log.info({ event: 'standin.started' }, note);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      app.log.error('shutdown timed out; exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    force.unref();
    try {
      await app.close();
      await devStandins?.close();
      await db.close();
      await standins?.close();
      process.exit(0);
    } catch (error) {
      app.log.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  await app.listen({ host: config.host, port: config.port });
}

main().catch((error: unknown) => {
  process.stderr.write(`netflow: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
