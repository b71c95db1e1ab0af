-- A per-tenant composition generation: the gate's processes keep each tenant's compiled
-- composition and reuse it only while this number is unchanged (server/gate/call-state.ts).
-- Triggers bump it in the transaction of every insert, update and delete of what the
-- compiled set is made of (the composition row with its overrides, the tenant's packs
-- and their versions), so every write path bumps it, those not yet written included,
-- and an edit is in force for the very next call in every process. A rolled-back edit
-- rolls its bump back with it.
CREATE TABLE "policy_generations" (
    "tenant_id" UUID NOT NULL,
    "generation" BIGINT NOT NULL DEFAULT 1,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "policy_generations_pkey" PRIMARY KEY ("tenant_id")
);
ALTER TABLE "policy_generations" ADD CONSTRAINT "policy_generations_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;
SELECT enable_tenant_rls('policy_generations');
-- The app reads it; only the trigger (as the owner) writes it, so no write path of the
-- app can set it back or forget it.
GRANT SELECT ON policy_generations TO agent_fabric_app;
-- The trigger writes as the owner (SECURITY DEFINER); FORCE binds the owner too.
DO $$ BEGIN
  EXECUTE format('CREATE POLICY owner_all ON policy_generations TO %I USING (true) WITH CHECK (true)', current_user);
END $$;

CREATE FUNCTION bump_policy_generation() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
DECLARE
  v_tenant uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.tenant_id ELSE NEW.tenant_id END;
BEGIN
  -- The tenant's own delete cascades here: its row is gone (and its generation with it),
  -- so there is nothing to bump.
  INSERT INTO policy_generations (tenant_id)
    SELECT t.id FROM tenants t WHERE t.id = v_tenant
  ON CONFLICT (tenant_id) DO UPDATE SET generation = policy_generations.generation + 1, updated_at = now();
  -- A row moved to another tenant (refused by RLS for the app; the owner could) changes both.
  IF TG_OP = 'UPDATE' AND OLD.tenant_id IS DISTINCT FROM NEW.tenant_id THEN
    INSERT INTO policy_generations (tenant_id)
      SELECT t.id FROM tenants t WHERE t.id = OLD.tenant_id
    ON CONFLICT (tenant_id) DO UPDATE SET generation = policy_generations.generation + 1, updated_at = now();
  END IF;
  RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION bump_policy_generation() FROM PUBLIC;
CREATE TRIGGER bump_policy_generation AFTER INSERT OR UPDATE OR DELETE ON "policy_compositions" FOR EACH ROW EXECUTE FUNCTION bump_policy_generation();
CREATE TRIGGER bump_policy_generation AFTER INSERT OR UPDATE OR DELETE ON "policy_packs" FOR EACH ROW EXECUTE FUNCTION bump_policy_generation();
CREATE TRIGGER bump_policy_generation AFTER INSERT OR UPDATE OR DELETE ON "policy_pack_versions" FOR EACH ROW EXECUTE FUNCTION bump_policy_generation();

-- No row reads as generation 0: a tenant never edited since this migration. Processes
-- start with an empty cache, so no backfill is needed.

-- The gate's tenant step, now told the generation the caller has compiled (NULL: none).
-- It returns the current generation always, and the composition with the texts of the
-- tenant's own packs it names only when that differs: a steady-state call reads and
-- transfers no pack text. One statement, one snapshot: the generation and the data
-- returned with it belong together.
DROP FUNCTION gate_call_state(uuid, uuid, text);
CREATE FUNCTION gate_call_state(p_tenant uuid, p_run uuid, p_tool text, p_known bigint)
RETURNS TABLE (run_is_tainted boolean, is_enabled boolean, generation bigint, has_composition boolean,
               packs jsonb, disabled_policies text[], tenant_policies text, version integer, tenant_packs json)
LANGUAGE sql STABLE
AS $$
  SELECT (SELECT r.is_tainted FROM runs r WHERE r.id = p_run AND r.tenant_id = p_tenant),
         (SELECT s.is_enabled FROM tenant_tool_settings s WHERE s.tenant_id = p_tenant AND s.tool = p_tool),
         g.generation,
         p.tenant_id IS NOT NULL,
         p.packs, p.disabled_policies, p.tenant_policies, p.version,
         (SELECT json_agg(json_build_object('name', k.name, 'version', v.version, 'text', v.text))
            FROM jsonb_array_elements(CASE WHEN jsonb_typeof(p.packs) = 'array' THEN p.packs ELSE '[]'::jsonb END) AS ref
            JOIN policy_packs k ON k.tenant_id = p_tenant AND k.deleted_at IS NULL AND k.name = ref->>'name'
            JOIN policy_pack_versions v ON v.tenant_id = p_tenant AND v.pack_id = k.id AND v.version::text = ref->>'version')
    FROM (SELECT coalesce((SELECT n.generation FROM policy_generations n WHERE n.tenant_id = p_tenant), 0) AS generation) AS g
    LEFT JOIN policy_compositions p ON p.tenant_id = p_tenant AND g.generation IS DISTINCT FROM p_known
$$;
GRANT EXECUTE ON FUNCTION gate_call_state(uuid, uuid, text, bigint) TO agent_fabric_app;
