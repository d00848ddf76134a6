CREATE TYPE "public"."mpesa_stk_status" AS ENUM('pending', 'paid', 'failed');--> statement-breakpoint
CREATE TABLE "mpesa_oauth_tokens" (
	"key" text PRIMARY KEY NOT NULL,
	"sealed_token" text,
	"expires_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mpesa_stk_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"checkout_request_id" text NOT NULL,
	"merchant_request_id" text NOT NULL,
	"customer_id" uuid NOT NULL,
	"account_number" text NOT NULL,
	"phone" text NOT NULL,
	"amount_cents" bigint NOT NULL,
	"status" "mpesa_stk_status" DEFAULT 'pending' NOT NULL,
	"result_code" text,
	"result_desc" text,
	"receipt" text,
	"payment_id" uuid,
	"requested_by_id" uuid,
	"queried_at" timestamp with time zone,
	"resolved_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "mpesa_stk_requests" ADD CONSTRAINT "mpesa_stk_requests_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mpesa_stk_requests" ADD CONSTRAINT "mpesa_stk_requests_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mpesa_stk_requests" ADD CONSTRAINT "mpesa_stk_requests_requested_by_id_users_id_fk" FOREIGN KEY ("requested_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "mpesa_stk_requests_checkout_key" ON "mpesa_stk_requests" USING btree ("checkout_request_id");--> statement-breakpoint
CREATE INDEX "mpesa_stk_requests_customer_idx" ON "mpesa_stk_requests" USING btree ("customer_id","created_at");--> statement-breakpoint
CREATE INDEX "mpesa_stk_requests_pending_idx" ON "mpesa_stk_requests" USING btree ("status","created_at");