/**
 * The only module that interprets the process environment. Everything is validated once, at
 * start-up; other modules receive the resulting `Config`.
 */
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROLES, type Role } from '@netflow/contracts';
import { z } from 'zod';

/** The value shipped in .env.example; production refuses it. */
export const JWT_SECRET_PLACEHOLDER = 'replace-with-at-least-32-random-bytes-from-openssl-rand';
export const AUDIT_KEY_PLACEHOLDER = 'replace-with-other-32-random-bytes-for-the-audit-chain';
export const APP_ENCRYPTION_KEY_PLACEHOLDER = 'replace-with-a-third-32-random-bytes-for-secrets-at-rest';
const MIN_SECRET_BYTES = 32;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const list = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

const durationSeconds = z
  .string()
  .regex(/^\d+[smhd]?$/, { error: 'use a number of seconds or a value like 30m, 24h, 7d' })
  .transform((v) => {
    const unit = v.at(-1) ?? 's';
    const n = Number.parseInt(v, 10);
    const factor = { s: 1, m: 60, h: 3600, d: 86400 }[unit] ?? 1;
    return n * factor;
  });

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(9000),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { error: 'must be a postgres:// URL' })
    .optional(),
  DATA_DIR: z.string().min(1).default('.data'),
  JWT_SECRET: z.string().optional(),
  JWT_SECRET_PREVIOUS: z.string().optional(),
  AUDIT_KEY: z.string().optional(),
  APP_ENCRYPTION_KEY: z.string().optional(),
  /** Comma-separated keys that still decrypt (never encrypt) during a rotation; see `pnpm secrets:rotate`. */
  APP_ENCRYPTION_KEY_PREVIOUS: list,
  JWT_EXPIRES_IN: durationSeconds.default(24 * 3600),
  JWT_ISSUER: z.string().min(1).default('netflow-crm'),
  JWT_AUDIENCE: z.string().min(1).default('netflow-crm-staff'),
  BOOTSTRAP_ADMIN_EMAIL: z.string().trim().toLowerCase().pipe(z.email()).optional(),
  BOOTSTRAP_ADMIN_PASSWORD: z.string().min(8).max(128).optional(),
  CORS_ORIGINS: list.pipe(
    z.array(
      z
        .url({ protocol: /^https?$/, error: 'each CORS origin must be an http(s) URL (no wildcard, never null)' })
        .transform((u) => new URL(u).origin),
    ),
  ),
  TRUST_PROXY: list.pipe(
    z.array(
      z.string().refine((v) => v.toLowerCase() !== 'true' && v !== '*', {
        error: 'TRUST_PROXY lists proxy addresses or CIDRs; "true" would trust anyone',
      }),
    ),
  ),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, { error: 'must be a redis:// URL' })
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  RATE_LIMIT_GLOBAL_PER_MINUTE: z.coerce.number().int().positive().default(600),
  RATE_LIMIT_AUTH_PER_MINUTE: z.coerce.number().int().positive().default(20),
  RATE_LIMIT_USER_PER_MINUTE: z.coerce.number().int().positive().default(300),
  REDIS_KEY_PREFIX: z.string().min(1).max(64).default('netflow:'),
  LOGIN_LOCKOUT_THRESHOLD: z.coerce.number().int().min(1).max(100).default(5),
  LOGIN_LOCKOUT_BASE_SECONDS: z.coerce.number().int().positive().default(60),
  LOGIN_LOCKOUT_MAX_SECONDS: z.coerce.number().int().positive().default(3600),
  LOGIN_ACCOUNT_FAILURES_PER_HOUR: z.coerce.number().int().min(1).max(10_000).default(20),
  LOGIN_KNOWN_NETWORK_DAYS: z.coerce.number().int().min(0).max(365).default(30),
  ACCOUNT_ACTIVATION_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(72),
  /** How long a user row that authenticated may be reused (PostgreSQL server only; 0: never). */
  AUTH_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  SUBSCRIPTION_GRACE_HOURS: z.coerce
    .number()
    .int()
    .min(0)
    .max(24 * 30)
    .default(24),
  /** How long the CRM waits for a RouterOS REST answer (RouterOS itself gives up after 60 s). */
  ROUTEROS_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(15_000),
  WEB_DIST_DIR: z.string().optional(),
  DEMO_DATA: z.enum(['auto', 'on', 'off']).default('auto'),
  /** Starts the loopback stand-ins of the external services (development only; see src/standins). */
  STANDINS: z.enum(['on', 'off']).default('off'),
  API_DOCS: z.enum(['public', 'private']).optional(),
  // Empty means unset (an env file's `METRICS_TOKEN=`): GET /metrics then does not exist.
  METRICS_TOKEN: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.string().min(16, { error: 'must be at least 16 characters (openssl rand -hex 32)' }).optional(),
  ),
  MFA_REQUIRED_ROLES: list.pipe(z.array(z.enum(ROLES, { error: `each role must be one of ${ROLES.join(', ')}` }))),
  SMS_PROVIDER: z.enum(['log', 'africastalking', 'http']).optional(),
  AT_USERNAME: z.string().trim().min(1).optional(),
  AT_API_KEY: z.string().trim().min(1).optional(),
  AT_SENDER_ID: z.string().trim().min(1).max(11).optional(),
  AT_BASE_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  SMS_HTTP_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  SMS_HTTP_TOKEN: z.string().trim().min(1).optional(),
  SMS_CALLBACK_TOKEN: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16,128}$/, { error: 'must be 16–128 letters, digits, - or _ (it is part of a URL)' })
    .optional(),
  SMS_REMINDER_DAYS: z.coerce.number().int().min(0).max(30).default(3),
  SMS_PAYBILL: z.string().trim().min(1).max(20).optional(),
  SMS_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(120).default(15),
  // M-Pesa (Daraja). All of key, secret, shortcode, passkey, callback token and public URL, or none.
  MPESA_ENVIRONMENT: z.enum(['sandbox', 'production']).default('sandbox'),
  MPESA_BASE_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  MPESA_CONSUMER_KEY: z.string().optional(),
  MPESA_CONSUMER_SECRET: z.string().optional(),
  MPESA_SHORTCODE: z
    .string()
    .regex(/^\d{5,7}$/, { error: 'is a paybill/till number of 5 to 7 digits' })
    .optional(),
  MPESA_PASSKEY: z.string().optional(),
  MPESA_CALLBACK_TOKEN: z
    .string()
    .regex(/^[A-Za-z0-9_-]{32,128}$/, { error: 'must be 32 to 128 random letters, digits, "-" or "_" (openssl rand -hex 24)' })
    .optional(),
  MPESA_PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  MPESA_ALLOWED_IPS: list.pipe(
    z.array(
      z.string().refine(
        (v) => {
          const [address = '', bits, ...rest] = v.split('/');
          const family = isIP(address);
          if (!family || rest.length > 0) return false;
          if (bits === undefined) return true;
          return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
        },
        { error: 'lists IP addresses or CIDRs (e.g. 196.201.214.200, 196.201.213.0/24)' },
      ),
    ),
  ),
  MPESA_VALIDATION: z.enum(['off', 'reject-unknown']).default('off'),
  /** The job queue's workers and schedules in this process (enqueueing works either way). */
  JOBS: z.enum(['on', 'off']).optional(),
  JOBS_POLL_SECONDS: z.coerce.number().min(0.5).max(300).default(2),
  EXPIRY_SWEEP_CRON: z
    .string()
    .trim()
    .refine((v) => v.split(/\s+/).length === 5, { error: 'a five-field cron expression (UTC), e.g. */5 * * * *' })
    .default('*/5 * * * *'),
});

