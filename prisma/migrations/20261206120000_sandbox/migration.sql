-- Workspace snapshots (self_hosted): a row per tar taken before a destructive shell
-- command ran. The file is under the data folder; the row is what the Trash lists.
CREATE TABLE "workspace_snapshots" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "run_id" UUID,
    "command" TEXT NOT NULL,
    "kinds" TEXT[],
    "bytes" BIGINT NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "restored_at" TIMESTAMPTZ(3),
    "restored_by" TEXT,

    CONSTRAINT "workspace_snapshots_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "workspace_snapshots_tenant_id_created_at_idx" ON "workspace_snapshots"("tenant_id", "created_at");
ALTER TABLE workspace_snapshots ADD CONSTRAINT workspace_snapshots_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;

SELECT enable_tenant_rls('workspace_snapshots');
-- Rows are written once, marked restored once, and removed by the purge.
GRANT SELECT, INSERT, UPDATE, DELETE ON workspace_snapshots TO agent_fabric_app;
