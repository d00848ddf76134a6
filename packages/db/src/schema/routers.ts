import { boolean, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, id, instant, updatedAt } from './_columns';

/**
 * MikroTik routers the CRM provisions over RouterOS REST. `passwordSealed` is the API user's
 * password sealed with the app's secret box (AES-256-GCM, aad `router:<id>:password`); it is never
 * returned by the API.
 */
export const routers = pgTable(
  'routers',
  {
    id: id(),
    name: text().notNull(),
    /** Base URL, e.g. https://10.0.0.1 (REST lives at `<url>/rest`). */
    url: text().notNull(),
    username: text().notNull(),
    passwordSealed: text().notNull(),
    verifyTls: boolean().notNull().default(true),
    /** Identity and version from the last successful connection test. */
    identity: text(),
    version: text(),
    lastTestedAt: instant(),
    lastTestError: text(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('routers_name_key').on(t.name)],
);
