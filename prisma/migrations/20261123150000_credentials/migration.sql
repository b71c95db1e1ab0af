-- Per-tenant credentials for external services, and the sandbox outbox.
CREATE TABLE "credentials" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "provider" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "config" JSONB NOT NULL DEFAULT '{}',
    "sealed" JSONB,
    "last4" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "rotated_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "credentials_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "credentials_sealed_until_removed" CHECK (("deleted_at" IS NULL) = ("sealed" IS NOT NULL))
);
CREATE INDEX "credentials_tenant_id_provider_idx" ON "credentials"("tenant_id", "provider");
CREATE UNIQUE INDEX "credentials_active_label_key" ON "credentials"("tenant_id", "provider", "label") WHERE "deleted_at" IS NULL;
ALTER TABLE credentials ADD CONSTRAINT credentials_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;

CREATE TABLE "outbox_messages" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "run_id" UUID,
    "tool" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "outbox_messages_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "outbox_messages_tenant_id_created_at_idx" ON "outbox_messages"("tenant_id", "created_at" DESC);
ALTER TABLE outbox_messages ADD CONSTRAINT outbox_messages_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;
ALTER TABLE outbox_messages ADD CONSTRAINT outbox_messages_run_fkey FOREIGN KEY (run_id) REFERENCES runs(id) ON DELETE SET NULL;

SELECT enable_tenant_rls('credentials');
SELECT enable_tenant_rls('outbox_messages');
-- Credentials are never hard-deleted by the app: removal destroys the sealed secret.
GRANT SELECT, INSERT, UPDATE ON credentials TO agent_fabric_app;
GRANT SELECT, INSERT ON outbox_messages TO agent_fabric_app;
