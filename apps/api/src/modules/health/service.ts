/** Health: the liveness answer and the API version, for the health procedure and the server's health routes. */
import type { Health } from '@netflow/contracts';
import type { DatabaseKind } from '@netflow/db';

const startedAt = Date.now();
export const API_VERSION = '0.1.0';

/** Details (version, uptime, database engine) help an attacker pick exploits: only when `detailed`. */
export function healthStatus(database: DatabaseKind, detailed: boolean): Health {
  if (!detailed) return { status: 'ok' };
  return {
    status: 'ok',
    version: API_VERSION,
    uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    database,
  };
}
