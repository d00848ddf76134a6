import type { Health } from '@netflow/contracts';
import type { DatabaseKind } from '@netflow/db';

const startedAt = Date.now();
export const API_VERSION = '0.1.0';

export function healthStatus(database: DatabaseKind): Health {
  return {
    status: 'ok',
    version: API_VERSION,
    uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    database,
  };
}
