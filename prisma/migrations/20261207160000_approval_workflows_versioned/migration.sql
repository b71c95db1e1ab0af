-- A tenant's approval workflow takes the shape every versioned kind has
-- (server/recovery/versioned.ts): one row per tenant with the current version and
-- definition, and the history lines in approval_workflow_versions (column names as
-- the other kinds': actor, is_deleted). The workflow is never deleted (a tenant
-- without one routes by the built-in default); deleted_at exists for the shared shape.
CREATE TABLE "approval_workflows" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "name" TEXT NOT NULL DEFAULT 'Approval workflow',
    "definition" JSONB NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "deleted_at" TIMESTAMPTZ(3),
    "updated_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "approval_workflows_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "approval_workflows_never_deleted" CHECK ("deleted_at" IS NULL)
);
CREATE UNIQUE INDEX "approval_workflows_tenant_id_key" ON "approval_workflows"("tenant_id");
ALTER TABLE approval_workflows ADD CONSTRAINT approval_workflows_tenant_id_id_key UNIQUE (tenant_id, id);
ALTER TABLE approval_workflows ADD CONSTRAINT approval_workflows_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;
SELECT enable_tenant_rls('approval_workflows');
-- DELETE only as the shared purge runs it: for rows in the Trash, which a workflow never is.
GRANT SELECT, INSERT, UPDATE, DELETE ON approval_workflows TO agent_fabric_app;
CREATE POLICY delete_only_trashed ON approval_workflows AS RESTRICTIVE FOR DELETE USING (deleted_at IS NOT NULL);

ALTER TABLE approval_workflow_versions RENAME COLUMN "created_by" TO "actor";
ALTER TABLE approval_workflow_versions ADD COLUMN "is_deleted" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE approval_workflow_versions ADD COLUMN "workflow_id" UUID;

-- The backfill reads and writes every tenant's rows: Row Level Security is forced on
-- these tables for their owner too, so it is lifted for this transaction only.
ALTER TABLE approval_workflows NO FORCE ROW LEVEL SECURITY;
ALTER TABLE approval_workflow_versions NO FORCE ROW LEVEL SECURITY;
INSERT INTO approval_workflows (tenant_id, definition, version, updated_by, updated_at)
SELECT DISTINCT ON (tenant_id) tenant_id, definition, version, actor, created_at
  FROM approval_workflow_versions ORDER BY tenant_id, version DESC;
UPDATE approval_workflow_versions v SET workflow_id = w.id FROM approval_workflows w WHERE w.tenant_id = v.tenant_id;
ALTER TABLE approval_workflows FORCE ROW LEVEL SECURITY;
ALTER TABLE approval_workflow_versions FORCE ROW LEVEL SECURITY;

ALTER TABLE approval_workflow_versions ALTER COLUMN "workflow_id" SET NOT NULL;
ALTER TABLE approval_workflow_versions ADD CONSTRAINT approval_workflow_versions_workflow_fkey
  FOREIGN KEY (tenant_id, workflow_id) REFERENCES approval_workflows(tenant_id, id) ON DELETE CASCADE;
CREATE INDEX "approval_workflow_versions_tenant_id_workflow_id_idx" ON "approval_workflow_versions"("tenant_id", "workflow_id");
