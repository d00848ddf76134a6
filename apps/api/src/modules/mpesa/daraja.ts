/**
 * The Daraja HTTP client (an adapter: the service never builds a request itself). Every call has a
 * timeout; the OAuth token comes from a shared `TokenStore` and is refreshed once when Daraja
 * refuses it (another instance, or Safaricom, may have replaced it).
 */
import { isUsable, type CachedToken, type TokenStore } from './token-store';
import { darajaTimestamp } from './time';

export interface DarajaSettings {
  baseUrl: string;
  consumerKey: string;
  consumerSecret: string;
  shortcode: string;
  passkey: string;
  /** Per request; Daraja usually answers within a second or two. */
  timeoutMs?: number;
}

export type DarajaFailure = 'timeout' | 'unreachable' | 'credentials' | 'rejected' | 'server';

/** A call that did not succeed, with a message that is safe to show staff (no secrets). */
export class DarajaError extends Error {
  override name = 'DarajaError';
  constructor(
    readonly kind: DarajaFailure,
    message: string,
    readonly status?: number,
    readonly errorCode?: string,
  ) {
    super(message);
  }
}

export interface StkPushRequest {
  /** 2547XXXXXXXX */
  phone: string;
  amountKes: number;
  accountReference: string;
  description: string;
  callbackUrl: string;
}

export interface StkPushResponse {
  MerchantRequestID: string;
  CheckoutRequestID: string;
  ResponseCode: string;
  ResponseDescription?: string;
  CustomerMessage?: string;
}

export interface StkQueryResponse {
  ResponseCode?: string;
  ResponseDescription?: string;
  MerchantRequestID?: string;
  CheckoutRequestID?: string;
  ResultCode?: string | number;
  ResultDesc?: string;
}

export interface DarajaClient {
  readonly settings: DarajaSettings;
  /** The current token (cached; fetched or refreshed under the shared lock when needed). */
  accessToken(): Promise<string>;
  stkPush(request: StkPushRequest): Promise<StkPushResponse>;
  /** null while Daraja still says "The transaction is being processed". */
  stkQuery(checkoutRequestId: string): Promise<StkQueryResponse | null>;
  registerUrls(urls: {
    confirmationUrl: string;
    validationUrl: string;
    responseType: 'Completed' | 'Cancelled';
  }): Promise<Record<string, unknown>>;
}

const DEFAULT_TIMEOUT_MS = 15_000;

/** Password = base64(shortcode + passkey + timestamp), as Daraja's STK endpoints require. */
export function stkPassword(shortcode: string, passkey: string, timestamp: string): string {
  return Buffer.from(`${shortcode}${passkey}${timestamp}`).toString('base64');
}

interface HttpAnswer {
  status: number;
  body: Record<string, unknown>;
}

async function send(url: string, init: RequestInit, timeoutMs: number): Promise<HttpAnswer> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    if (name === 'TimeoutError' || name === 'AbortError')
      throw new DarajaError('timeout', `M-Pesa did not answer within ${timeoutMs / 1000} s`);
    throw new DarajaError('unreachable', 'M-Pesa could not be reached');
  }
  const text = await res.text().catch(() => '');
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = text ? JSON.parse(text) : {};
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
  } catch {
    // Daraja answers HTML on some gateway errors; the status says enough.
  }
  return { status: res.status, body };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

function failure(answer: HttpAnswer): DarajaError {
  const errorCode = str(answer.body.errorCode);
  const message = str(answer.body.errorMessage) ?? str(answer.body.ResponseDescription);
  if (answer.status === 401 || answer.status === 403)
    return new DarajaError('credentials', 'M-Pesa refused our credentials', answer.status, errorCode);
  if (answer.status >= 500) return new DarajaError('server', `M-Pesa failed (HTTP ${answer.status})`, answer.status, errorCode);
  return new DarajaError(
    'rejected',
    message ? `M-Pesa refused the request: ${message}` : `M-Pesa refused the request (HTTP ${answer.status})`,
    answer.status,
    errorCode,
  );
}

/** Daraja's answer to a call with a token it no longer accepts (401, or 404.001.03 "Invalid Access Token"). */
const tokenRefused = (a: HttpAnswer) => a.status === 401 || str(a.body.errorCode) === '404.001.03';

