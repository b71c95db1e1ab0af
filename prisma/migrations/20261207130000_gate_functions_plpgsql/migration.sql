-- The gate's two hot functions in PL/pgSQL, so the server plans their queries once per
-- connection instead of on every call.
--
-- As LANGUAGE sql, gate_call_state was inlined into the caller's statement and planned
-- with it every time (0.45 ms of planning against 0.06 ms of execution, measured with
-- EXPLAIN ANALYZE), and memory_set's body was planned on every call (PostgreSQL 17 keeps
-- no plans for SQL functions). PL/pgSQL keeps each statement's plan for the session and
-- moves to a generic plan after five calls: 0.06 ms and 0.1 ms a call. Same signatures,
-- same results, SECURITY INVOKER as before: the app role's grants and Row Level Security
-- apply as to its own SQL. docs/performance.md has the measurements.
CREATE OR REPLACE FUNCTION gate_call_state(p_tenant uuid, p_run uuid, p_tool text, p_known bigint)
RETURNS TABLE (run_is_tainted boolean, is_enabled boolean, generation bigint, has_composition boolean,
               packs jsonb, disabled_policies text[], tenant_policies text, version integer, tenant_packs json)
LANGUAGE plpgsql STABLE
AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
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
    LEFT JOIN policy_compositions p ON p.tenant_id = p_tenant AND g.generation IS DISTINCT FROM p_known;
END
$$;
CREATE OR REPLACE FUNCTION memory_set(p_tenant uuid, p_key text, p_value text, p_actor text)
RETURNS integer
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE v_version integer;
BEGIN
  WITH entry AS (
    INSERT INTO memory_entries AS m (tenant_id, key, value, updated_by) VALUES (p_tenant, p_key, p_value, p_actor)
    ON CONFLICT (tenant_id, key) DO UPDATE
      SET value = EXCLUDED.value, version = m.version + 1, deleted_at = NULL,
          updated_by = EXCLUDED.updated_by, updated_at = now()
    RETURNING m.id, m.key, m.value, m.version)
  INSERT INTO memory_versions (tenant_id, entry_id, key, value, version, is_deleted, actor)
  SELECT p_tenant, id, key, value, version, false, p_actor FROM entry
  RETURNING memory_versions.version INTO v_version;
  RETURN v_version;
END
$$;
