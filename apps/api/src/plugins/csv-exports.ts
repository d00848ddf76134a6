/**
 * GET /api/v1/leads/export and GET /api/v1/customers/export (and their /api aliases): streamed CSV. tRPC and its REST adapter
 * only speak JSON, so the file is sent by a plain Fastify route, but everything before the first
 * byte is a procedure of the same tier as any other: the request's context (token → current user
 * row), `permissionProcedure` (authentication, the per-user limit, the permission from the
 * contracts matrix and its scope), the NUL guard and the list's filter schema, then the audit row.
 * Errors are answered like the REST twins: `{error, fieldErrors?, requestId?}` with Retry-After on 429.
 */
import { getTRPCErrorFromUnknown } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { FastifyPluginAsync } from 'fastify';
import type { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { csvExportOperation, type CsvExportSpec, type ExportActor } from '../lib/csv-export';
import { csvStream } from '../lib/csv';
import { audit } from '../modules/audit';
import { customersExport } from '../modules/customers';
import { leadsExport } from '../modules/leads';
import { paymentsExport } from '../modules/payments';
import { subscriptionsExport } from '../modules/subscriptions';
import { createHttpContext, type Context } from '../trpc/context';
import { createCallerFactory, permissionProcedure, publicErrorOf, router } from '../trpc/trpc';
import { REST_PREFIXES } from './api-version';
import { logProcedureError } from './errors';

/** The procedure an export passes before streaming: it answers who exports what. */
function exportProcedure<S extends z.ZodObject, T>(spec: CsvExportSpec<S, T>) {
  return permissionProcedure(spec.permission)
    .input(spec.filters)
    .query(async ({ ctx, input }) => {
      // tRPC cannot follow a generic schema's output type; it is this spec's filter schema's.
      const filters = input as z.output<S>;
      // Recorded before the first byte: an export that is interrupted still happened.
      await ctx.db.transaction((tx) =>
        audit(tx, ctx, { action: spec.auditAction, entityType: spec.entityType, changes: { filters: filters } }),
      );
      const actor: ExportActor = ctx;
      return { actor, filters };
    });
}

/**
 * The query string as the REST adapter reads it: empty values dropped, a key given once as a
 * string (given twice, an array, which the filter schema refuses).
 */
function queryInput(query: unknown): Record<string, unknown> {
  if (!query || typeof query !== 'object') return {};
  return Object.fromEntries(Object.entries(query).filter(([, value]) => value !== '' && value !== undefined));
}

/** Named like procedures (`leads.export`), so their log lines read like every other call's. */
const exportRouter = router({
  leads: router({ export: exportProcedure(leadsExport) }),
  customers: router({ export: exportProcedure(customersExport) }),
  payments: router({ export: exportProcedure(paymentsExport) }),
  subscriptions: router({ export: exportProcedure(subscriptionsExport) }),
});
const createCaller = createCallerFactory(exportRouter);
type ExportCaller = ReturnType<typeof createCaller>;

function registerExport<S extends z.ZodObject, T>(
  app: Parameters<FastifyPluginAsync>[0],
  prefix: string,
  spec: CsvExportSpec<S, T>,
  authorize: (caller: ExportCaller, input: z.input<S>) => Promise<{ actor: ExportActor; filters: z.output<S> }>,
) {
  app.get(`${prefix}${spec.path}`, async (req, reply) => {
    const { services } = app;
    let ctx: Context | undefined;
    try {
      ctx = await createHttpContext(services, req, reply);
      // Untrusted until the procedure's input schema has parsed it.
      const { actor, filters } = await authorize(createCaller(ctx), queryInput(req.query) as z.input<S>);
      const stamp = new Date().toISOString().slice(0, 10);
      const stream = csvStream(spec.columns, spec.pages(services.db, actor, filters));
      stream.on('error', (error) => req.log.error({ err: error, path: spec.path }, 'export failed while streaming'));
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${spec.filename}-${stamp}.csv"`)
        .send(stream);
    } catch (cause) {
      const error = getTRPCErrorFromUnknown(cause);
      logProcedureError(ctx?.log ?? req.log, error, `${spec.tag}.export`);
      const { message, ...details } = publicErrorOf(error, String(req.id));
      return reply
        .headers(ctx?.http.headers ?? {})
        .status(getHTTPStatusCodeFromError(error))
        .send({ error: message, ...details });
    }
  });
}

const csvExports: FastifyPluginAsync = async (app) => {
  for (const prefix of REST_PREFIXES) {
    registerExport(app, prefix, leadsExport, (caller, input) => caller.leads.export(input));
    registerExport(app, prefix, customersExport, (caller, input) => caller.customers.export(input));
    registerExport(app, prefix, paymentsExport, (caller, input) => caller.payments.export(input));
    registerExport(app, prefix, subscriptionsExport, (caller, input) => caller.subscriptions.export(input));
  }
};

export const csvExportOpenApiPaths: ZodOpenApiPathsObject = {
  [leadsExport.path]: { get: csvExportOperation(leadsExport) },
  [customersExport.path]: { get: csvExportOperation(customersExport) },
  [paymentsExport.path]: { get: csvExportOperation(paymentsExport) },
  [subscriptionsExport.path]: { get: csvExportOperation(subscriptionsExport) },
};

export default csvExports;
