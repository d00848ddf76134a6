/**
 * A RouterOS stand-in: a loopback HTTP server speaking the RouterOS v7 REST shapes the CRM uses
 * (Basic auth, JSON, every value a string, ids like `*1A`, errors `{error, message, detail}`), with
 * PPP secrets and sessions, hotspot users and sessions, identity and resource in memory. It keeps
 * every request it received for assertions and can be told to fail: answer 500, never answer
 * (timeout), refuse the credentials, or go down (connection refused) and come back on the same port.
 *
 * Used by the API tests, the browser tests and `STANDINS=on pnpm dev`.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type StandInFailure = 'http-500' | 'timeout' | 'unauthorized' | null;

export interface RecordedRequest {
  method: string;
  /** Path below `/rest`, e.g. `/ppp/secret/*1`. */
  path: string;
  query: Record<string, string>;
  body: unknown;
  /** The Basic auth user name sent (never the password). */
  user: string | null;
  status: number;
}

type Row = Record<string, string> & { '.id': string };

const MENUS = ['/ppp/secret', '/ppp/active', '/ip/hotspot/user', '/ip/hotspot/active'] as const;
type Menu = (typeof MENUS)[number];

/** Properties each writable menu accepts (anything else is a 400 like RouterOS's "unknown parameter"). */
const WRITABLE: Partial<Record<Menu, readonly string[]>> = {
  '/ppp/secret': ['name', 'password', 'service', 'profile', 'comment', 'disabled', 'local-address', 'remote-address', 'caller-id'],
  '/ip/hotspot/user': ['name', 'password', 'profile', 'comment', 'disabled', 'server', 'mac-address', 'limit-uptime'],
};

export interface RouterOsStandIn {
  /** Origin to register as the router's URL, e.g. http://127.0.0.1:40123. */
  readonly url: string;
  readonly port: number;
  username: string;
  password: string;
  identity: string;
  version: string;
  readonly requests: RecordedRequest[];
  /** The rows of a menu (live objects: tests may read them). */
  rows(menu: Menu): Row[];
  /** Adds a row as if RouterOS had it (e.g. a secret created by hand, an active session). */
  add(menu: Menu, values: Record<string, string>): Row;
  /** An active PPP (or hotspot) session of `user`, as when the customer's CPE dials in. */
  connect(user: string, service?: 'pppoe' | 'hotspot'): Row;
  /** Makes every later request fail this way (null: answer normally). */
  failWith(mode: StandInFailure): void;
  /** Stops listening: connections are refused until `start()`. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  readonly listening: boolean;
  /** Forgets requests and rows. */
  reset(): void;
  close(): Promise<void>;
}

export interface RouterOsStandInOptions {
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  identity?: string;
  version?: string;
}

function json(res: http.ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const ERRORS: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 500: 'Internal Server Error' };

function error(res: http.ServerResponse, status: number, detail?: string) {
  json(res, status, { error: status, message: ERRORS[status] ?? 'Error', ...(detail ? { detail } : {}) });
}

