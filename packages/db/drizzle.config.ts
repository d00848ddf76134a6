import { defineConfig } from 'drizzle-kit';

// Migrations are generated from the schema and committed; `pnpm db:check` fails when they drift.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/schema/index.ts',
  out: './migrations',
  casing: 'snake_case',
  strict: true,
});
