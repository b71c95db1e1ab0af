-- Per-tenant schedules: cron schedules (created by agents or members) and heartbeat
-- tasks (set up by admins). Each fire starts an agent turn through the gate.
-- Both are soft-deleted and versioned (recovery); schedule_runs records every fire,
-- claims it exactly once (unique schedule and fire time) and is counted for the
-- tenant's daily cap.
CREATE TABLE "cron_schedules" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "label" TEXT NOT NULL,
    "expression" TEXT NOT NULL,
    "timezone" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "is_tainted" BOOLEAN NOT NULL DEFAULT false,
    "created_by" TEXT NOT NULL,
    "updated_by" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "next_run_at" TIMESTAMPTZ(3),
    "last_run_at" TIMESTAMPTZ(3),
    "deleted_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "cron_schedules_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "cron_schedules_tenant_id_next_run_at_idx" ON "cron_schedules"("tenant_id", "next_run_at") WHERE "deleted_at" IS NULL;
CREATE UNIQUE INDEX "cron_schedules_active_label_key" ON "cron_schedules"("tenant_id", "label") WHERE "deleted_at" IS NULL;
ALTER TABLE cron_schedules ADD CONSTRAINT cron_schedules_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;

CREATE TABLE "cron_schedule_versions" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "schedule_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "label" TEXT NOT NULL,
    "expression" TEXT NOT NULL,
    "timezone" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "is_deleted" BOOLEAN NOT NULL DEFAULT false,
    "actor" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "cron_schedule_versions_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "cron_schedule_versions_schedule_id_version_key" ON "cron_schedule_versions"("schedule_id", "version");
CREATE INDEX "cron_schedule_versions_tenant_id_schedule_id_idx" ON "cron_schedule_versions"("tenant_id", "schedule_id");
ALTER TABLE cron_schedule_versions ADD CONSTRAINT cron_schedule_versions_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;
ALTER TABLE cron_schedule_versions ADD CONSTRAINT cron_schedule_versions_schedule_fkey FOREIGN KEY (schedule_id) REFERENCES cron_schedules(id) ON DELETE CASCADE;

CREATE TABLE "heartbeat_tasks" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "label" TEXT NOT NULL,
    "interval_minutes" INTEGER,
    "expression" TEXT,
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "message" TEXT NOT NULL,
    "is_enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_by" TEXT NOT NULL,
    "updated_by" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "next_run_at" TIMESTAMPTZ(3),
    "last_run_at" TIMESTAMPTZ(3),
    "deleted_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "heartbeat_tasks_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "heartbeat_tasks_one_cadence" CHECK (("interval_minutes" IS NULL) <> ("expression" IS NULL)),
    CONSTRAINT "heartbeat_tasks_interval_positive" CHECK ("interval_minutes" IS NULL OR "interval_minutes" > 0)
);
CREATE INDEX "heartbeat_tasks_tenant_id_next_run_at_idx" ON "heartbeat_tasks"("tenant_id", "next_run_at") WHERE "deleted_at" IS NULL;
CREATE UNIQUE INDEX "heartbeat_tasks_active_label_key" ON "heartbeat_tasks"("tenant_id", "label") WHERE "deleted_at" IS NULL;
ALTER TABLE heartbeat_tasks ADD CONSTRAINT heartbeat_tasks_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;

CREATE TABLE "heartbeat_task_versions" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "task_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "label" TEXT NOT NULL,
    "interval_minutes" INTEGER,
    "expression" TEXT,
    "timezone" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "is_enabled" BOOLEAN NOT NULL,
    "is_deleted" BOOLEAN NOT NULL DEFAULT false,
    "actor" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "heartbeat_task_versions_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "heartbeat_task_versions_task_id_version_key" ON "heartbeat_task_versions"("task_id", "version");
CREATE INDEX "heartbeat_task_versions_tenant_id_task_id_idx" ON "heartbeat_task_versions"("tenant_id", "task_id");
ALTER TABLE heartbeat_task_versions ADD CONSTRAINT heartbeat_task_versions_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;
ALTER TABLE heartbeat_task_versions ADD CONSTRAINT heartbeat_task_versions_task_fkey FOREIGN KEY (task_id) REFERENCES heartbeat_tasks(id) ON DELETE CASCADE;

-- One row per fire of a cron schedule or heartbeat task ("kind" says which).
CREATE TABLE "schedule_runs" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "schedule_id" UUID NOT NULL,
    "label" TEXT NOT NULL,
    "fire_at" TIMESTAMPTZ(3) NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "status" TEXT NOT NULL,
    "run_id" UUID,
    "reason" TEXT,

    CONSTRAINT "schedule_runs_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "schedule_runs_kind" CHECK ("kind" IN ('cron', 'heartbeat')),
    CONSTRAINT "schedule_runs_status" CHECK ("status" IN ('started', 'completed', 'waiting_approval', 'failed', 'refused'))
);
CREATE UNIQUE INDEX "schedule_runs_schedule_id_fire_at_key" ON "schedule_runs"("schedule_id", "fire_at");
CREATE INDEX "schedule_runs_tenant_id_started_at_idx" ON "schedule_runs"("tenant_id", "started_at" DESC);
ALTER TABLE schedule_runs ADD CONSTRAINT schedule_runs_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;
ALTER TABLE schedule_runs ADD CONSTRAINT schedule_runs_run_fkey FOREIGN KEY (run_id) REFERENCES runs(id) ON DELETE SET NULL;

SELECT enable_tenant_rls('cron_schedules');
SELECT enable_tenant_rls('cron_schedule_versions');
SELECT enable_tenant_rls('heartbeat_tasks');
SELECT enable_tenant_rls('heartbeat_task_versions');
SELECT enable_tenant_rls('schedule_runs');
-- DELETE only for the recovery purge. Versions go with their item through the
-- foreign key's cascade (referential actions run as the table owner, so the
-- version tables stay append-only for the app); a purged item's fire history is
-- deleted after it. Defence in depth: the app may delete only items already in the
-- Trash, and only fire history whose item is gone (so no code path can lower the
-- daily count of a live schedule).
GRANT SELECT, INSERT, UPDATE, DELETE ON cron_schedules, heartbeat_tasks TO agent_fabric_app;
GRANT SELECT, INSERT ON cron_schedule_versions, heartbeat_task_versions TO agent_fabric_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON schedule_runs TO agent_fabric_app;
CREATE POLICY delete_only_trashed ON cron_schedules AS RESTRICTIVE FOR DELETE USING (deleted_at IS NOT NULL);
CREATE POLICY delete_only_trashed ON heartbeat_tasks AS RESTRICTIVE FOR DELETE USING (deleted_at IS NOT NULL);
CREATE POLICY delete_only_orphaned ON schedule_runs AS RESTRICTIVE FOR DELETE USING (
  NOT EXISTS (SELECT 1 FROM cron_schedules c WHERE c.id = schedule_runs.schedule_id)
  AND NOT EXISTS (SELECT 1 FROM heartbeat_tasks h WHERE h.id = schedule_runs.schedule_id)
);
-- The Trash lists deleted items, newest first; the purge finds the old ones.
CREATE INDEX "cron_schedules_tenant_id_deleted_at_idx" ON "cron_schedules"("tenant_id", "deleted_at") WHERE "deleted_at" IS NOT NULL;
CREATE INDEX "heartbeat_tasks_tenant_id_deleted_at_idx" ON "heartbeat_tasks"("tenant_id", "deleted_at") WHERE "deleted_at" IS NOT NULL;
