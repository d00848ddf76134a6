-- Custom SQL migration file, put your code below! --
-- === hand-written (issue 10, search): expression indexes, not in the Drizzle schema ===
-- One trigram index over a record's searchable text (fields joined by U+001F, which nobody types,
-- so a term never matches across two fields). A search is then one `document ILIKE '%term%'`,
-- served by one bitmap index scan, instead of an OR over per-column indexes that the planner
-- prices above a sequential scan. The expression must match `searchDocument()` in
-- apps/api/src/lib/search.ts exactly.
CREATE INDEX IF NOT EXISTS "customers_search_trgm_idx" ON "customers" USING gin ((coalesce("name", '') || E'\x1f' || coalesce("phone", '') || E'\x1f' || coalesce("email", '') || E'\x1f' || coalesce("account_number", '')) gin_trgm_ops);--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "payments_search_trgm_idx" ON "payments" USING gin ((coalesce("reference", '') || E'\x1f' || coalesce("account_reference", '') || E'\x1f' || coalesce("payer_name", '') || E'\x1f' || coalesce("payer_phone", '')) gin_trgm_ops);
