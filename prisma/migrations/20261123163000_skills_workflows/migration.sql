-- Skills (versioned markdown the agent reads) and workflows (validated definitions
-- of allowlisted nodes). Both are soft-deleted and versioned: every change, delete
-- and restore writes a version; the history is append-only for the app.
CREATE TABLE "skills" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "body" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "deleted_at" TIMESTAMPTZ(3),
    "deleted_by" TEXT,
    "updated_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "skills_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "skills_tenant_id_name_idx" ON "skills"("tenant_id", "name");
-- One live skill per name; deleted ones may share it (the Trash keeps them).
CREATE UNIQUE INDEX "skills_active_name_key" ON "skills"("tenant_id", "name") WHERE "deleted_at" IS NULL;
CREATE INDEX "skills_tenant_id_deleted_at_idx" ON "skills"("tenant_id", "deleted_at") WHERE "deleted_at" IS NOT NULL;
ALTER TABLE skills ADD CONSTRAINT skills_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;

CREATE TABLE "skill_versions" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "skill_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "is_deleted" BOOLEAN NOT NULL DEFAULT false,
    "actor" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "skill_versions_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "skill_versions_skill_id_version_key" ON "skill_versions"("skill_id", "version");
CREATE INDEX "skill_versions_tenant_id_skill_id_idx" ON "skill_versions"("tenant_id", "skill_id");
ALTER TABLE skill_versions ADD CONSTRAINT skill_versions_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;
ALTER TABLE skill_versions ADD CONSTRAINT skill_versions_skill_fkey FOREIGN KEY (skill_id) REFERENCES skills(id) ON DELETE CASCADE;

CREATE TABLE "workflows" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "definition" JSONB NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "deleted_at" TIMESTAMPTZ(3),
    "deleted_by" TEXT,
    "updated_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "workflows_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "workflows_tenant_id_name_idx" ON "workflows"("tenant_id", "name");
CREATE UNIQUE INDEX "workflows_active_name_key" ON "workflows"("tenant_id", "name") WHERE "deleted_at" IS NULL;
CREATE INDEX "workflows_tenant_id_deleted_at_idx" ON "workflows"("tenant_id", "deleted_at") WHERE "deleted_at" IS NOT NULL;
ALTER TABLE workflows ADD CONSTRAINT workflows_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;

CREATE TABLE "workflow_versions" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "workflow_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "definition" JSONB NOT NULL,
    "is_deleted" BOOLEAN NOT NULL DEFAULT false,
    "actor" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "workflow_versions_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "workflow_versions_workflow_id_version_key" ON "workflow_versions"("workflow_id", "version");
CREATE INDEX "workflow_versions_tenant_id_workflow_id_idx" ON "workflow_versions"("tenant_id", "workflow_id");
ALTER TABLE workflow_versions ADD CONSTRAINT workflow_versions_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;
ALTER TABLE workflow_versions ADD CONSTRAINT workflow_versions_workflow_fkey FOREIGN KEY (workflow_id) REFERENCES workflows(id) ON DELETE CASCADE;

SELECT enable_tenant_rls('skills');
SELECT enable_tenant_rls('skill_versions');
SELECT enable_tenant_rls('workflows');
SELECT enable_tenant_rls('workflow_versions');

-- DELETE only for the Trash purge; versions go with their item through the foreign
-- key's ON DELETE CASCADE (referential actions run as the table owner), so the
-- history stays append-only for the app. Defence in depth: the app role may only
-- ever delete an item that is already in the Trash.
GRANT SELECT, INSERT, UPDATE, DELETE ON skills, workflows TO agent_fabric_app;
GRANT SELECT, INSERT ON skill_versions, workflow_versions TO agent_fabric_app;
CREATE POLICY delete_only_trashed ON skills AS RESTRICTIVE FOR DELETE USING (deleted_at IS NOT NULL);
CREATE POLICY delete_only_trashed ON workflows AS RESTRICTIVE FOR DELETE USING (deleted_at IS NOT NULL);
