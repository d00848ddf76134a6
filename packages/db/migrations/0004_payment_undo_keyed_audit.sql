ALTER TABLE "audit_log" ADD COLUMN "hash_version" smallint DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "applied_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "balance_delta_cents" bigint;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "renewal_periods" integer;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "renewal_days" integer;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "expires_before" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "reactivated" boolean;--> statement-breakpoint
-- Hand-written (not generated): payments applied before this migration kept their undo data only in
-- their latest `payment.apply` audit row. Copy it onto the payment once, so reversal never reads the
-- audit trail. Applied payments without such a row (imports, the demo seed) keep applied_at null.
UPDATE "payments" AS p SET
  "applied_at" = a."at",
  "balance_delta_cents" = (a."changes" ->> 'balanceDeltaCents')::bigint,
  "renewal_periods" = coalesce((a."changes" -> 'renewal' ->> 'periods')::integer, 0),
  "renewal_days" = coalesce((a."changes" -> 'renewal' ->> 'addedDays')::integer, 0),
  "expires_before" = (a."changes" -> 'renewal' -> 'expiresAt' ->> 'from')::timestamptz,
  "reactivated" = coalesce(a."changes" -> 'renewal' -> 'status' ->> 'from' = 'suspended', false)
FROM (
  SELECT DISTINCT ON ("entity_id") "entity_id", "at", "changes"
  FROM "audit_log"
  WHERE "action" = 'payment.apply' AND "entity_type" = 'payment'
  ORDER BY "entity_id", "id" DESC
) AS a
WHERE p."status" = 'applied' AND a."entity_id" = p."id"::text AND a."changes" ? 'balanceDeltaCents';
