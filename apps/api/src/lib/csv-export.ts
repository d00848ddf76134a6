/**
 * CSV export routes. tRPC and its REST adapter only speak JSON, so exports are plain Fastify
 * routes that follow the same rules as every procedure: bearer token through `authenticate()`,
 * permission from the contracts matrix, filters validated by the module's Zod schema, an audit
 * row, and JSON error bodies ({error, fieldErrors?}) like the REST twins. Rows are streamed page by
 * page (keyset cursor), never collected into one array.
 */
import { can, scopeOf, type Permission, type Scope } from '@netflow/contracts';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ZodOpenApiOperationObject } from 'zod-openapi';
import type { Database } from '@netflow/db';
import { audit } from '../modules/audit';
import { authenticate, bearerToken, type CurrentUser } from '../trpc/context';
import { csvStream, type CsvColumn } from './csv';

export interface ExportActor {
  user: CurrentUser;
  scope: Scope;
  ip: string;
  requestId: string;
  log: FastifyBaseLogger;
}

export interface CsvExportSpec<S extends z.ZodObject, T> {
  /** Path under /api, e.g. `/leads/export`. */
  path: string;
  tag: string;
  summary: string;
  permission: Permission;
  filters: S;
  /** File name stem; the date is appended. */
  filename: string;
  auditAction: string;
  entityType: string;
  columns: readonly CsvColumn<T>[];
  pages(db: Database, actor: ExportActor, filters: z.output<S>): AsyncIterable<readonly T[]>;
}

/** Registers `GET /api<spec.path>` on the app. */
export function registerCsvExport<S extends z.ZodObject, T>(app: FastifyInstance, spec: CsvExportSpec<S, T>) {
  app.get(`/api${spec.path}`, async (req, reply) => {
    const { services } = app;
    const auth = await authenticate(services, bearerToken(req.headers.authorization));
    if (!auth) {
      req.log.info({ event: 'authn.required', path: spec.path }, 'unauthenticated call refused');
      return reply.status(401).send({ error: 'Authentication required' });
    }
    const { user } = auth;
    const scope = scopeOf(user.role, spec.permission);
    if (!can(user.role, spec.permission) || !scope) {
      req.log.warn(
        { event: 'authz.denied', path: spec.path, permission: spec.permission, userId: user.id, role: user.role },
        'authorization failure',
      );
      return reply.status(403).send({ error: 'You do not have permission to do this' });
    }
    const parsed = spec.filters.safeParse(req.query ?? {});
    if (!parsed.success) {
      req.log.info({ event: 'validation.failed', path: spec.path }, 'invalid export filters');
      return reply.status(400).send({ error: 'Invalid input', fieldErrors: z.flattenError(parsed.error).fieldErrors });
    }
    const actor: ExportActor = { user, scope, ip: req.ip, requestId: String(req.id), log: req.log };
    // Recorded before the first byte: an export that is interrupted still happened.
    await services.db.transaction((tx) =>
      audit(tx, { user, ip: actor.ip, requestId: actor.requestId }, {
        action: spec.auditAction,
        entityType: spec.entityType,
        changes: { filters: parsed.data as Record<string, unknown> },
      }),
    );
    const stamp = new Date().toISOString().slice(0, 10);
    const stream = csvStream(spec.columns, spec.pages(services.db, actor, parsed.data));
    stream.on('error', (error) => req.log.error({ err: error, path: spec.path }, 'export failed while streaming'));
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${spec.filename}-${stamp}.csv"`)
      .send(stream);
  });
}

/** The OpenAPI description of an export route, merged into /api/openapi.json. */
export function csvExportOperation<S extends z.ZodObject, T>(spec: CsvExportSpec<S, T>): ZodOpenApiOperationObject {
  const errorBody = { 'application/json': { schema: z.object({ error: z.string() }) } };
  return {
    tags: [spec.tag],
    summary: spec.summary,
    description: `CSV (UTF-8 with BOM), streamed. Needs \`${spec.permission}\`; audited as \`${spec.auditAction}\`. Cells that a spreadsheet would run as a formula (starting with = + - @, tab or CR) are prefixed with '.`,
    security: [{ bearerAuth: [] }],
    requestParams: { query: spec.filters },
    responses: {
      200: { description: 'The CSV file', content: { 'text/csv': { schema: z.string() } } },
      400: {
        description: 'Invalid filters',
        content: { 'application/json': { schema: z.object({ error: z.string(), fieldErrors: z.record(z.string(), z.array(z.string())).optional() }) } },
      },
      401: { description: 'Not signed in', content: errorBody },
      403: { description: 'Role may not export', content: errorBody },
    },
  };
}

/**
 * The download link for an export with the given (already validated) filters: what the tRPC
 * procedures leads.export / customers.export hand to the web client, which then fetches the CSV
 * with its bearer token.
 */
export function csvExportLink<S extends z.ZodObject, T>(spec: CsvExportSpec<S, T>, filters: Record<string, unknown>) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) {
    if (value !== undefined && value !== null && value !== '') query.set(key, String(value));
  }
  const qs = query.toString();
  return {
    path: `/api${spec.path}${qs ? `?${qs}` : ''}`,
    filename: `${spec.filename}-${new Date().toISOString().slice(0, 10)}.csv`,
    contentType: 'text/csv' as const,
  };
}
