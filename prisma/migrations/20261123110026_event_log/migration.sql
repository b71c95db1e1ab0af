-- CreateEnum
CREATE TYPE "AnchoringMode" AS ENUM ('off', 'builtin');

-- CreateEnum
CREATE TYPE "RunStatus" AS ENUM ('running', 'waiting_approval', 'completed', 'failed');

-- CreateEnum
CREATE TYPE "SigningKeyStatus" AS ENUM ('active', 'retired');

-- CreateTable
CREATE TABLE "event_chains" (
    "tenant_id" UUID NOT NULL,
    "last_seq" BIGINT NOT NULL DEFAULT 0,
    "last_hash" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "event_chains_pkey" PRIMARY KEY ("tenant_id")
);

-- CreateTable
CREATE TABLE "events" (
    "tenant_id" UUID NOT NULL,
    "seq" BIGINT NOT NULL,
    "run_id" UUID,
    "type" TEXT NOT NULL,
    "event_class" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "prev_hash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "events_pkey" PRIMARY KEY ("tenant_id","seq")
);

-- CreateTable
CREATE TABLE "event_summaries" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "first_seq" BIGINT NOT NULL,
    "last_seq" BIGINT NOT NULL,
    "count" INTEGER NOT NULL,
    "first_prev_hash" TEXT NOT NULL,
    "last_hash" TEXT NOT NULL,
    "classes" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "event_summaries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "runs" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "status" "RunStatus" NOT NULL DEFAULT 'running',
    "principal" TEXT NOT NULL,
    "tools" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "is_tainted" BOOLEAN NOT NULL DEFAULT false,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ended_at" TIMESTAMPTZ(3),

    CONSTRAINT "runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tenant_keys" (
    "tenant_id" UUID NOT NULL,
    "wrapped" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "rotated_at" TIMESTAMPTZ(3),

    CONSTRAINT "tenant_keys_pkey" PRIMARY KEY ("tenant_id")
);

-- CreateTable
CREATE TABLE "signing_keys" (
    "id" TEXT NOT NULL,
    "tenant_id" UUID NOT NULL,
    "public_key" TEXT NOT NULL,
    "private_key_sealed" JSONB,
    "status" "SigningKeyStatus" NOT NULL DEFAULT 'active',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retired_at" TIMESTAMPTZ(3),

    CONSTRAINT "signing_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "checkpoints" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "seq" BIGINT NOT NULL,
    "hash" TEXT NOT NULL,
    "key_id" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "log_index" BIGINT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "checkpoints_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "event_log_settings" (
    "tenant_id" UUID NOT NULL,
    "checkpoint_every" INTEGER NOT NULL DEFAULT 100,
    "checkpoint_minutes" INTEGER NOT NULL DEFAULT 10,
    "anchoring" "AnchoringMode" NOT NULL DEFAULT 'builtin',
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "event_log_settings_pkey" PRIMARY KEY ("tenant_id")
);

-- CreateTable
CREATE TABLE "retention_policies" (
    "tenant_id" UUID NOT NULL,
    "event_class" TEXT NOT NULL,
    "days" INTEGER NOT NULL,

    CONSTRAINT "retention_policies_pkey" PRIMARY KEY ("tenant_id","event_class")
);

-- CreateTable
CREATE TABLE "transparency_log_entries" (
    "index" BIGINT NOT NULL,
    "leaf_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "transparency_log_entries_pkey" PRIMARY KEY ("index")
);

-- CreateIndex
CREATE INDEX "events_tenant_id_run_id_seq_idx" ON "events"("tenant_id", "run_id", "seq");

