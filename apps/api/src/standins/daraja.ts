/**
 * A stand-in for Safaricom's Daraja API on a loopback port: OAuth, STK push (then the callback to
 * CallBackURL, with the result the test chose), STK query, C2B URL registration and the C2B
 * simulator (validation, then confirmation, to the registered URLs). It speaks Daraja's request and
 * response shapes, keeps every request it received for assertions, and can be told to fail
 * (HTTP 500, never answer, refuse the credentials). Self-contained (node:http only) so tests, the
 * browser suite and `STANDINS=on` can all start it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  at: Date;
}

/** '0' paid; '1' low balance; '1032' cancelled; '1037' unreachable; '1019' expired; '2001' wrong PIN; … */
export interface StkScenario {
  resultCode: string;
  /** false: the callback never arrives (only a status query tells the result). */
  callback?: boolean;
  /** Milliseconds before the callback (default: the stand-in's `callbackDelayMs`). */
  delayMs?: number;
}

export type FailureMode = 'http500' | 'timeout' | 'wrong-credentials';

export interface StkPushRecord {
  checkoutRequestId: string;
  merchantRequestId: string;
  request: Record<string, unknown>;
  scenario: StkScenario;
  receipt: string | null;
  /** Set once the customer "answered" (callback sent or due). */
  resolved: boolean;
}

export interface SentCallback {
  kind: 'stk' | 'c2b-validation' | 'c2b-confirmation';
  url: string;
  body: unknown;
  status: number | null;
  response: unknown;
  error?: string;
}

export interface DarajaStandin {
  /** Base URL: set MPESA_BASE_URL to it. */
  url: string;
  credentials: { consumerKey: string; consumerSecret: string; shortcode: string; passkey: string };
  requests: RecordedRequest[];
  /** OAuth tokens issued, oldest first; only the last one is valid (as on Daraja). */
  tokens: string[];
  pushes: Map<string, StkPushRecord>;
  callbacks: SentCallback[];
  registered: { confirmationUrl: string; validationUrl: string; responseType: string } | null;
  /** Result of pushes to `phone` (2547… form), or of every push without a phone-specific one ('*'). */
  stkScenario(phone: string, scenario: StkScenario): void;
  /** The next `count` requests (to paths starting with `pathPrefix`, if given) fail this way. */
  failNext(mode: FailureMode, options?: { count?: number; pathPrefix?: string }): void;
  /** Every request fails this way until called with null. */
  failAll(mode: FailureMode | null): void;
  /** Another party (another instance, the portal) took a new token: ours is now refused. */
  issueTokenElsewhere(): string;
  /** As Safaricom's simulator: validation (when registered and enabled), then confirmation. */
  simulateC2B(input: { billRefNumber: string; amount: number | string; msisdn?: string; transId?: string; firstName?: string }): Promise<{
    transId: string;
    validation: SentCallback | null;
    confirmation: SentCallback | null;
  }>;
  /** Resolves when `n` callbacks have been sent (and answered or failed). */
  waitForCallbacks(n: number, timeoutMs?: number): Promise<SentCallback[]>;
  requestsTo(pathPrefix: string): RecordedRequest[];
  close(): Promise<void>;
}

export interface DarajaStandinOptions {
  consumerKey?: string;
  consumerSecret?: string;
  shortcode?: string;
  passkey?: string;
  /** Delay before an STK callback (default 300 ms; the real one waits for the customer's PIN). */
  callbackDelayMs?: number;
  /** Whether the shortcode has external validation enabled (validation URL called first). */
  externalValidation?: boolean;
  host?: string;
  port?: number;
}

/** Daraja refuses callback URLs containing these words. */
const FORBIDDEN_URL_WORDS = ['mpesa', 'safaricom', 'sql', 'query', 'exec', 'cmd'];
const NAIROBI_OFFSET_MS = 3 * 3600 * 1000;

function nairobiTimestamp(at = new Date()): string {
  return new Date(at.getTime() + NAIROBI_OFFSET_MS).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

const receiptNumber = () =>
  'T' +
  randomBytes(8)
    .toString('hex')
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '')
    .slice(0, 9);
const maskMsisdn = (msisdn: string) => `${msisdn.slice(0, 4)} ***** ${msisdn.slice(-3)}`;

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** A JSON field as text ('' or the fallback for anything that is not a string or number). */
const text = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : fallback);

const errorBody = (errorCode: string, errorMessage: string) => ({ requestId: randomUUID().slice(0, 18), errorCode, errorMessage });

async function postJson(url: string, body: unknown): Promise<{ status: number | null; response: unknown; error?: string }> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    let response: unknown = text;
    try {
      response = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, response };
  } catch (error) {
    return { status: null, response: null, error: error instanceof Error ? error.message : String(error) };
  }
}