export type Env = z.input<typeof envSchema>;

export interface Config {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  databaseUrl: string | undefined;
  dataDir: string;
  jwt: {
    secret: string;
    previousSecret: string | undefined;
    expiresInSeconds: number;
    issuer: string;
    audience: string;
  };
  /** HMAC key of the audit chain (AUDIT_KEY): separate from the JWT secret, never stored in the database. */
  auditKey: string;
  /**
   * Keys of secrets at rest (TOTP secrets, router passwords; AES-256-GCM): `key` encrypts and
   * decrypts, `previousKeys` only decrypt, so values sealed before a rotation stay readable until
   * `pnpm secrets:rotate` re-encrypts them.
   */
  encryption: { key: string; previousKeys: string[] };
  bootstrapAdmin: { email: string; password: string } | undefined;
  corsOrigins: string[];
  trustProxy: string[];
  redisUrl: string | undefined;
  /** Namespace of every key this app writes to Redis. */
  redisKeyPrefix: string;
  logLevel: string;
  /**
   * Requests per minute: `global` per client for every HTTP request (the signed-in user, or the
   * client address when there is no valid session), `auth` per client address for sign-in and
   * registration calls, `user` per signed-in user for every tRPC/REST call and CSV export (each
   * call of a batch counts).
   */
  rateLimit: { globalPerMinute: number; authPerMinute: number; userPerMinute: number };
  /**
   * Sign-in lockout kept in Postgres, counted per (account, client network: IPv4 /24, IPv6 /64):
   * after `threshold` failures in a row from one network, that network is locked for
   * `baseSeconds`, doubling with each further lock up to `maxSeconds`; the count starts again when
   * a lock ends. Across all networks an account takes at most `accountFailuresPerHour` failures in
   * any hour; past that only networks the owner signed in from within `knownNetworkDays` may try.
   */
  lockout: { threshold: number; baseSeconds: number; maxSeconds: number; accountFailuresPerHour: number; knownNetworkDays: number };
  /** How long an activation code issued by an admin's approval stays usable. */
  activation: { ttlHours: number };
  subscriptionGraceHours: number;
  /**
   * Seconds a user row that authenticated a request may be reused by later requests of this
   * instance (AUTH_CACHE_SECONDS, default 30; 0 turns the cache off). Only on the PostgreSQL
   * server, where every change to a user is announced to all instances (LISTEN/NOTIFY) and evicts
   * it at once; the expiry is a backstop.
   */
  authCacheSeconds: number;
  /** RouterOS REST client: how long to wait for an answer before the call counts as failed. */
  routeros: { timeoutMs: number };
  webDistDir: string;
  demoData: 'auto' | 'on' | 'off';
  /** `on`: start the stand-ins of external services (RouterOS …) with the server; refused in production. */
  standins: 'on' | 'off';
  /**
   * `public`: /api/docs, /api/openapi.json and health details (database engine, version, uptime)
   * for anyone. `private` (the default with NODE_ENV=production): no docs UI, the OpenAPI document
   * for signed-in staff only, health answers `{status}` to anonymous callers.
   */
  apiDocs: 'public' | 'private';
  /** Bearer token of GET /metrics (Prometheus); absent: no metrics endpoint. */
  metricsToken: string | undefined;
  /**
   * Roles whose members must use two-step sign-in (MFA_REQUIRED_ROLES, default `admin`; set it
   * empty for none): until they enrol they reach only their profile and the enrolment.
   */
  mfa: { requiredRoles: Role[] };
  sms: SmsConfig;
  /** M-Pesa through Daraja, or undefined when not configured (its webhooks then answer 404). */
  mpesa: MpesaConfig | undefined;
  /**
   * The job queue (pg-boss): `enabled` starts the workers and schedules in this process (JOBS, on
   * by default except under NODE_ENV=test); `pollSeconds` is how often each queue's worker looks
   * for due jobs; `expirySweepCron` when the subscription expiry sweep runs (UTC).
   */
  jobs: { enabled: boolean; pollSeconds: number; expirySweepCron: string };
  /** Notes for the log once a logger exists (e.g. a generated secret). */
  warnings: string[];
}

