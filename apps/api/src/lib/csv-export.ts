/**
 * What a CSV export is: its path, the permission it needs, its filters (the list's Zod schema), its
 * audit action and columns, and where its rows come from, page by page (keyset cursor), so a file
 * is streamed and never collected into one array. `plugins/csv-exports.ts` serves them through the
 * same procedure tier as every other call (token → user row, permission, per-user limit, filters).
 */
import type { Permission, Scope } from '@netflow/contracts';
import type { Database } from '@netflow/db';
import { z } from 'zod';
import type { ZodOpenApiOperationObject } from 'zod-openapi';
import type { StaffActor } from './actor';
import type { CsvColumn } from './csv';

/** The signed-in staff member exporting, with how far their permission reaches. */
export type ExportActor = StaffActor & { scope: Scope; ip: string };

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
        content: {
          'application/json': {
            schema: z.object({ error: z.string(), fieldErrors: z.record(z.string(), z.array(z.string())).optional() }),
          },
        },
      },
      401: { description: 'Not signed in', content: errorBody },
      403: { description: 'Role may not export', content: errorBody },
      429: { description: 'Per-user limit spent (see Retry-After)', content: errorBody },
    },
  };
}
