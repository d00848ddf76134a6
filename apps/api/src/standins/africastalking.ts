/**
 * A loopback stand-in for Africa's Talking's SMS API (DESIGN §8), for tests and local runs: a real
 * HTTP server on 127.0.0.1 (port 0) that speaks the real request and response shapes.
 *
 * POST /version1/messaging with headers `apiKey`, `Accept: application/json` and a form-urlencoded
 * body (username, to, message, from). Wrong credentials: 401 "The supplied authentication is
 * invalid". Success: 201 `{SMSMessageData:{Message, Recipients:[{number, status, statusCode, cost,
 * messageId}]}}` with per-recipient codes (101 Success; 403 InvalidPhoneNumber for anything that is
 * not +254 7/1…; codes set per number with `setRecipientCode`). Every request is kept in `received`
 * with the answer given. `failNext` makes the next requests fail (HTTP 500, a timeout that never
 * answers, or wrong credentials); `postDeliveryReport` posts AT's delivery-report form to a URL.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export type AtFailure = '500' | 'timeout' | 'credentials';

export interface AtReceived {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The form fields as sent. */
  form: Record<string, string>;
  /** HTTP status answered (null: never answered, a timeout). */
  status: number | null;
  /** The recipients as answered (empty unless 201). */
  recipients: Array<{ number: string; status: string; statusCode: number; cost: string; messageId: string }>;
}

export interface AfricasTalkingStandin {
  /** Base URL to use as AT_BASE_URL. */
  url: string;
  username: string;
  apiKey: string;
  received: AtReceived[];
  /** Recipients that were accepted (statusCode 100–102): what a phone would get. */
  accepted(): Array<{ number: string; message: string; messageId: string; from: string | undefined }>;
  /** The next `times` requests fail this way (default once). */
  failNext(mode: AtFailure, times?: number): void;
  /** Answer this per-recipient status code for `number` from now on (e.g. 406 blacklisted, 405 insufficient balance). */
  setRecipientCode(number: string, statusCode: number): void;
  reset(): void;
  postDeliveryReport(
    url: string,
    report: { id: string; status: string; phoneNumber: string; networkCode?: string; failureReason?: string },
  ): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

const STATUS_NAMES: Record<number, string> = {
  100: 'Processed',
  101: 'Success',
  102: 'Queued',
  401: 'RiskHold',
  402: 'InvalidSenderId',
  403: 'InvalidPhoneNumber',
  404: 'UnsupportedNumberType',
  405: 'InsufficientBalance',
  406: 'UserInBlacklist',
  407: 'CouldNotRoute',
  409: 'DoNotDisturbRejection',
  500: 'InternalServerError',
  501: 'GatewayError',
  502: 'RejectedByGateway',
};

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

export async function startAfricasTalkingStandin(options: { username?: string; apiKey?: string } = {}): Promise<AfricasTalkingStandin> {
  const username = options.username ?? 'netflow-test';
  const apiKey = options.apiKey ?? `atsk_${randomBytes(16).toString('hex')}`;
  const received: AtReceived[] = [];
  const failures: AtFailure[] = [];
  const codes = new Map<string, number>();
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const text = await readBody(req);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const form = Object.fromEntries(new URLSearchParams(text));
    const entry: AtReceived = { method: req.method ?? '', path, headers: req.headers, form, status: null, recipients: [] };
    received.push(entry);
    const answer = (status: number, body: string, type = 'text/plain') => {
      entry.status = status;
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (req.method !== 'POST' || path !== '/version1/messaging') return answer(404, 'Not Found');
    const failure = failures.shift();
    if (failure === 'timeout') {
      hanging.add(res);
      return;
    }
    if (failure === '500') return answer(500, 'Internal Server Error');
    if (failure === 'credentials' || req.headers.apikey !== apiKey || form.username !== username) {
      return answer(401, 'The supplied authentication is invalid');
    }
    if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      return answer(415, 'Unsupported Media Type');
    }
    if (!form.to || !form.message) return answer(400, 'Request is missing required form field');
    let cost = 0;
    for (const number of form.to.split(',').map((n) => n.trim())) {
      const code = codes.get(number) ?? (/^\+254[17]\d{8}$/.test(number) ? 101 : 403);
      const accepted = code >= 100 && code <= 102;
      if (accepted) cost += 0.8;
      entry.recipients.push({
        number,
        status: STATUS_NAMES[code] ?? 'Rejected',
        statusCode: code,
        cost: accepted ? 'KES 0.8000' : '0',
        messageId: accepted ? `ATXid_${randomBytes(16).toString('hex')}` : 'None',
      });
    }
    const sent = entry.recipients.filter((r) => r.statusCode <= 102).length;
    const body = {
      SMSMessageData: {
        Message: `Sent to ${sent}/${entry.recipients.length} Total Cost: KES ${cost.toFixed(4)}`,
        Recipients: entry.recipients,
      },
    };
    return answer(201, JSON.stringify(body), 'application/json');
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    url: `http://127.0.0.1:${port}`,
    username,
    apiKey,
    received,
    accepted() {
      return received.flatMap((r) =>
        r.status === 201
          ? r.recipients
              .filter((p) => p.statusCode >= 100 && p.statusCode <= 102)
              .map((p) => ({ number: p.number, message: r.form.message ?? '', messageId: p.messageId, from: r.form.from }))
          : [],
      );
    },
    failNext(mode, times = 1) {
      for (let i = 0; i < times; i += 1) failures.push(mode);
    },
    setRecipientCode(number, statusCode) {
      codes.set(number, statusCode);
    },
    reset() {
      received.length = 0;
      failures.length = 0;
      codes.clear();
    },
    async postDeliveryReport(url, report) {
      const form = new URLSearchParams({
        id: report.id,
        status: report.status,
        phoneNumber: report.phoneNumber,
        networkCode: report.networkCode ?? '63902',
        ...(report.failureReason ? { failureReason: report.failureReason } : {}),
      });
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
      });
      return { status: res.status, body: await res.text() };
    },
    async close() {
      for (const res of hanging) res.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
