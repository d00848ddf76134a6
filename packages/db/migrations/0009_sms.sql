CREATE TYPE "public"."sms_status" AS ENUM('queued', 'sending', 'sent', 'delivered', 'failed', 'skipped');--> statement-breakpoint
CREATE TYPE "public"."sms_template_key" AS ENUM('receipt', 'reminder', 'suspension', 'restoration');--> statement-breakpoint
ALTER TYPE "public"."activity_kind" ADD VALUE 'sms';--> statement-breakpoint
CREATE TABLE "sms_messages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"customer_id" uuid NOT NULL,
	"template_key" "sms_template_key" NOT NULL,
	"event_key" text NOT NULL,
	"variables" jsonb NOT NULL,
	"phone" text,
	"body" text,
	"status" "sms_status" DEFAULT 'queued' NOT NULL,
	"provider" text,
	"provider_message_id" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"cost" text,
	"delivery_status" text,
	"failure_reason" text,
	"sent_at" timestamp with time zone,
	"delivered_at" timestamp with time zone,
	"failed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sms_messages_attempts_nonnegative" CHECK ("sms_messages"."attempts" >= 0)
);
--> statement-breakpoint
CREATE TABLE "sms_templates" (
	"key" "sms_template_key" PRIMARY KEY NOT NULL,
	"body" text NOT NULL,
	"updated_by_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "sms_opt_out" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "sms_opt_out_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "sms_opt_out_by_id" uuid;--> statement-breakpoint
ALTER TABLE "sms_messages" ADD CONSTRAINT "sms_messages_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sms_templates" ADD CONSTRAINT "sms_templates_updated_by_id_users_id_fk" FOREIGN KEY ("updated_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "sms_messages_event_key" ON "sms_messages" USING btree ("event_key");--> statement-breakpoint
CREATE INDEX "sms_messages_customer_idx" ON "sms_messages" USING btree ("customer_id","created_at");--> statement-breakpoint
CREATE INDEX "sms_messages_provider_id_idx" ON "sms_messages" USING btree ("provider_message_id");--> statement-breakpoint
ALTER TABLE "customers" ADD CONSTRAINT "customers_sms_opt_out_by_id_users_id_fk" FOREIGN KEY ("sms_opt_out_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;