export function createDarajaClient(settings: DarajaSettings, store: TokenStore): DarajaClient {
  const timeoutMs = settings.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let cached: CachedToken | null = null;

  async function fetchToken(): Promise<CachedToken> {
    const basic = Buffer.from(`${settings.consumerKey}:${settings.consumerSecret}`).toString('base64');
    const answer = await send(
      `${settings.baseUrl}/oauth/v1/generate?grant_type=client_credentials`,
      { method: 'GET', headers: { Authorization: `Basic ${basic}` } },
      timeoutMs,
    );
    const token = str(answer.body.access_token);
    // Daraja sends expires_in as a string ("3599") or a number.
    const expiresIn = Number(str(answer.body.expires_in) ?? NaN);
    if (answer.status === 400 || answer.status === 401 || answer.status === 403) {
      throw new DarajaError(
        'credentials',
        'M-Pesa refused the consumer key/secret (MPESA_CONSUMER_KEY, MPESA_CONSUMER_SECRET)',
        answer.status,
      );
    }
    if (answer.status !== 200 || !token || !Number.isFinite(expiresIn) || expiresIn <= 0) throw failure(answer);
    return { token, expiresAt: new Date(Date.now() + expiresIn * 1000) };
  }

  async function accessToken(): Promise<string> {
    if (isUsable(cached)) return cached.token;
    const shared = await store.get();
    cached = isUsable(shared) ? shared : await store.refresh(null, fetchToken);
    return cached.token;
  }

  /** POST with the bearer token; on a refused token, refresh it (once) and try again. */
  async function post(path: string, payload: unknown): Promise<HttpAnswer> {
    const call = (token: string) =>
      send(
        `${settings.baseUrl}${path}`,
        {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify(payload),
        },
        timeoutMs,
      );
    const token = await accessToken();
    const answer = await call(token);
    if (!tokenRefused(answer)) return answer;
    cached = await store.refresh(token, fetchToken);
    return call(cached.token);
  }

  const stkAuth = () => {
    const timestamp = darajaTimestamp();
    return {
      BusinessShortCode: settings.shortcode,
      Password: stkPassword(settings.shortcode, settings.passkey, timestamp),
      Timestamp: timestamp,
    };
  };

  return {
    settings,
    accessToken,
    async stkPush(request) {
      const answer = await post('/mpesa/stkpush/v1/processrequest', {
        ...stkAuth(),
        TransactionType: 'CustomerPayBillOnline',
        Amount: request.amountKes,
        PartyA: request.phone,
        PartyB: settings.shortcode,
        PhoneNumber: request.phone,
        CallBackURL: request.callbackUrl,
        AccountReference: request.accountReference.slice(0, 12),
        TransactionDesc: request.description.slice(0, 13),
      });
      const body = answer.body;
      const checkout = str(body.CheckoutRequestID);
      if (answer.status !== 200 || str(body.ResponseCode) !== '0' || !checkout) throw failure(answer);
      return {
        MerchantRequestID: str(body.MerchantRequestID) ?? '',
        CheckoutRequestID: checkout,
        ResponseCode: '0',
        ResponseDescription: str(body.ResponseDescription),
        CustomerMessage: str(body.CustomerMessage),
      };
    },
    async stkQuery(checkoutRequestId) {
      const answer = await post('/mpesa/stkpushquery/v1/query', { ...stkAuth(), CheckoutRequestID: checkoutRequestId });
      // Daraja answers a push still waiting for the customer with an error (500.001.1001).
      if (str(answer.body.errorCode) === '500.001.1001') return null;
      if (answer.status !== 200 || str(answer.body.ResultCode) === undefined) throw failure(answer);
      return {
        ResponseCode: str(answer.body.ResponseCode),
        ResponseDescription: str(answer.body.ResponseDescription),
        MerchantRequestID: str(answer.body.MerchantRequestID),
        CheckoutRequestID: str(answer.body.CheckoutRequestID),
        ResultCode: str(answer.body.ResultCode),
        ResultDesc: str(answer.body.ResultDesc),
      };
    },
    async registerUrls({ confirmationUrl, validationUrl, responseType }) {
      const answer = await post('/mpesa/c2b/v1/registerurl', {
        ShortCode: settings.shortcode,
        ResponseType: responseType,
        ConfirmationURL: confirmationUrl,
        ValidationURL: validationUrl,
      });
      if (answer.status !== 200 || str(answer.body.ResponseCode) !== '0') throw failure(answer);
      return answer.body;
    },
  };
}