/**
 * Outgoing SMS (`modules/sms`). `provider` is `log` (messages written to the log, nothing sent),
 * `africastalking` or `http` (a generic JSON gateway). `callbackToken` is the secret path segment
 * of the delivery-report hook (unset: the hook answers 404). `reminderDays` before expiry the
 * reminder goes out (0: no reminders).
 */
export interface SmsConfig {
  provider: 'log' | 'africastalking' | 'http';
  africasTalking: { username: string; apiKey: string; senderId: string | undefined; baseUrl: string } | null;
  http: { url: string; token: string | undefined } | null;
  callbackToken: string | undefined;
  reminderDays: number;
  paybill: string | undefined;
  timeoutMs: number;
}

export const AFRICASTALKING_BASE_URL = 'https://api.africastalking.com';
export const AFRICASTALKING_SANDBOX_URL = 'https://api.sandbox.africastalking.com';

/**
 * In production SMS_PROVIDER must be named: a silent `log` default would drop every receipt and
 * reminder while staff believe they go out, so a missing value refuses to start (one line).
 * Outside production the default is `log`.
 */
function smsConfig(env: z.infer<typeof envSchema>, warnings: string[]): SmsConfig {
  if (!env.SMS_PROVIDER && env.NODE_ENV === 'production') {
    throw new ConfigError('SMS_PROVIDER is not set; choose africastalking, http, or log (nothing sent) explicitly');
  }
  const provider = env.SMS_PROVIDER ?? 'log';
  let africasTalking: SmsConfig['africasTalking'] = null;
  let http: SmsConfig['http'] = null;
  if (provider === 'africastalking') {
    if (!env.AT_USERNAME || !env.AT_API_KEY) throw new ConfigError('SMS_PROVIDER=africastalking needs AT_USERNAME and AT_API_KEY');
    const baseUrl = env.AT_BASE_URL ?? (env.AT_USERNAME === 'sandbox' ? AFRICASTALKING_SANDBOX_URL : AFRICASTALKING_BASE_URL);
    africasTalking = {
      username: env.AT_USERNAME,
      apiKey: env.AT_API_KEY,
      senderId: env.AT_SENDER_ID,
      baseUrl: baseUrl.replace(/\/+$/, ''),
    };
  }
  if (provider === 'http') {
    if (!env.SMS_HTTP_URL) throw new ConfigError('SMS_PROVIDER=http needs SMS_HTTP_URL');
    http = { url: env.SMS_HTTP_URL, token: env.SMS_HTTP_TOKEN };
  }
  if (provider === 'log' && env.NODE_ENV === 'production')
    warnings.push('SMS_PROVIDER=log: customer messages are written to the log, not sent');
  if (provider !== 'log' && !env.SMS_CALLBACK_TOKEN) warnings.push('SMS_CALLBACK_TOKEN not set: delivery reports are not accepted');
  if (provider !== 'log' && !env.SMS_PAYBILL) warnings.push('SMS_PAYBILL not set: {paybill} in SMS templates stays empty');
  return {
    provider,
    africasTalking,
    http,
    callbackToken: env.SMS_CALLBACK_TOKEN,
    reminderDays: env.SMS_REMINDER_DAYS,
    paybill: env.SMS_PAYBILL,
    timeoutMs: env.SMS_TIMEOUT_SECONDS * 1000,
  };
}

