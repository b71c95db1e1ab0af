-- Policy packs in the database. Catalog packs ship with the app and are synced here
-- at migration time (scripts/lib/catalog.ts); a tenant's own packs live beside them.
-- Pack versions are immutable: the app role may insert a version, never change one.

-- The catalog: platform rows, the same for every tenant, read-only for the app.
CREATE TABLE "catalog_pack_versions" (
    "name" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "description" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "catalog_pack_versions_pkey" PRIMARY KEY ("name", "version")
);
GRANT SELECT ON catalog_pack_versions TO agent_fabric_app;

-- A tenant's own packs (soft-deleted, restorable) and their versions.
CREATE TABLE "policy_packs" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),
    "deleted_by" TEXT,

    CONSTRAINT "policy_packs_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "policy_packs_active_name_key" ON "policy_packs"("tenant_id", "name") WHERE "deleted_at" IS NULL;
ALTER TABLE policy_packs ADD CONSTRAINT policy_packs_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;

CREATE TABLE "policy_pack_versions" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "pack_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "text" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "policy_pack_versions_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "policy_pack_versions_pack_id_version_key" ON "policy_pack_versions"("pack_id", "version");
ALTER TABLE policy_pack_versions ADD CONSTRAINT policy_pack_versions_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;
ALTER TABLE policy_pack_versions ADD CONSTRAINT policy_pack_versions_pack_fkey FOREIGN KEY (pack_id) REFERENCES policy_packs(id) ON DELETE CASCADE;

SELECT enable_tenant_rls('policy_packs');
SELECT enable_tenant_rls('policy_pack_versions');
-- DELETE only for the trash purge of packs deleted long ago.
GRANT SELECT, INSERT, UPDATE, DELETE ON policy_packs TO agent_fabric_app;
GRANT SELECT, INSERT, DELETE ON policy_pack_versions TO agent_fabric_app;
