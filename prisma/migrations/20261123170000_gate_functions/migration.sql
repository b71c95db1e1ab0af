-- Hot-path statements of the gate as SQL functions: one short call per round trip,
-- planned once per connection. SECURITY INVOKER (the default): Row Level Security
-- applies to what they read and write exactly as to the statements themselves.

-- The gate's tenant step: the run's taint, the tool switch, the composition and the
-- texts of the tenant's own packs it names.
CREATE FUNCTION gate_call_state(p_tenant uuid, p_run uuid, p_tool text)
RETURNS TABLE (run_is_tainted boolean, is_enabled boolean, packs jsonb, disabled_policies text[], tenant_policies text, version integer, tenant_packs json)
LANGUAGE sql STABLE
AS $$
  SELECT (SELECT r.is_tainted FROM runs r WHERE r.id = p_run AND r.tenant_id = p_tenant),
         (SELECT s.is_enabled FROM tenant_tool_settings s WHERE s.tenant_id = p_tenant AND s.tool = p_tool),
         p.packs, p.disabled_policies, p.tenant_policies, p.version,
         (SELECT json_agg(json_build_object('name', k.name, 'version', v.version, 'text', v.text))
            FROM jsonb_array_elements(CASE WHEN jsonb_typeof(p.packs) = 'array' THEN p.packs ELSE '[]'::jsonb END) AS ref
            JOIN policy_packs k ON k.tenant_id = p_tenant AND k.deleted_at IS NULL AND k.name = ref->>'name'
            JOIN policy_pack_versions v ON v.tenant_id = p_tenant AND v.pack_id = k.id AND v.version::text = ref->>'version')
    FROM (SELECT 1) AS one
    LEFT JOIN policy_compositions p ON p.tenant_id = p_tenant
$$;

-- memory.set: the next version of the entry (or a new one) and its history line.
CREATE FUNCTION memory_set(p_tenant uuid, p_key text, p_value text, p_actor text)
RETURNS integer
LANGUAGE sql VOLATILE
AS $$
  WITH entry AS (
    INSERT INTO memory_entries (tenant_id, key, value, updated_by) VALUES (p_tenant, p_key, p_value, p_actor)
    ON CONFLICT (tenant_id, key) DO UPDATE
      SET value = EXCLUDED.value, version = memory_entries.version + 1, deleted_at = NULL,
          updated_by = EXCLUDED.updated_by, updated_at = now()
    RETURNING id, key, value, version)
  INSERT INTO memory_versions (tenant_id, entry_id, key, value, version, is_deleted, actor)
  SELECT p_tenant, id, key, value, version, false, p_actor FROM entry
  RETURNING version
$$;

GRANT EXECUTE ON FUNCTION gate_call_state(uuid, uuid, text) TO agent_fabric_app;
GRANT EXECUTE ON FUNCTION memory_set(uuid, text, text, text) TO agent_fabric_app;