export interface MpesaConfig {
  environment: 'sandbox' | 'production';
  /** Daraja's origin: MPESA_BASE_URL, else the environment's host. */
  baseUrl: string;
  consumerKey: string;
  consumerSecret: string;
  shortcode: string;
  passkey: string;
  /** The secret path segment of the callback URLs. */
  callbackToken: string;
  /** Origin Daraja calls back (https in production), without a trailing slash. */
  publicUrl: string;
  /** Addresses/CIDRs allowed to post callbacks; empty = any. */
  allowedIps: string[];
  validation: 'off' | 'reject-unknown';
}

const DARAJA_HOSTS = { sandbox: 'https://sandbox.safaricom.co.ke', production: 'https://api.safaricom.co.ke' } as const;

function mpesaConfig(env: z.output<typeof envSchema>): MpesaConfig | undefined {
  const required = {
    MPESA_CONSUMER_KEY: env.MPESA_CONSUMER_KEY,
    MPESA_CONSUMER_SECRET: env.MPESA_CONSUMER_SECRET,
    MPESA_SHORTCODE: env.MPESA_SHORTCODE,
    MPESA_PASSKEY: env.MPESA_PASSKEY,
    MPESA_CALLBACK_TOKEN: env.MPESA_CALLBACK_TOKEN,
    MPESA_PUBLIC_URL: env.MPESA_PUBLIC_URL,
  };
  const missing = Object.entries(required)
    .filter(([, v]) => !v)
    .map(([k]) => k);
  if (missing.length === Object.keys(required).length) return undefined;
  if (missing.length > 0)
    throw new ConfigError(`M-Pesa is half configured: set ${missing.join(', ')} too (or none of the MPESA_ variables)`);
  const publicUrl = new URL(env.MPESA_PUBLIC_URL ?? '');
  if (env.NODE_ENV === 'production' && publicUrl.protocol !== 'https:') {
    throw new ConfigError('MPESA_PUBLIC_URL must be an https URL in production (Daraja calls back over TLS only)');
  }
  return {
    environment: env.MPESA_ENVIRONMENT,
    baseUrl: (env.MPESA_BASE_URL ?? DARAJA_HOSTS[env.MPESA_ENVIRONMENT]).replace(/\/+$/, ''),
    consumerKey: required.MPESA_CONSUMER_KEY ?? '',
    consumerSecret: required.MPESA_CONSUMER_SECRET ?? '',
    shortcode: required.MPESA_SHORTCODE ?? '',
    passkey: required.MPESA_PASSKEY ?? '',
    callbackToken: required.MPESA_CALLBACK_TOKEN ?? '',
    publicUrl: publicUrl.toString().replace(/\/+$/, ''),
    allowedIps: env.MPESA_ALLOWED_IPS,
    validation: env.MPESA_VALIDATION,
  };
}

