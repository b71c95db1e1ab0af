
-- CreateEnum
CREATE TYPE "ApprovalStatus" AS ENUM ('pending', 'approved', 'denied', 'expired', 'cancelled');

-- CreateTable
CREATE TABLE "policy_compositions" (
    "tenant_id" UUID NOT NULL,
    "packs" JSONB NOT NULL,
    "disabled_policies" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "tenant_policies" TEXT NOT NULL DEFAULT '',
    "version" INTEGER NOT NULL DEFAULT 1,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "policy_compositions_pkey" PRIMARY KEY ("tenant_id")
);

-- CreateTable
CREATE TABLE "tenant_tool_settings" (
    "tenant_id" UUID NOT NULL,
    "tool" TEXT NOT NULL,
    "is_enabled" BOOLEAN NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tenant_tool_settings_pkey" PRIMARY KEY ("tenant_id","tool")
);

-- CreateTable
CREATE TABLE "approval_requests" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "run_id" UUID NOT NULL,
    "tool" TEXT NOT NULL,
    "args" JSONB NOT NULL,
    "digest" TEXT NOT NULL,
    "status" "ApprovalStatus" NOT NULL DEFAULT 'pending',
    "decision" JSONB NOT NULL,
    "requested_by" TEXT NOT NULL,
    "decided_by" TEXT,
    "comment" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decided_at" TIMESTAMPTZ(3),

    CONSTRAINT "approval_requests_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "memory_entries" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "deleted_at" TIMESTAMPTZ(3),
    "updated_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "memory_entries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "memory_versions" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "entry_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "is_deleted" BOOLEAN NOT NULL DEFAULT false,
    "actor" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "memory_versions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "approval_requests_tenant_id_status_created_at_idx" ON "approval_requests"("tenant_id", "status", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "memory_entries_tenant_id_key_key" ON "memory_entries"("tenant_id", "key");

-- CreateIndex
CREATE INDEX "memory_versions_tenant_id_entry_id_idx" ON "memory_versions"("tenant_id", "entry_id");

-- CreateIndex
CREATE UNIQUE INDEX "memory_versions_entry_id_version_key" ON "memory_versions"("entry_id", "version");


-- ---------------------------------------------------------------------------
-- Hand-written: tenant foreign keys, RLS, privileges.
-- ---------------------------------------------------------------------------
ALTER TABLE policy_compositions ADD CONSTRAINT policy_compositions_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;
ALTER TABLE tenant_tool_settings ADD CONSTRAINT tenant_tool_settings_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;
ALTER TABLE approval_requests ADD CONSTRAINT approval_requests_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;
ALTER TABLE approval_requests ADD CONSTRAINT approval_requests_run_fkey FOREIGN KEY (run_id) REFERENCES runs(id) ON DELETE CASCADE;
ALTER TABLE memory_entries ADD CONSTRAINT memory_entries_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;
ALTER TABLE memory_versions ADD CONSTRAINT memory_versions_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;
ALTER TABLE memory_versions ADD CONSTRAINT memory_versions_entry_fkey FOREIGN KEY (entry_id) REFERENCES memory_entries(id) ON DELETE CASCADE;

SELECT enable_tenant_rls('policy_compositions');
SELECT enable_tenant_rls('tenant_tool_settings');
SELECT enable_tenant_rls('approval_requests');
SELECT enable_tenant_rls('memory_entries');
SELECT enable_tenant_rls('memory_versions');

GRANT SELECT, INSERT, UPDATE ON policy_compositions, tenant_tool_settings, approval_requests, memory_entries TO agent_fabric_app;
-- Memory history is append-only: restoring writes a new version.
GRANT SELECT, INSERT ON memory_versions TO agent_fabric_app;
