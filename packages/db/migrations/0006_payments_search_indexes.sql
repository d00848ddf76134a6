CREATE INDEX "payments_account_reference_trgm_idx" ON "payments" USING gin ("account_reference" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "payments_payer_name_trgm_idx" ON "payments" USING gin ("payer_name" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "payments_payer_phone_trgm_idx" ON "payments" USING gin ("payer_phone" gin_trgm_ops);