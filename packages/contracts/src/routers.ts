/** Schemas of the routers module: MikroTik routers, their connection test, and the router ↔ CRM sync. */
import { z } from 'zod';
import { idSchema, textSchema } from './common';

/** An http(s) base URL without credentials, path or query: REST lives at `<url>/rest`. */
export const routerUrlSchema = textSchema
  .trim()
  .max(200)
  .pipe(z.url({ protocol: /^https?$/, error: 'An http(s) address such as https://10.0.0.1' }))
  .refine(
    (v) => {
      const u = new URL(v);
      return !u.username && !u.password && !u.search && !u.hash && (u.pathname === '/' || u.pathname === '');
    },
    { error: 'Only scheme, host and port (no path, query or credentials)' },
  )
  .transform((v) => new URL(v).origin);

const routerFields = {
  name: textSchema.trim().min(2, { error: 'At least 2 characters' }).max(80),
  url: routerUrlSchema,
  username: textSchema.trim().min(1, { error: 'Required' }).max(64),
  /** Write-only: stored sealed, never returned. */
  password: textSchema.min(1, { error: 'Required' }).max(128),
  /** Off only for a router with a self-signed certificate on a trusted network. */
  verifyTls: z.boolean(),
};

export const createRouterInput = z.object({ ...routerFields, verifyTls: routerFields.verifyTls.default(true) });
export type CreateRouterInput = z.infer<typeof createRouterInput>;

/** Every field may be left out; a password given replaces the stored one. */
export const updateRouterInput = z.object(routerFields).partial().extend({ id: idSchema });
export type UpdateRouterInput = z.infer<typeof updateRouterInput>;

export const routerSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  url: z.string(),
  username: z.string(),
  verifyTls: z.boolean(),
  identity: z.string().nullable(),
  version: z.string().nullable(),
  lastTestedAt: z.string().nullable(),
  lastTestError: z.string().nullable(),
  /** Subscriptions served by this router (any status but cancelled). */
  subscriptionCount: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Router = z.infer<typeof routerSchema>;

export const routerListSchema = z.object({ items: z.array(routerSchema) });

/** What a role choosing a router for a subscription sees. */
export const routerOptionSchema = z.object({ id: z.uuid(), name: z.string() });
export const routerOptionsSchema = z.object({ items: z.array(routerOptionSchema) });

export const routerTestResultSchema = z.union([
  z.object({ ok: z.literal(true), identity: z.string(), version: z.string() }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
export type RouterTestResult = z.infer<typeof routerTestResultSchema>;

export const ROUTER_DIFFERENCE_KINDS = ['missing', 'extra', 'wrong-profile', 'enabled-while-suspended', 'disabled-while-active'] as const;
export type RouterDifferenceKind = (typeof ROUTER_DIFFERENCE_KINDS)[number];

export const routerDifferenceSchema = z.object({
  username: z.string(),
  kind: z.enum(ROUTER_DIFFERENCE_KINDS),
  /** `pppoe` (PPP secret) or `hotspot` (hotspot user). */
  service: z.enum(['pppoe', 'hotspot']),
  subscriptionId: z.uuid().nullable(),
  /** The CRM's status of the subscription, null for a secret the CRM does not know. */
  crmStatus: z.string().nullable(),
  expectedProfile: z.string().nullable(),
  routerProfile: z.string().nullable(),
  /** What applying the sync does about it. */
  action: z.enum(['create', 'enable', 'disable', 'set-profile', 'none']),
  note: z.string().nullable(),
});
export type RouterDifference = z.infer<typeof routerDifferenceSchema>;

export const routerSyncInput = z.object({
  id: idSchema,
  /** false (default): only compare. true: change the router to match the CRM. */
  apply: z.boolean().default(false),
});

export const routerSyncResultSchema = z.object({
  applied: z.boolean(),
  /** Before applying: what differs. After: what still differs. */
  differences: z.array(routerDifferenceSchema),
  /** With `apply`: the differences fixed. */
  fixed: z.number().int(),
  checkedAt: z.string(),
});
export type RouterSyncResult = z.infer<typeof routerSyncResultSchema>;

/** A subscription's router state, as staff see it. */
export const PROVISIONING_STATES = ['synced', 'pending', 'failed'] as const;
export const provisioningStateSchema = z.enum(PROVISIONING_STATES);
export type ProvisioningState = z.infer<typeof provisioningStateSchema>;

/** Answered once: the service username and its new password (never shown again). */
export const servicePasswordSchema = z.object({ username: z.string(), password: z.string() });