export async function startDarajaStandin(options: DarajaStandinOptions = {}): Promise<DarajaStandin> {
  const credentials = {
    consumerKey: options.consumerKey ?? 'standin-consumer-key',
    consumerSecret: options.consumerSecret ?? 'standin-consumer-secret',
    shortcode: options.shortcode ?? '174379',
    passkey: options.passkey ?? 'standin-passkey-bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919',
  };
  const callbackDelayMs = options.callbackDelayMs ?? 300;
  const externalValidation = options.externalValidation ?? true;
  const requests: RecordedRequest[] = [];
  const tokens: string[] = [];
  const pushes = new Map<string, StkPushRecord>();
  const callbacks: SentCallback[] = [];
  const scenarios = new Map<string, StkScenario>();
  const pendingFailures: Array<{ mode: FailureMode; count: number; pathPrefix: string }> = [];
  let failEverything: FailureMode | null = null;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const waiters: Array<() => void> = [];
  const state = { registered: null as DarajaStandin['registered'] };

  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const recordCallback = (cb: SentCallback) => {
    callbacks.push(cb);
    for (const w of waiters.splice(0)) w();
  };

  function failureFor(path: string): FailureMode | null {
    if (failEverything) return failEverything;
    const i = pendingFailures.findIndex((f) => path.startsWith(f.pathPrefix));
    if (i < 0) return null;
    const f = pendingFailures[i];
    if (!f) return null;
    f.count -= 1;
    if (f.count <= 0) pendingFailures.splice(i, 1);
    return f.mode;
  }

  const bearerValid = (req: IncomingMessage) => {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    return m !== null && tokens.length > 0 && m[1] === tokens[tokens.length - 1];
  };

  function issueToken(): string {
    const token = randomBytes(21).toString('base64url');
    tokens.push(token);
    return token;
  }

  function stkCallbackBody(push: StkPushRecord) {
    const { resultCode } = push.scenario;
    const stkCallback: Record<string, unknown> = {
      MerchantRequestID: push.merchantRequestId,
      CheckoutRequestID: push.checkoutRequestId,
      ResultCode: Number(resultCode),
      ResultDesc: resultCode === '0' ? 'The service request is processed successfully.' : (RESULT_DESCS[resultCode] ?? 'Failed'),
    };
    if (resultCode === '0') {
      stkCallback.CallbackMetadata = {
        Item: [
          { Name: 'Amount', Value: Number(push.request.Amount) },
          { Name: 'MpesaReceiptNumber', Value: push.receipt },
          { Name: 'Balance' },
          { Name: 'TransactionDate', Value: Number(nairobiTimestamp()) },
          { Name: 'PhoneNumber', Value: Number(push.request.PhoneNumber) },
        ],
      };
    }
    return { Body: { stkCallback } };
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://standin');
    const path = url.pathname;
    const body = req.method === 'POST' ? await readBody(req) : null;
    requests.push({ method: req.method ?? 'GET', path: `${path}${url.search}`, headers: req.headers, body, at: new Date() });
    const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;

    // Developer controls (STANDINS=on): no Daraja counterpart, never failed.
    if (path === '/standin/simulate-c2b' && req.method === 'POST') {
      const result = await standin.simulateC2B({
        billRefNumber: text(b.BillRefNumber, ''),
        amount: text(b.Amount, '1'),
        msisdn: b.Msisdn ? text(b.Msisdn) : undefined,
      });
      return send(res, 200, result);
    }
    if (path === '/standin/stk-scenario' && req.method === 'POST') {
      standin.stkScenario(text(b.phone, '*'), { resultCode: text(b.resultCode, '0'), callback: b.callback !== false });
      return send(res, 200, { ok: true });
    }

    const failure = failureFor(path);
    if (failure === 'timeout') return; // never answers; the socket is destroyed on close()
    if (failure === 'http500') return send(res, 500, errorBody('500.003.02', 'Internal Server Error'));

    if (path === '/oauth/v1/generate') {
      const expected = `Basic ${Buffer.from(`${credentials.consumerKey}:${credentials.consumerSecret}`).toString('base64')}`;
      if (
        failure === 'wrong-credentials' ||
        req.method !== 'GET' ||
        url.searchParams.get('grant_type') !== 'client_credentials' ||
        req.headers.authorization !== expected
      ) {
        return send(res, 400, errorBody('400.008.01', 'Invalid Authentication passed'));
      }
      // Daraja sends expires_in as a string.
      return send(res, 200, { access_token: issueToken(), expires_in: '3599' });
    }

    if (req.method !== 'POST') return send(res, 404, errorBody('404.001.01', 'Resource not found'));
    if (failure === 'wrong-credentials' || !bearerValid(req)) return send(res, 401, errorBody('404.001.03', 'Invalid Access Token'));

    if (path === '/mpesa/stkpush/v1/processrequest') {
      const problem = stkAuthProblem(b);
      if (problem) return send(res, 400, errorBody('400.002.02', `Bad Request - Invalid ${problem}`));
      if (b.TransactionType !== 'CustomerPayBillOnline' && b.TransactionType !== 'CustomerBuyGoodsOnline') {
        return send(res, 400, errorBody('400.002.02', 'Bad Request - Invalid TransactionType'));
      }
      if (!/^2547\d{8}$|^2541\d{8}$/.test(String(b.PhoneNumber)) || b.PartyA !== b.PhoneNumber)
        return send(res, 400, errorBody('400.002.02', 'Bad Request - Invalid PhoneNumber'));
      if (!Number.isInteger(Number(b.Amount)) || Number(b.Amount) < 1)
        return send(res, 400, errorBody('400.002.02', 'Bad Request - Invalid Amount'));
      if (text(b.AccountReference, '').length > 12 || !b.AccountReference)
        return send(res, 400, errorBody('400.002.02', 'Bad Request - Invalid AccountReference'));
      if (text(b.TransactionDesc, '').length > 13) return send(res, 400, errorBody('400.002.02', 'Bad Request - Invalid TransactionDesc'));
      if (!/^https?:\/\//.test(text(b.CallBackURL, '')))
        return send(res, 400, errorBody('400.002.02', 'Bad Request - Invalid CallBackURL'));
      const scenario = scenarios.get(String(b.PhoneNumber)) ?? scenarios.get('*') ?? { resultCode: '0' };
      const push: StkPushRecord = {
        checkoutRequestId: `ws_CO_${nairobiTimestamp()}${randomBytes(6).toString('hex')}`,
        merchantRequestId: `${randomBytes(4).toString('hex')}-${Date.now()}-1`,
        request: b,
        scenario,
        receipt: scenario.resultCode === '0' ? receiptNumber() : null,
        resolved: false,
      };
      pushes.set(push.checkoutRequestId, push);
      later(scenario.delayMs ?? callbackDelayMs, () => {
        push.resolved = true;
        if (scenario.callback === false) return;
        const cbBody = stkCallbackBody(push);
        void postJson(String(b.CallBackURL), cbBody).then((r) =>
          recordCallback({ kind: 'stk', url: String(b.CallBackURL), body: cbBody, ...r }),
        );
      });
      return send(res, 200, {
        MerchantRequestID: push.merchantRequestId,
        CheckoutRequestID: push.checkoutRequestId,
        ResponseCode: '0',
        ResponseDescription: 'Success. Request accepted for processing',
        CustomerMessage: 'Success. Request accepted for processing',
      });
    }

    if (path === '/mpesa/stkpushquery/v1/query') {
      const problem = stkAuthProblem(b);
      if (problem) return send(res, 400, errorBody('400.002.02', `Bad Request - Invalid ${problem}`));
      const push = pushes.get(text(b.CheckoutRequestID, ''));
      if (!push) return send(res, 400, errorBody('400.002.02', 'Bad Request - Invalid CheckoutRequestID'));
      if (!push.resolved) return send(res, 500, errorBody('500.001.1001', 'The transaction is being processed'));
      const code = push.scenario.resultCode;
      return send(res, 200, {
        ResponseCode: '0',
        ResponseDescription: 'The service request has been accepted successsfully',
        MerchantRequestID: push.merchantRequestId,
        CheckoutRequestID: push.checkoutRequestId,
        ResultCode: code,
        ResultDesc: code === '0' ? 'The service request is processed successfully.' : (RESULT_DESCS[code] ?? 'Failed'),
      });
    }

    if (path === '/mpesa/c2b/v1/registerurl') {
      if (String(b.ShortCode) !== credentials.shortcode) return send(res, 400, errorBody('400.003.02', 'Bad Request - Invalid ShortCode'));
      if (b.ResponseType !== 'Completed' && b.ResponseType !== 'Cancelled')
        return send(res, 400, errorBody('400.003.02', 'Bad Request - Invalid ResponseType'));
      for (const field of ['ConfirmationURL', 'ValidationURL'] as const) {
        const value = text(b[field]);
        if (!/^https?:\/\//.test(value) || FORBIDDEN_URL_WORDS.some((w) => value.toLowerCase().includes(w))) {
          return send(res, 400, errorBody('400.003.02', `Bad Request - Invalid ${field}`));
        }
      }
      state.registered = {
        confirmationUrl: String(b.ConfirmationURL),
        validationUrl: String(b.ValidationURL),
        responseType: String(b.ResponseType),
      };
      return send(res, 200, { OriginatorCoversationID: randomUUID(), ResponseCode: '0', ResponseDescription: 'Success' });
    }

    if (path === '/mpesa/c2b/v1/simulate') {
      if (String(b.ShortCode) !== credentials.shortcode) return send(res, 400, errorBody('400.002.02', 'Bad Request - Invalid ShortCode'));
      if (!state.registered) return send(res, 500, errorBody('500.003.1001', 'No ConfirmationURL registered'));
      void standin.simulateC2B({
        billRefNumber: text(b.BillRefNumber, ''),
        amount: text(b.Amount, ''),
        msisdn: text(b.Msisdn, '254708374149'),
      });
      return send(res, 200, {
        OriginatorCoversationID: randomUUID(),
        ResponseCode: '0',
        ResponseDescription: 'Accept the service request successfully.',
      });
    }

    return send(res, 404, errorBody('404.001.01', 'Resource not found'));
  }

  function stkAuthProblem(b: Record<string, unknown>): string | null {
    if (String(b.BusinessShortCode) !== credentials.shortcode) return 'BusinessShortCode';
    const ts = text(b.Timestamp, '');
    if (!/^\d{14}$/.test(ts)) return 'Timestamp';
    const expected = Buffer.from(`${credentials.shortcode}${credentials.passkey}${ts}`).toString('base64');
    if (b.Password !== expected) return 'Password';
    return null;
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, errorBody('500.003.02', error instanceof Error ? error.message : 'stand-in failure'));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  const standin: DarajaStandin = {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    credentials,
    requests,
    tokens,
    pushes,
    callbacks,
    get registered() {
      return state.registered;
    },
    set registered(value) {
      state.registered = value;
    },
    stkScenario(phone, scenario) {
      scenarios.set(phone, scenario);
    },
    failNext(mode, { count = 1, pathPrefix = '/' } = {}) {
      pendingFailures.push({ mode, count, pathPrefix });
    },
    failAll(mode) {
      failEverything = mode;
    },
    issueTokenElsewhere: issueToken,
    async simulateC2B({ billRefNumber, amount, msisdn = '254708374149', transId, firstName = 'John' }) {
      const registered = state.registered;
      if (!registered) throw new Error('no C2B URLs registered with the stand-in');
      const body = {
        TransactionType: 'Pay Bill',
        TransID: transId ?? receiptNumber(),
        TransTime: nairobiTimestamp(),
        TransAmount: typeof amount === 'number' ? amount.toFixed(2) : amount,
        BusinessShortCode: credentials.shortcode,
        BillRefNumber: billRefNumber,
        InvoiceNumber: '',
        OrgAccountBalance: '',
        ThirdPartyTransID: '',
        MSISDN: maskMsisdn(msisdn),
        FirstName: firstName,
        MiddleName: '',
        LastName: 'Doe',
      };
      let validation: SentCallback | null = null;
      if (externalValidation) {
        validation = { kind: 'c2b-validation', url: registered.validationUrl, body, ...(await postJson(registered.validationUrl, body)) };
        recordCallback(validation);
        const accepted = validation.status === 200 && String((validation.response as { ResultCode?: unknown } | null)?.ResultCode) === '0';
        const unreachable = validation.status === null || validation.status >= 500;
        // Rejected, or unreachable with ResponseType Cancelled: the payment never happens.
        if (!accepted && !(unreachable && registered.responseType === 'Completed'))
          return { transId: body.TransID, validation, confirmation: null };
      }
      const confirmation: SentCallback = {
        kind: 'c2b-confirmation',
        url: registered.confirmationUrl,
        body,
        ...(await postJson(registered.confirmationUrl, body)),
      };
      recordCallback(confirmation);
      return { transId: body.TransID, validation, confirmation };
    },
    async waitForCallbacks(n, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (callbacks.length < n) {
        if (Date.now() > deadline) throw new Error(`stand-in sent ${callbacks.length} callbacks, expected ${n}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
      return callbacks.slice(0, n);
    },
    requestsTo(pathPrefix) {
      return requests.filter((r) => r.path.startsWith(pathPrefix));
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return standin;
}

const RESULT_DESCS: Record<string, string> = {
  '1': 'The balance is insufficient for the transaction.',
  '17': 'Rule limited.',
  '1019': 'Transaction has expired',
  '1032': 'Request Cancelled by user.',
  '1037': 'DS timeout user cannot be reached',
  '2001': 'The initiator information is invalid.',
};
