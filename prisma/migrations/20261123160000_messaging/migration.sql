-- Inbound messages from outside channels (WhatsApp webhooks), deduplicated by the
-- provider's message id: Meta retries deliveries, each message starts one run.
-- The job queue carries only the row's id, so the text stays behind RLS.
CREATE TABLE "inbound_messages" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "provider" TEXT NOT NULL,
    "external_id" TEXT NOT NULL,
    "sender" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'received',
    "job_id" TEXT,
    "run_id" UUID,
    "error" TEXT,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processed_at" TIMESTAMPTZ(3),

    CONSTRAINT "inbound_messages_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "inbound_messages_status_check" CHECK ("status" IN ('received', 'queued', 'processing', 'processed', 'failed'))
);
CREATE UNIQUE INDEX "inbound_messages_tenant_id_provider_external_id_key" ON "inbound_messages"("tenant_id", "provider", "external_id");
CREATE INDEX "inbound_messages_tenant_id_received_at_idx" ON "inbound_messages"("tenant_id", "received_at" DESC);
ALTER TABLE inbound_messages ADD CONSTRAINT inbound_messages_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;
ALTER TABLE inbound_messages ADD CONSTRAINT inbound_messages_run_fkey FOREIGN KEY (run_id) REFERENCES runs(id) ON DELETE SET NULL;

SELECT enable_tenant_rls('inbound_messages');
-- Rows move through their statuses; they are never deleted by the app (the tenant's deletion cascades).
GRANT SELECT, INSERT, UPDATE ON inbound_messages TO agent_fabric_app;
