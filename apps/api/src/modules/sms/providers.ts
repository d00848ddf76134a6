/**
 * SMS gateways behind one interface. Each `send` answers the provider's message id, or throws a
 * `ProviderError` saying whether the message was certainly not sent (`retry`: safe to try again;
 * `final`: trying again will not help) or may have been (`unknown`: a timeout after the request
 * left, which `send.ts` never retries for Africa's Talking, so one event never becomes two texts).
 *
 * Africa's Talking (DESIGN §8): POST {base}/version1/messaging, headers `apiKey` and
 * `Accept: application/json`, form fields username, to (+2547…), message and from (sender id);
 * success is HTTP 201 with SMSMessageData.Recipients[], statusCode 100/101/102 accepted.
 *
 * The generic `http` provider POSTs JSON `{to, message, reference}` to SMS_HTTP_URL with
 * `Authorization: Bearer SMS_HTTP_TOKEN` and expects a 2xx `{id}`. `reference` is our message id and
 * stays the same across attempts, so the gateway can drop a repeat: that is why a timeout is retried
 * for this provider.
 */
import { randomUUID } from 'node:crypto';
import type { SmsConfig } from '../../config';
import type { ActorLog } from '../../lib/actor';

export interface OutgoingSms {
  /** +2547XXXXXXXX */
  to: string;
  message: string;
  /** Our message id: the same on every attempt. */
  reference: string;
}

export interface SentSms {
  providerMessageId: string;
  cost: string | null;
}

export type ProviderFailure = 'retry' | 'final' | 'unknown';

export class ProviderError extends Error {
  constructor(
    readonly failure: ProviderFailure,
    message: string,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

export interface SmsProvider {
  name: SmsConfig['provider'];
  send(sms: OutgoingSms): Promise<SentSms>;
}

/** Per-recipient codes that mean "accepted": Processed, Sent, Queued. */
const AT_ACCEPTED = new Set([100, 101, 102]);
/** Per-recipient failures worth another try later (insufficient balance, AT's own errors). */
const AT_RETRYABLE = new Set([405, 500, 501]);

interface AtRecipient {
  number?: string;
  status?: string;
  statusCode?: number;
  cost?: string;
  messageId?: string;
}

/** A fetch whose network failures are classified: refused/unresolvable = not sent; anything after the request left = unknown. */
async function post(url: string, init: RequestInit, timeoutMs: number): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    const code = cause?.code ?? (error as { name?: string }).name ?? 'error';
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      throw new ProviderError('retry', `gateway unreachable (${code})`);
    }
    if (code === 'TimeoutError' || code === 'AbortError') {
      throw new ProviderError('unknown', `no answer from the gateway within ${Math.round(timeoutMs / 1000)} s`);
    }
    throw new ProviderError('unknown', `connection failed (${code})`);
  }
}

async function bodyText(res: Response): Promise<string> {
  try {
    return (await res.text()).slice(0, 300).trim();
  } catch {
    return '';
  }
}

function httpFailure(res: Response, text: string): ProviderError {
  const detail = `HTTP ${res.status}${text ? `: ${text}` : ''}`;
  return new ProviderError(res.status >= 500 || res.status === 429 ? 'retry' : 'final', detail);
}

export function africasTalkingProvider(at: NonNullable<SmsConfig['africasTalking']>, timeoutMs: number): SmsProvider {
  return {
    name: 'africastalking',
    async send(sms) {
      const form = new URLSearchParams({ username: at.username, to: sms.to, message: sms.message });
      if (at.senderId) form.set('from', at.senderId);
      const res = await post(
        `${at.baseUrl}/version1/messaging`,
        {
          method: 'POST',
          headers: { apiKey: at.apiKey, Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
          body: form.toString(),
        },
        timeoutMs,
      );
      if (res.status !== 201) throw httpFailure(res, await bodyText(res));
      let parsed: { SMSMessageData?: { Message?: string; Recipients?: AtRecipient[] } };
      try {
        parsed = (await res.json()) as typeof parsed;
      } catch {
        // 201 means AT took the request; an unreadable answer leaves the outcome unknown.
        throw new ProviderError('unknown', 'HTTP 201 with an unreadable body');
      }
      const recipient = parsed.SMSMessageData?.Recipients?.[0];
      if (!recipient) throw new ProviderError('final', `no recipient accepted: ${parsed.SMSMessageData?.Message ?? 'no message'}`);
      const code = Number(recipient.statusCode);
      if (AT_ACCEPTED.has(code) && recipient.messageId) {
        return { providerMessageId: recipient.messageId, cost: recipient.cost ?? null };
      }
      throw new ProviderError(AT_RETRYABLE.has(code) ? 'retry' : 'final', `${recipient.status ?? 'Rejected'} (${code})`);
    },
  };
}

export function httpProvider(http: NonNullable<SmsConfig['http']>, timeoutMs: number): SmsProvider {
  return {
    name: 'http',
    async send(sms) {
      const res = await post(
        http.url,
        {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            Accept: 'application/json',
            ...(http.token ? { Authorization: `Bearer ${http.token}` } : {}),
          },
          body: JSON.stringify({ to: sms.to, message: sms.message, reference: sms.reference }),
        },
        timeoutMs,
      );
      if (res.status < 200 || res.status > 299) throw httpFailure(res, await bodyText(res));
      let id: unknown;
      try {
        id = ((await res.json()) as { id?: unknown }).id;
      } catch {
        id = undefined;
      }
      // The gateway took it; without an id we still record it as sent, under our own reference.
      return {
        providerMessageId: typeof id === 'string' && id !== '' ? id : typeof id === 'number' ? String(id) : sms.reference,
        cost: null,
      };
    },
  };
}

/** Writes each message to the log instead of sending it (development, tests, or an explicit choice). */
export function logProvider(log: ActorLog): SmsProvider {
  return {
    name: 'log',
    async send(sms) {
      const providerMessageId = `log-${randomUUID()}`;
      log.info(
        { event: 'sms.log', to: sms.to, reference: sms.reference, providerMessageId, message: sms.message },
        'SMS (log provider, not sent)',
      );
      return { providerMessageId, cost: null };
    },
  };
}

export function createSmsProvider(config: SmsConfig, log: ActorLog): SmsProvider {
  if (config.provider === 'africastalking' && config.africasTalking) return africasTalkingProvider(config.africasTalking, config.timeoutMs);
  if (config.provider === 'http' && config.http) return httpProvider(config.http, config.timeoutMs);
  return logProvider(log);
}

/** Whether a failure of this provider may be retried without risking a second text. */
export function mayRetry(provider: SmsProvider, failure: ProviderFailure): boolean {
  if (failure === 'retry') return true;
  // The http provider's gateway sees the same reference again and can drop the repeat.
  return failure === 'unknown' && provider.name === 'http';
}