export async function startRouterOsStandIn(options: RouterOsStandInOptions = {}): Promise<RouterOsStandIn> {
  const host = options.host ?? '127.0.0.1';
  const tables = new Map<Menu, Row[]>(MENUS.map((m) => [m, []]));
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let nextId = 0x1a;
  let failure: StandInFailure = null;
  let listening = false;

  const table = (menu: Menu): Row[] => tables.get(menu) ?? [];
  const newRow = (values: Record<string, string>): Row => {
    const row = { '.id': `*${nextId.toString(16).toUpperCase()}`, ...values } as Row;
    nextId += 1;
    return row;
  };

  const state = {
    username: options.username ?? 'netflow-api',
    password: options.password ?? 'standin-password',
    identity: options.identity ?? 'standin-core-1',
    version: options.version ?? '7.16.2 (stable)',
  };

  /** True when the request carries this router's user and password (and we are not told to refuse). */
  function authorised(req: http.IncomingMessage): boolean {
    const header = req.headers.authorization ?? '';
    if (!header.startsWith('Basic ') || failure === 'unauthorized') return false;
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 && decoded.slice(0, colon) === state.username && decoded.slice(colon + 1) === state.password;
  }

  function handle(req: http.IncomingMessage, res: http.ServerResponse, rawBody: string) {
    const url = new URL(req.url ?? '/', 'http://standin');
    const method = req.method ?? 'GET';
    const path = url.pathname.startsWith('/rest') ? url.pathname.slice(5) || '/' : url.pathname;
    const query = Object.fromEntries(url.searchParams);
    let body: unknown = null;
    const header = req.headers.authorization ?? '';
    const sentUser = header.startsWith('Basic ') ? (Buffer.from(header.slice(6), 'base64').toString('utf8').split(':')[0] ?? null) : null;
    const record: RecordedRequest = { method, path, query, body: null, user: sentUser, status: 0 };
    requests.push(record);
    const answer = (status: number, payload?: unknown, detail?: string) => {
      record.status = status;
      if (status >= 400) error(res, status, detail);
      else if (status === 204) {
        res.writeHead(204);
        res.end();
      } else json(res, status, payload);
    };

    if (failure === 'timeout') {
      record.status = -1; // never answered
      return;
    }
    if (!url.pathname.startsWith('/rest/')) return answer(404);
    if (!authorised(req)) return answer(401);
    if (failure === 'http-500') return answer(500, undefined, 'stand-in told to fail');
    if (rawBody) {
      try {
        body = JSON.parse(rawBody);
      } catch {
        return answer(400, undefined, 'JSON parse error');
      }
    }
    record.body = body;

    if (method === 'GET' && path === '/system/identity') return answer(200, { name: state.identity });
    if (method === 'GET' && path === '/system/resource') {
      return answer(200, {
        'architecture-name': 'arm64',
        'board-name': 'CCR2004-16G-2S+',
        'cpu-load': '3',
        platform: 'MikroTik',
        uptime: '3d4h5m6s',
        version: state.version,
      });
    }

    const menu = MENUS.find((m) => path === m || path.startsWith(`${m}/`));
    if (!menu) return answer(400, undefined, 'no such command or directory');
    const rows = table(menu);
    const id = path.length > menu.length ? decodeURIComponent(path.slice(menu.length + 1)) : null;
    const index = id === null ? -1 : rows.findIndex((r) => r['.id'] === id);

    if (method === 'GET') {
      if (id !== null) return index < 0 ? answer(404) : answer(200, rows[index]);
      return answer(
        200,
        rows.filter((r) => Object.entries(query).every(([k, v]) => r[k] === v)),
      );
    }

    const writable = WRITABLE[menu];
    const values = body as Record<string, unknown> | null;
    if (method === 'PUT' || method === 'PATCH') {
      if (!values || typeof values !== 'object' || Array.isArray(values)) return answer(400, undefined, 'expected an object');
      if (!writable) return answer(400, undefined, 'not allowed');
      for (const [k, v] of Object.entries(values)) {
        if (!writable.includes(k)) return answer(400, undefined, `unknown parameter ${k}`);
        if (typeof v !== 'string') return answer(400, undefined, `value of ${k} must be a string`);
        if (k === 'disabled' && v !== 'true' && v !== 'false' && v !== 'yes' && v !== 'no') {
          return answer(400, undefined, `value of disabled must be true or false`);
        }
      }
    }
    const strings = values as Record<string, string>;

    if (method === 'PUT' && id === null) {
      if (!strings.name) return answer(400, undefined, 'missing value(s) of argument(s) name');
      if (rows.some((r) => r.name === strings.name)) {
        return answer(400, undefined, `failure: ${menu === '/ppp/secret' ? 'secret' : 'user'} with the same name already exists`);
      }
      const row = newRow({
        ...(menu === '/ppp/secret'
          ? { service: 'any', profile: 'default', 'caller-id': '', 'local-address': '', 'remote-address': '' }
          : {}),
        ...(menu === '/ip/hotspot/user' ? { profile: 'default', server: 'all', uptime: '0s' } : {}),
        password: '',
        comment: '',
        disabled: 'false',
        ...strings,
      });
      rows.push(row);
      return answer(201, row);
    }
    if (method === 'PATCH' && id !== null) {
      const row = rows[index];
      if (!row) return answer(404);
      if (strings.name && rows.some((r) => r !== row && r.name === strings.name)) {
        return answer(400, undefined, 'failure: secret with the same name already exists');
      }
      Object.assign(row, strings);
      if (row.disabled === 'yes') row.disabled = 'true';
      if (row.disabled === 'no') row.disabled = 'false';
      return answer(200, row);
    }
    if (method === 'DELETE' && id !== null) {
      if (index < 0) return answer(404);
      rows.splice(index, 1);
      return answer(204);
    }
    return answer(400, undefined, 'no such command');
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        listening = true;
        resolve((server.address() as AddressInfo).port);
      });
    });
  const port = await listen(options.port ?? 0);

  const stop = () =>
    new Promise<void>((resolve) => {
      if (!listening) return resolve();
      listening = false;
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });

  return {
    url: `http://${host}:${port}`,
    port,
    get username() {
      return state.username;
    },
    set username(v: string) {
      state.username = v;
    },
    get password() {
      return state.password;
    },
    set password(v: string) {
      state.password = v;
    },
    get identity() {
      return state.identity;
    },
    set identity(v: string) {
      state.identity = v;
    },
    get version() {
      return state.version;
    },
    set version(v: string) {
      state.version = v;
    },
    requests,
    rows: table,
    add(menu, values) {
      const row = newRow({ ...(menu === '/ppp/secret' ? { service: 'pppoe', profile: 'default', disabled: 'false' } : {}), ...values });
      table(menu).push(row);
      return row;
    },
    connect(user, service = 'pppoe') {
      const row =
        service === 'pppoe'
          ? newRow({ name: user, service: 'pppoe', 'caller-id': 'AA:BB:CC:DD:EE:01', address: '10.10.0.2', uptime: '1h2m', encoding: '' })
          : newRow({ user, address: '10.20.0.2', 'mac-address': 'AA:BB:CC:DD:EE:02', server: 'hotspot1', uptime: '12m' });
      table(service === 'pppoe' ? '/ppp/active' : '/ip/hotspot/active').push(row);
      return row;
    },
    failWith(mode) {
      failure = mode;
    },
    stop,
    async start() {
      if (listening) return;
      await listen(port);
    },
    get listening() {
      return listening;
    },
    reset() {
      requests.length = 0;
      for (const rows of tables.values()) rows.length = 0;
      failure = null;
    },
    async close() {
      await stop();
    },
  };
}
