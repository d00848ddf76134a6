/**
 * `STANDINS=on` (development only; config refuses it in production): start the loopback stand-ins
 * of the external services before the server reads its configuration, and point the server at them,
 * so a developer sees the whole loop locally. Each entry starts one stand-in and answers the
 * environment variables that aim the server at it. Add a stand-in by adding an entry to STANDINS.
 */
import { randomBytes } from 'node:crypto';
import { startAfricasTalkingStandin } from './africastalking';
import { startDarajaStandin } from './daraja';

// Loopback stand-ins for the external services (tests and local runs), one file each.
export { startRouterOsStandIn, type RouterOsStandIn, type StandInFailure, type RecordedRequest } from './routeros';
export { startDevStandIns } from './dev';
export { startAfricasTalkingStandin, type AfricasTalkingStandin, type AtFailure } from './africastalking';

type Env = Record<string, string | undefined>;

export interface StartedStandin {
  /** Variables that point the server at this stand-in (they win over the environment). */
  env: Record<string, string>;
  /** One line for the console: where it listens and how to drive it. */
  note: string;
  close(): Promise<void>;
}

export interface StandinEntry {
  name: string;
  start(env: Env, serverOrigin: string): Promise<StartedStandin>;
}

export const STANDINS: StandinEntry[] = [
  {
    name: 'africastalking',
    async start(env): Promise<StartedStandin> {
      // Only when no real provider was chosen: SMS then go to a local Africa's Talking, not the log.
      if (env.SMS_PROVIDER && env.SMS_PROVIDER !== 'log')
        return { env: {}, note: `SMS_PROVIDER=${env.SMS_PROVIDER}: no SMS stand-in`, close: async () => {} };
      const at = await startAfricasTalkingStandin();
      return {
        env: { SMS_PROVIDER: 'africastalking', AT_USERNAME: at.username, AT_API_KEY: at.apiKey, AT_BASE_URL: at.url },
        note: `Africa's Talking stand-in at ${at.url}: receipts, reminders and notices are sent there (and shown on the customer timeline)`,
        close: () => at.close(),
      };
    },
  },
  {
    name: 'daraja',
    async start(env, serverOrigin) {
      // The customer takes a few seconds to type the PIN; every push is paid unless told otherwise.
      const daraja = await startDarajaStandin({ callbackDelayMs: 3_000 });
      const token = env.MPESA_CALLBACK_TOKEN ?? randomBytes(24).toString('hex');
      const hooks = `${serverOrigin}/api/hooks/c2b/${token}`;
      // As if `pnpm mpesa:register-urls` had run, so simulated C2B payments arrive at once.
      daraja.registered = { confirmationUrl: `${hooks}/confirmation`, validationUrl: `${hooks}/validation`, responseType: 'Completed' };
      return {
        env: {
          MPESA_BASE_URL: daraja.url,
          MPESA_CONSUMER_KEY: daraja.credentials.consumerKey,
          MPESA_CONSUMER_SECRET: daraja.credentials.consumerSecret,
          MPESA_SHORTCODE: daraja.credentials.shortcode,
          MPESA_PASSKEY: daraja.credentials.passkey,
          MPESA_CALLBACK_TOKEN: token,
          MPESA_PUBLIC_URL: serverOrigin,
        },
        note:
          `Daraja stand-in at ${daraja.url} (STK pushes are paid after 3 s). Simulate a paybill payment: ` +
          `curl -X POST ${daraja.url}/standin/simulate-c2b -H 'content-type: application/json' -d '{"BillRefNumber":"NF-000001","Amount":"2500"}'; ` +
          `change the STK outcome: -d '{"phone":"254712345678","resultCode":"1032"}' to ${daraja.url}/standin/stk-scenario`,
        close: () => daraja.close(),
      };
    },
  },
];

/** Starts every stand-in; answers the variables to lay over the environment and a closer. */
export async function startStandins(env: Env): Promise<{ env: Record<string, string>; notes: string[]; close(): Promise<void> }> {
  const host = !env.HOST || env.HOST === '0.0.0.0' || env.HOST === '::' ? '127.0.0.1' : env.HOST;
  const serverOrigin = `http://${host.includes(':') ? `[${host}]` : host}:${env.PORT ?? '9000'}`;
  const started: StartedStandin[] = [];
  for (const entry of STANDINS) started.push(await entry.start(env, serverOrigin));
  return {
    env: Object.assign({}, ...started.map((s) => s.env)) as Record<string, string>,
    notes: started.map((s) => s.note),
    close: async () => {
      await Promise.all(started.map((s) => s.close()));
    },
  };
}
