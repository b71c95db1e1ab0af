-- Refused webhook deliveries, counted per tenant, source and five-minute window.
-- Anyone can POST to a tenant's webhook URL: one audit row per refusal would let
-- an anonymous caller fill the audit log. The count is kept here, and one audit
-- row per closed window carries it (server/connectors/webhook-refusals.ts).
CREATE TABLE "webhook_refusals" (
    "tenant_id" UUID NOT NULL,
    "source" TEXT NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 1,
    "reasons" JSONB NOT NULL DEFAULT '{}',
    "last_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "audited_at" TIMESTAMPTZ(3),
    CONSTRAINT "webhook_refusals_pkey" PRIMARY KEY ("tenant_id", "source", "window_start")
);
CREATE INDEX "webhook_refusals_unaudited_idx" ON "webhook_refusals"("tenant_id", "window_start") WHERE "audited_at" IS NULL;
ALTER TABLE "webhook_refusals" ADD CONSTRAINT "webhook_refusals_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

SELECT enable_tenant_rls('webhook_refusals');
GRANT SELECT, INSERT, UPDATE, DELETE ON webhook_refusals TO agent_fabric_app;