function secretProblem(secret: string | undefined, placeholder = JWT_SECRET_PLACEHOLDER): string | null {
  if (!secret) return 'is missing';
  if (Buffer.byteLength(secret, 'utf8') < MIN_SECRET_BYTES) return `is shorter than ${MIN_SECRET_BYTES} bytes`;
  if (secret === placeholder) return 'is the .env.example placeholder';
  return null;
}

/** Outside production a missing secret is generated once and kept (mode 0600) in DATA_DIR. */
function localSecret(dataDir: string, name = 'jwt-secret'): string {
  const file = path.join(dataDir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}

/**
 * AUDIT_KEY follows the JWT secret's rules (production refuses a missing, short or placeholder
 * key; elsewhere a missing one is generated into DATA_DIR/audit-key) and must differ from it, so
 * a leaked signing secret does not also let someone rewrite the audit trail.
 */
function resolveOwnKey(
  name: 'AUDIT_KEY' | 'APP_ENCRYPTION_KEY',
  key: string | undefined,
  others: Record<string, string>,
  nodeEnv: string,
  dataDir: string,
  warnings: string[],
): string {
  const placeholder = name === 'AUDIT_KEY' ? AUDIT_KEY_PLACEHOLDER : APP_ENCRYPTION_KEY_PLACEHOLDER;
  const same = Object.entries(others).find(([, value]) => value === key)?.[0];
  const problem = secretProblem(key, placeholder) ?? (same ? `equals ${same}` : null);
  if (problem && nodeEnv === 'production') {
    throw new ConfigError(`${name} ${problem}; set its own random value of at least ${MIN_SECRET_BYTES} bytes (openssl rand -base64 48)`);
  }
  const file = name === 'AUDIT_KEY' ? 'audit-key' : 'encryption-key';
  if (!key) {
    warnings.push(`${name} not set: using a generated key kept in ${path.join(dataDir, file)} (never do this in production)`);
    return localSecret(dataDir, file);
  }
  if (problem) warnings.push(`${name} ${problem}; production would refuse it`);
  return key;
}

function defaultWebDist(): string {
  // apps/api/{src,dist}/config → apps/web/dist
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.resolve(here, '../../web/dist');
}

export function loadConfig(source: Record<string, string | undefined>): Config {
  // Empty strings (KEY= in a .env file) mean "not set", except MFA_REQUIRED_ROLES= which means no role.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  cleaned.MFA_REQUIRED_ROLES = source.MFA_REQUIRED_ROLES ?? 'admin';
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`${issue?.path.join('.') ?? 'environment'} ${issue?.message ?? 'is invalid'}`);
  }
  const env = parsed.data;
  const warnings: string[] = [];
  const dataDir = path.resolve(env.DATA_DIR);

  let secret = env.JWT_SECRET;
  const problem = secretProblem(secret);
  if (problem && env.NODE_ENV === 'production') {
    throw new ConfigError(`JWT_SECRET ${problem}; set a random value of at least ${MIN_SECRET_BYTES} bytes (openssl rand -base64 48)`);
  }
  if (!secret) {
    secret = localSecret(dataDir);
    warnings.push(`JWT_SECRET not set: using a generated secret kept in ${path.join(dataDir, 'jwt-secret')} (never do this in production)`);
  } else if (problem) {
    warnings.push(`JWT_SECRET ${problem}; production would refuse it`);
  }
  const previous = env.JWT_SECRET_PREVIOUS;
  if (previous && env.NODE_ENV === 'production' && secretProblem(previous)) {
    throw new ConfigError(`JWT_SECRET_PREVIOUS ${secretProblem(previous)}`);
  }
  const auditKey = resolveOwnKey('AUDIT_KEY', env.AUDIT_KEY, { JWT_SECRET: secret }, env.NODE_ENV, dataDir, warnings);
  // Secrets at rest get a third key, so neither a leaked signing secret nor the audit key opens them.
  const encryptionKey = resolveOwnKey(
    'APP_ENCRYPTION_KEY',
    env.APP_ENCRYPTION_KEY,
    { JWT_SECRET: secret, AUDIT_KEY: auditKey },
    env.NODE_ENV,
    dataDir,
    warnings,
  );
  if (env.NODE_ENV === 'production' && !env.MFA_REQUIRED_ROLES.includes('admin')) {
    warnings.push('MFA_REQUIRED_ROLES does not include admin: admins may sign in with a password alone');
  }
  if (env.STANDINS === 'on' && env.NODE_ENV === 'production') {
    throw new ConfigError('STANDINS=on starts fake external services; it is refused with NODE_ENV=production');
  }
  if ((env.BOOTSTRAP_ADMIN_EMAIL === undefined) !== (env.BOOTSTRAP_ADMIN_PASSWORD === undefined)) {
    throw new ConfigError('BOOTSTRAP_ADMIN_EMAIL and BOOTSTRAP_ADMIN_PASSWORD must be set together');
  }

  return {
    env: env.NODE_ENV,
    host: env.HOST,
    port: env.PORT,
    databaseUrl: env.DATABASE_URL,
    dataDir,
    jwt: {
      secret,
      previousSecret: previous,
      expiresInSeconds: env.JWT_EXPIRES_IN,
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
    },
    auditKey,
    encryption: { key: encryptionKey, previousKeys: env.APP_ENCRYPTION_KEY_PREVIOUS.filter((k) => k !== encryptionKey) },
    bootstrapAdmin:
      env.BOOTSTRAP_ADMIN_EMAIL && env.BOOTSTRAP_ADMIN_PASSWORD
        ? { email: env.BOOTSTRAP_ADMIN_EMAIL, password: env.BOOTSTRAP_ADMIN_PASSWORD }
        : undefined,
    corsOrigins: env.CORS_ORIGINS,
    trustProxy: env.TRUST_PROXY,
    redisUrl: env.REDIS_URL,
    redisKeyPrefix: env.REDIS_KEY_PREFIX,
    logLevel: env.LOG_LEVEL,
    rateLimit: {
      globalPerMinute: env.RATE_LIMIT_GLOBAL_PER_MINUTE,
      authPerMinute: env.RATE_LIMIT_AUTH_PER_MINUTE,
      userPerMinute: env.RATE_LIMIT_USER_PER_MINUTE,
    },
    lockout: {
      threshold: env.LOGIN_LOCKOUT_THRESHOLD,
      baseSeconds: env.LOGIN_LOCKOUT_BASE_SECONDS,
      maxSeconds: Math.max(env.LOGIN_LOCKOUT_MAX_SECONDS, env.LOGIN_LOCKOUT_BASE_SECONDS),
      accountFailuresPerHour: env.LOGIN_ACCOUNT_FAILURES_PER_HOUR,
      knownNetworkDays: env.LOGIN_KNOWN_NETWORK_DAYS,
    },
    activation: { ttlHours: env.ACCOUNT_ACTIVATION_HOURS },
    subscriptionGraceHours: env.SUBSCRIPTION_GRACE_HOURS,
    authCacheSeconds: env.AUTH_CACHE_SECONDS,
    routeros: { timeoutMs: env.ROUTEROS_TIMEOUT_MS },
    webDistDir: env.WEB_DIST_DIR ? path.resolve(env.WEB_DIST_DIR) : defaultWebDist(),
    demoData: env.DEMO_DATA,
    standins: env.STANDINS,
    apiDocs: env.API_DOCS ?? (env.NODE_ENV === 'production' ? 'private' : 'public'),
    metricsToken: env.METRICS_TOKEN,
    mfa: { requiredRoles: [...new Set(env.MFA_REQUIRED_ROLES)] },
    sms: smsConfig(env, warnings),
    mpesa: mpesaConfig(env),
    jobs: {
      enabled: (env.JOBS ?? (env.NODE_ENV === 'test' ? 'off' : 'on')) === 'on',
      pollSeconds: env.JOBS_POLL_SECONDS,
      expirySweepCron: env.EXPIRY_SWEEP_CRON,
    },
    warnings,
  };
}
