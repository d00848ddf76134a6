CREATE TYPE "public"."provisioning_state" AS ENUM('synced', 'pending', 'failed');--> statement-breakpoint
CREATE TABLE "routers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"url" text NOT NULL,
	"username" text NOT NULL,
	"password_sealed" text NOT NULL,
	"verify_tls" boolean DEFAULT true NOT NULL,
	"identity" text,
	"version" text,
	"last_tested_at" timestamp with time zone,
	"last_test_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "plans" ADD COLUMN "router_profile" text;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD COLUMN "router_id" uuid;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD COLUMN "service_password_sealed" text;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD COLUMN "service_password_shown_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD COLUMN "provisioning_state" "provisioning_state";--> statement-breakpoint
ALTER TABLE "subscriptions" ADD COLUMN "provisioning_error" text;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD COLUMN "provisioning_attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD COLUMN "provisioning_generation" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD COLUMN "provisioned_at" timestamp with time zone;--> statement-breakpoint
CREATE UNIQUE INDEX "routers_name_key" ON "routers" USING btree ("name");--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_router_id_routers_id_fk" FOREIGN KEY ("router_id") REFERENCES "public"."routers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "subscriptions_router_idx" ON "subscriptions" USING btree ("router_id");