-- An internal tool's effect sent with COMMIT (server/gate/steps/record.ts,
-- recordEffectWithCommit): the effect is one statement whose integer result (a
-- memory entry's new version) the database alone knows, and its tool.result event
-- must carry it. The effect statement leaves that value in the transaction-local
-- setting fabric.effect_value; this function puts it in the one place the app left
-- for it in one event (its payload text and its hashed text, both split around the
-- value), clears the setting, and appends the events as append_chained_events does.
-- The value must be an integer as RFC 8785 writes it (no sign on zero, no leading
-- zeros, at most 15 digits: exact in JavaScript), so the hash is the one the app and
-- the offline verifier compute from the stored payload.
-- SECURITY INVOKER: the app role's grants and Row Level Security apply as to its own SQL.
CREATE FUNCTION append_events_after_effect(
  p_tenant uuid,
  p_runs uuid[],
  p_types text[],
  p_classes text[],
  p_payloads text[],
  p_created text[],
  p_prefixes text[],
  p_suffixes text[],
  p_event int,
  p_payload_rest text,
  p_prefix_rest text
) RETURNS TABLE (seq bigint, prev_hash text, hash text, checkpoint_due boolean)
LANGUAGE plpgsql AS $$
DECLARE
  v_value text := current_setting('fabric.effect_value', true);
BEGIN
  IF v_value IS NULL OR v_value !~ '^(0|-?[1-9][0-9]{0,14})$' THEN
    RAISE EXCEPTION 'the effect left no integer value for its events';
  END IF;
  IF p_event IS NULL OR p_event < 1 OR p_event > coalesce(array_length(p_types, 1), 0) THEN
    RAISE EXCEPTION 'no event to carry the effect''s value';
  END IF;
  PERFORM set_config('fabric.effect_value', '', true);
  p_payloads[p_event] := p_payloads[p_event] || v_value || p_payload_rest;
  p_prefixes[p_event] := p_prefixes[p_event] || v_value || p_prefix_rest;
  RETURN QUERY SELECT * FROM append_chained_events(p_tenant, p_runs, p_types, p_classes, p_payloads, p_created, p_prefixes, p_suffixes);
END
$$;
GRANT EXECUTE ON FUNCTION append_events_after_effect(uuid, uuid[], text[], text[], text[], text[], text[], text[], int, text, text) TO agent_fabric_app;
