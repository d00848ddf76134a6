/**
 * Who performs a change. Services take an `Actor`, never a request context, so a tRPC procedure, a
 * REST route, a webhook, a job worker and a CLI call the same function. A signed-in staff member is
 * a `StaffActor`; the system (a webhook, a scheduled job) acts with `user: null` and a label.
 */
import type { Role } from '@netflow/contracts';
import pino, { type BaseLogger } from 'pino';

/** The log methods a service may use (a request's logger, a job's, or a silent one). */
export type ActorLog = Pick<BaseLogger, 'debug' | 'info' | 'warn' | 'error'>;

/** The signed-in staff member, as loaded from the database for this request. */
export interface CurrentUser {
  id: string;
  name: string;
  email: string;
  role: Role;
  /** Two-step sign-in is on (loaded with the session; when absent the procedure tier looks it up). */
  mfaEnabled?: boolean;
}

export interface Actor {
  /** The staff member acting, or null when the system acts (see `label`). */
  user: CurrentUser | null;
  /** Names a system actor in the audit trail (e.g. "system:expiry-sweep"); ignored when `user` is set. */
  label?: string;
  /** Client address of the request that caused the change; null outside a request. */
  ip: string | null;
  /** Correlates the change with its request or job in logs and the audit trail. */
  requestId: string;
  log: ActorLog;
}

/** An actor known to be a signed-in staff member (what permission-checked procedures pass). */
export type StaffActor = Actor & { user: CurrentUser };

const silent = pino({ level: 'silent' });

/** The system acting on its own (a job, a webhook, a CLI), named in the audit trail by `label`. */
export function systemActor(label: string, options: { requestId?: string; ip?: string | null; log?: ActorLog } = {}): Actor {
  return {
    user: null,
    label: `system:${label}`,
    ip: options.ip ?? null,
    requestId: options.requestId ?? `${label}:${Date.now().toString(36)}`,
    log: options.log ?? silent,
  };
}
