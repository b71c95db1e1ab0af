-- Recovery: the per-tenant Trash retention, and the one hard delete of memory
-- (the purge of what has been in the Trash longer than that).
CREATE TABLE "tenant_recovery_settings" (
    "tenant_id" UUID NOT NULL,
    "purge_after_days" INTEGER NOT NULL DEFAULT 30,
    "updated_by" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tenant_recovery_settings_pkey" PRIMARY KEY ("tenant_id"),
    CONSTRAINT "tenant_recovery_settings_days_range" CHECK ("purge_after_days" BETWEEN 1 AND 3650)
);
ALTER TABLE tenant_recovery_settings ADD CONSTRAINT tenant_recovery_settings_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;

SELECT enable_tenant_rls('tenant_recovery_settings');
GRANT SELECT, INSERT, UPDATE ON tenant_recovery_settings TO agent_fabric_app;

-- The Trash lists a tenant's deleted entries, newest first; the purge finds the old ones.
CREATE INDEX "memory_entries_tenant_id_deleted_at_idx" ON "memory_entries"("tenant_id", "deleted_at") WHERE "deleted_at" IS NOT NULL;

-- The purge hard-deletes memory entries; their versions go with them through the
-- foreign key's ON DELETE CASCADE (referential actions run as the table owner, so
-- memory_versions stays append-only for the app). Defence in depth: the app role
-- may only ever delete an entry that is already in the Trash.
GRANT DELETE ON memory_entries TO agent_fabric_app;
CREATE POLICY delete_only_trashed ON memory_entries AS RESTRICTIVE FOR DELETE USING (deleted_at IS NOT NULL);
