/**
 * `STANDINS=on pnpm dev`: starts the stand-ins next to the server and registers them as if they
 * were real (here: one RouterOS stand-in registered as the router "Stand-in router", its URL
 * updated at every start). Never in production (config refuses STANDINS=on there).
 */
import { routers, type Database } from '@netflow/db';
import { eq } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import type { Config } from '../config';
import { systemActor, type ActorLog } from '../lib/actor';
import { secretBox } from '../lib/secrets';
import { audit } from '../modules/audit';
import { routerPasswordAad } from '../modules/routers';
import { startRouterOsStandIn } from './routeros';

export const DEMO_ROUTER_NAME = 'Stand-in router';

export async function startDevStandIns(db: Database, _config: Config, log: ActorLog): Promise<{ close(): Promise<void> }> {
  const ros = await startRouterOsStandIn({ identity: 'standin-core-1' });
  const actor = systemActor('standins');
  await db.transaction(async (tx) => {
    const [existing] = await tx.select().from(routers).where(eq(routers.name, DEMO_ROUTER_NAME));
    const id = existing?.id ?? randomUUID();
    const values = {
      url: ros.url,
      username: ros.username,
      passwordSealed: secretBox().seal(ros.password, routerPasswordAad(id)),
      verifyTls: false,
    };
    if (existing) await tx.update(routers).set(values).where(eq(routers.id, id));
    else await tx.insert(routers).values({ id, name: DEMO_ROUTER_NAME, ...values });
    await audit(tx, actor, {
      action: existing ? 'router.update' : 'router.create',
      entityType: 'router',
      entityId: id,
      changes: { name: DEMO_ROUTER_NAME, url: ros.url, standIn: true },
    });
  });
  log.info({ standin: 'routeros', url: ros.url }, `RouterOS stand-in listening at ${ros.url} (registered as "${DEMO_ROUTER_NAME}")`);
  return { close: () => ros.close() };
}
