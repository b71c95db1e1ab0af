-- Appending events in one statement: the chain head is taken (its row lock held to
-- COMMIT), each event's hash is chained in SQL, the events are inserted and the head
-- moved. The app builds each event's RFC 8785 text around its sequence number
-- (prefix || seq || suffix; server/events/hash.ts), so the hash is the one the app and
-- the offline verifier compute:
--   hash = hex(SHA-256(prev_hash || prefix || seq || suffix)), UTF-8.
-- With the statement and COMMIT in one message, the head's lock lives only inside the
-- server. The caller makes the checkpoint when `checkpoint_due` says a boundary was crossed.
-- SECURITY INVOKER: the app role's grants and Row Level Security apply as to its own SQL.
CREATE FUNCTION append_chained_events(
  p_tenant uuid,
  p_runs uuid[],
  p_types text[],
  p_classes text[],
  p_payloads text[],
  p_created text[],
  p_prefixes text[],
  p_suffixes text[]
) RETURNS TABLE (seq bigint, prev_hash text, hash text, checkpoint_due boolean)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_count int := coalesce(array_length(p_types, 1), 0);
  v_last bigint;
  v_hash text;
  v_every bigint;
  v_seq bigint;
  v_prev text;
  v_hashes text[] := '{}';
  v_prevs text[] := '{}';
BEGIN
  IF v_count = 0 THEN RETURN; END IF;
  INSERT INTO event_chains AS c (tenant_id, last_seq, last_hash)
    VALUES (p_tenant, v_count, repeat('0', 64))
    ON CONFLICT (tenant_id) DO UPDATE SET last_seq = c.last_seq + EXCLUDED.last_seq
    RETURNING c.last_seq, c.last_hash INTO v_last, v_hash;
  FOR i IN 1..v_count LOOP
    v_seq := v_last - v_count + i;
    v_prev := v_hash;
    v_hash := encode(sha256(convert_to(v_prev || p_prefixes[i] || v_seq::text || p_suffixes[i], 'UTF8')), 'hex');
    v_prevs := v_prevs || v_prev;
    v_hashes := v_hashes || v_hash;
  END LOOP;
  INSERT INTO events (tenant_id, seq, run_id, type, event_class, payload, created_at, prev_hash, hash)
    SELECT p_tenant, v_last - v_count + n, p_runs[n], p_types[n], p_classes[n], p_payloads[n], p_created[n]::timestamptz, v_prevs[n], v_hashes[n]
      FROM generate_series(1, v_count) AS n;
  UPDATE event_chains SET last_hash = v_hash, updated_at = now() WHERE tenant_id = p_tenant;
  SELECT coalesce((SELECT s.checkpoint_every FROM event_log_settings s WHERE s.tenant_id = p_tenant), 100) INTO v_every;
  RETURN QUERY
    SELECT v_last - v_count + n, v_prevs[n], v_hashes[n], (n = v_count AND v_last / v_every > (v_last - v_count) / v_every)
      FROM generate_series(1, v_count) AS n;
END
$$;
GRANT EXECUTE ON FUNCTION append_chained_events(uuid, uuid[], text[], text[], text[], text[], text[], text[]) TO agent_fabric_app;
