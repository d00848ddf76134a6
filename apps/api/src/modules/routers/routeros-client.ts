/**
 * A small RouterOS REST client (RouterOS v7: `<url>/rest/...`, Basic auth, JSON, every value a
 * string, ids like `*1A`). node:http(s) rather than fetch: switching certificate checks off for
 * one router needs an agent option, which Node's built-in fetch only takes from the separately
 * installed undici package; `request` takes `rejectUnauthorized` directly and needs no dependency.
 *
 * Errors are `RouterOsError`s whose message is safe to store and show: the router's own words
 * (`401 Unauthorized`, `400 Bad Request: failure: …`), a timeout or a connection failure — never
 * the credentials or the Authorization header.
 */
import http from 'node:http';
import https from 'node:https';

export interface RouterOsConnection {
  /** Origin, e.g. https://10.0.0.1 (no path). */
  url: string;
  username: string;
  password: string;
  verifyTls: boolean;
  /** RouterOS gives up on a command after 60 s; we give up sooner (ROUTEROS_TIMEOUT_MS). */
  timeoutMs: number;
}

/** A RouterOS record: every value a string, `.id` like `*1A`. */
export type RouterOsRecord = Record<string, string> & { '.id': string };

export type RouterOsFailure = 'http' | 'timeout' | 'network' | 'protocol';

export class RouterOsError extends Error {
  override name = 'RouterOsError';
  constructor(
    message: string,
    readonly failure: RouterOsFailure,
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

const MAX_BODY_BYTES = 8 * 1024 * 1024;

function describeNetworkError(error: NodeJS.ErrnoException): string {
  const code = error.code ?? '';
  if (code === 'ECONNREFUSED') return 'Connection refused by the router (is the www-ssl service on and the port right?)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'The router’s host name does not resolve';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'The router is unreachable';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'The router closed the connection';
  if (
    code.startsWith('ERR_TLS') ||
    code.includes('CERT') ||
    code === 'DEPTH_ZERO_SELF_SIGNED_CERT' ||
    code === 'SELF_SIGNED_CERT_IN_CHAIN'
  ) {
    return `TLS certificate not accepted (${code}); install a trusted certificate or turn off verification for this router`;
  }
  return `Cannot reach the router${code ? ` (${code})` : ''}`;
}

/** The router's error body `{error, message, detail}` as one line. */
function describeHttpError(status: number, text: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown; detail?: unknown };
    const message = typeof body.message === 'string' ? body.message : (http.STATUS_CODES[status] ?? 'Error');
    const detail = typeof body.detail === 'string' && body.detail ? `: ${body.detail}` : '';
    return `RouterOS ${status} ${message}${detail}`.slice(0, 500);
  } catch {
    return `RouterOS ${status} ${http.STATUS_CODES[status] ?? 'Error'}`;
  }
}

export interface RouterOsClient {
  get<T = unknown>(path: string, query?: Record<string, string>): Promise<T>;
  put(path: string, body: Record<string, string>): Promise<RouterOsRecord>;
  patch(path: string, body: Record<string, string>): Promise<RouterOsRecord>;
  delete(path: string): Promise<void>;
}

export function routerOsClient(conn: RouterOsConnection): RouterOsClient {
  const base = new URL(conn.url);
  const auth = `Basic ${Buffer.from(`${conn.username}:${conn.password}`, 'utf8').toString('base64')}`;
  const seconds = Math.round(conn.timeoutMs / 100) / 10;

  function call(method: string, path: string, query?: Record<string, string>, body?: unknown): Promise<unknown> {
    const url = new URL(`/rest${path}`, base);
    for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, v);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8');
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const controller = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, conn.timeoutMs);
      const fail = (error: RouterOsError) => {
        clearTimeout(timer);
        reject(error);
      };
      const req = lib.request(
        url,
        {
          method,
          signal: controller.signal,
          // A fresh connection per call: RouterOS drops idle keep-alive sockets, and a reused dead
          // one would report "closed the connection" instead of what is really wrong.
          agent: false,
          headers: {
            authorization: auth,
            accept: 'application/json',
            ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
          },
          ...(url.protocol === 'https:' ? { rejectUnauthorized: conn.verifyTls } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_BODY_BYTES) {
              res.destroy();
              fail(new RouterOsError('The router’s answer is too large', 'protocol'));
              return;
            }
            chunks.push(chunk);
          });
          res.on('error', (error: NodeJS.ErrnoException) => {
            fail(
              timedOut
                ? new RouterOsError(`The router did not answer within ${seconds} s`, 'timeout')
                : new RouterOsError(describeNetworkError(error), 'network'),
            );
          });
          res.on('end', () => {
            clearTimeout(timer);
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (status >= 400) {
              reject(new RouterOsError(describeHttpError(status, text), 'http', status));
              return;
            }
            if (text.trim() === '') {
              resolve(null);
              return;
            }
            try {
              resolve(JSON.parse(text));
            } catch {
              reject(new RouterOsError(`The router answered ${status} with something other than JSON`, 'protocol', status));
            }
          });
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        fail(
          timedOut
            ? new RouterOsError(`The router did not answer within ${seconds} s`, 'timeout')
            : new RouterOsError(describeNetworkError(error), 'network'),
        );
      });
      req.end(payload);
    });
  }

  const asRecord = (value: unknown, what: string): RouterOsRecord => {
    if (!value || typeof value !== 'object' || Array.isArray(value) || typeof (value as { '.id'?: unknown })['.id'] !== 'string') {
      throw new RouterOsError(`The router answered ${what} without a record`, 'protocol');
    }
    return value as RouterOsRecord;
  };

  return {
    get: async <T>(path: string, query?: Record<string, string>) => (await call('GET', path, query)) as T,
    put: async (path, body) => asRecord(await call('PUT', path, undefined, body), `PUT ${path}`),
    patch: async (path, body) => asRecord(await call('PATCH', path, undefined, body), `PATCH ${path}`),
    delete: async (path) => {
      await call('DELETE', path);
    },
  };
}

/** Where a service's accounts and sessions live on the router. */
export const SERVICE_MENUS = {
  pppoe: { users: '/ppp/secret', active: '/ppp/active', activeUserField: 'name' },
  hotspot: { users: '/ip/hotspot/user', active: '/ip/hotspot/active', activeUserField: 'user' },
} as const;
export type ServiceKind = keyof typeof SERVICE_MENUS;

/** Reads an array answer (a find), refusing anything else. */
export async function findRecords(client: RouterOsClient, path: string, query: Record<string, string>): Promise<RouterOsRecord[]> {
  const rows = await client.get<unknown>(path, query);
  if (!Array.isArray(rows)) throw new RouterOsError(`The router answered GET ${path} without a list`, 'protocol');
  return rows as RouterOsRecord[];
}

/** `GET /system/identity` and `/system/resource`: what the connection test shows. */
export async function identify(client: RouterOsClient): Promise<{ identity: string; version: string }> {
  const identity = await client.get<{ name?: unknown }>('/system/identity');
  const resource = await client.get<{ version?: unknown }>('/system/resource');
  if (typeof identity?.name !== 'string' || typeof resource?.version !== 'string') {
    throw new RouterOsError('The router answered without an identity or version (is this RouterOS v7?)', 'protocol');
  }
  return { identity: identity.name, version: resource.version };
}