-- CreateIndex
CREATE INDEX "events_tenant_id_event_class_created_at_idx" ON "events"("tenant_id", "event_class", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "event_summaries_tenant_id_first_seq_key" ON "event_summaries"("tenant_id", "first_seq");

-- CreateIndex
CREATE INDEX "runs_tenant_id_started_at_idx" ON "runs"("tenant_id", "started_at" DESC);

-- CreateIndex
CREATE INDEX "signing_keys_tenant_id_status_idx" ON "signing_keys"("tenant_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "checkpoints_tenant_id_seq_key" ON "checkpoints"("tenant_id", "seq");

-- ---------------------------------------------------------------------------
-- Hand-written: tenant foreign keys, RLS, privileges, retention pruning.
-- ---------------------------------------------------------------------------

ALTER TABLE event_chains ADD CONSTRAINT event_chains_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;
ALTER TABLE events ADD CONSTRAINT events_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;
ALTER TABLE event_summaries ADD CONSTRAINT event_summaries_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;
ALTER TABLE runs ADD CONSTRAINT runs_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;
ALTER TABLE tenant_keys ADD CONSTRAINT tenant_keys_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;
ALTER TABLE signing_keys ADD CONSTRAINT signing_keys_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;
ALTER TABLE checkpoints ADD CONSTRAINT checkpoints_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;
ALTER TABLE event_log_settings ADD CONSTRAINT event_log_settings_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;
ALTER TABLE retention_policies ADD CONSTRAINT retention_policies_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;
ALTER TABLE retention_policies ADD CONSTRAINT retention_policies_days_check CHECK (days >= 1);
ALTER TABLE event_log_settings ADD CONSTRAINT event_log_settings_bounds_check CHECK (checkpoint_every >= 1 AND checkpoint_minutes >= 1);

SELECT enable_tenant_rls('event_chains');
SELECT enable_tenant_rls('events');
SELECT enable_tenant_rls('event_summaries');
SELECT enable_tenant_rls('runs');
SELECT enable_tenant_rls('tenant_keys');
SELECT enable_tenant_rls('signing_keys');
SELECT enable_tenant_rls('checkpoints');
SELECT enable_tenant_rls('event_log_settings');
SELECT enable_tenant_rls('retention_policies');

-- Events and their summaries are append-only for the app: no UPDATE, no DELETE.
-- Only prune_expired_events() below removes events, under the tenant's retention.
GRANT SELECT, INSERT ON events, event_summaries, checkpoints TO agent_fabric_app;
GRANT SELECT, INSERT, UPDATE ON event_chains, runs, tenant_keys, signing_keys, event_log_settings TO agent_fabric_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON retention_policies TO agent_fabric_app;
-- The transparency log is a platform table of leaf hashes: append and read only.
GRANT SELECT, INSERT ON transparency_log_entries TO agent_fabric_app;

-- Retention in days for a class: the tenant's setting, else the default
-- (decisions and approvals 7 years, tool results 90 days, everything else 1 year).
CREATE FUNCTION retention_days(p_tenant uuid, p_class text) RETURNS integer
  LANGUAGE sql STABLE
  AS $$
    SELECT COALESCE(
      (SELECT days FROM retention_policies WHERE tenant_id = p_tenant AND event_class = p_class),
      CASE p_class WHEN 'policy_decision' THEN 2557 WHEN 'approval' THEN 2557 WHEN 'tool_result' THEN 90 ELSE 365 END
    )
  $$;

-- Removes the tenant's expired events. Each maximal run of consecutive expired
-- events becomes one event_summaries row holding the hash before the run and
-- the last hash in it, so the remaining chain still verifies. SECURITY DEFINER:
-- the app role cannot DELETE events itself; it can only ask for this, and the
-- cutoffs come from the tenant's retention settings, not from the caller.
CREATE FUNCTION prune_expired_events(p_tenant uuid, p_now timestamptz DEFAULT now())
  RETURNS TABLE (first_seq bigint, last_seq bigint, removed integer, last_hash text)
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
DECLARE
  r record;
BEGIN
  IF p_now > now() THEN
    RAISE EXCEPTION 'retention cannot be applied as of a future time';
  END IF;
  -- Only within the caller's own tenant context: the function must not become
  -- a way to act on (or switch the session to) another tenant.
  IF current_tenant_id() IS DISTINCT FROM p_tenant THEN
    RAISE EXCEPTION 'prune_expired_events must run in the tenant''s own context' USING ERRCODE = '42501';
  END IF;
  -- Appends of this tenant wait while its chain is pruned.
  PERFORM 1 FROM event_chains WHERE tenant_id = p_tenant FOR UPDATE;
  FOR r IN
    WITH expired AS (
      SELECT e.seq, e.prev_hash, e.hash, e.event_class
        FROM events e
       WHERE e.tenant_id = p_tenant
         AND e.created_at < p_now - make_interval(days => retention_days(p_tenant, e.event_class))
         -- The newest event is the chain head: it stays, so appends keep linking to it.
         AND e.seq < (SELECT c.last_seq FROM event_chains c WHERE c.tenant_id = p_tenant)
    ),
    grouped AS (
      SELECT x.*, x.seq - row_number() OVER (ORDER BY x.seq) AS grp FROM expired x
    )
    SELECT min(g.seq) AS first_seq, max(g.seq) AS last_seq, count(*)::int AS n,
           (array_agg(g.prev_hash ORDER BY g.seq))[1] AS first_prev_hash,
           (array_agg(g.hash ORDER BY g.seq DESC))[1] AS last_hash,
           (SELECT jsonb_object_agg(c.event_class, c.n) FROM (
              SELECT g2.event_class, count(*) AS n FROM grouped g2 WHERE g2.grp = g.grp GROUP BY g2.event_class
            ) c) AS classes
      FROM grouped g
     GROUP BY g.grp
     ORDER BY min(g.seq)
  LOOP
    INSERT INTO event_summaries (tenant_id, first_seq, last_seq, count, first_prev_hash, last_hash, classes)
    VALUES (p_tenant, r.first_seq, r.last_seq, r.n, r.first_prev_hash, r.last_hash, r.classes);
    DELETE FROM events e WHERE e.tenant_id = p_tenant AND e.seq BETWEEN r.first_seq AND r.last_seq;
    first_seq := r.first_seq;
    last_seq := r.last_seq;
    removed := r.n;
    last_hash := r.last_hash;
    RETURN NEXT;
  END LOOP;
END
$$;
REVOKE ALL ON FUNCTION prune_expired_events(uuid, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION prune_expired_events(uuid, timestamptz) TO agent_fabric_app;
