-- pgbench script: the SQL one executed memory.set needs at the least, for
-- scripts/bench-memory-set.ts (npm run bench). One pgbench transaction is one
-- memory.set through the gate, done by the database alone:
--   1. the tenant step's read (gate_call_state, in a read-only transaction);
--   2. one transaction that takes the tenant's chain head (its row lock serializes
--      the tenant's appends, as server/events/append.ts does), upserts the memory
--      row and its version (memory_set), writes the three events the gate records
--      (policy.decision, tool.call, tool.result), hash-chained, and moves the head.
-- Each part is one pipeline (one round trip), so the database does the work in
-- the fewest round trips the gate could ever use: a read before the decision,
-- a write after it. Run with -M prepared (pipelines need the extended protocol;
-- the app plans its statements once per connection too), as the app role, so
-- Row Level Security applies.
--
-- Variables, passed with -D as PostgreSQL array literals: tenants (their ids), runs
-- (their runs' ids, tenant by tenant, two each) and generations (each tenant's policy
-- generation: the gate's cache is warm, so the read returns no pack text). Client c
-- works for tenant c % 8 + 1 in its own run, like the pipeline's 16 callers
-- (8 tenants × 2), and writes its own 25 keys. pgbench takes any colon followed by a
-- name for a variable, string literals included: hence 'user:' || 'pgbench'.
\set t :client_id % 8 + 1
\set caller (:client_id / 8) % 2
\set run (:t - 1) * 2 + :caller + 1
\set k random(0, 24)
\set i random(1, 1000000)

\startpipeline
BEGIN READ ONLY;
SELECT set_config('app.tenant_id', (CAST(:tenants AS uuid[]))[:t]::text, true);
SELECT * FROM gate_call_state((CAST(:tenants AS uuid[]))[:t], (CAST(:runs AS uuid[]))[:run], 'memory.set',
                               (CAST(:generations AS bigint[]))[:t]);
COMMIT;
\endpipeline

\startpipeline
BEGIN;
SELECT set_config('app.tenant_id', (CAST(:tenants AS uuid[]))[:t]::text, true);
-- takeHeadSql: three events, the head's row lock held to COMMIT.
INSERT INTO event_chains (tenant_id, last_seq, last_hash)
  VALUES (current_setting('app.tenant_id')::uuid, 3, '0000000000000000000000000000000000000000000000000000000000000000')
  ON CONFLICT (tenant_id) DO UPDATE SET last_seq = event_chains.last_seq + EXCLUDED.last_seq
  RETURNING last_seq::text, last_hash;
SELECT memory_set(current_setting('app.tenant_id')::uuid, format('note-%s-%s', :caller::int, :k::int),
                  format('the supplier ships on Mondays (%s)', :i::int), 'user:' || 'pgbench');
-- The three events on the chain (each hash over the previous hash, its seq, time and
-- payload), then the head's hash: what append.ts sends with COMMIT.
WITH head AS (
  SELECT c.last_seq, c.last_hash, now() AS at FROM event_chains c WHERE c.tenant_id = current_setting('app.tenant_id')::uuid
), payload AS (
  SELECT head.*,
         jsonb_build_object('tool', 'memory.set', 'args', jsonb_build_object('key', format('note-%s-%s', :caller::int, :k::int), 'value', 'the supplier ships on Mondays'),
                            'principal', 'user:' || 'pgbench', 'status', 'executed', 'effect', 'allow', 'step', 'execute',
                            'explanation', 'allowed by memory-writes', 'policies', jsonb_build_array(jsonb_build_object('id', 'memory-writes', 'pack', 'baseline', 'version', 1)),
                            'tags', jsonb_build_array(), 'durationsMs', jsonb_build_object('registry', 0.02, 'tenant', 0.6, 'policy', 0.1))::text AS decision,
         jsonb_build_object('tool', 'memory.set', 'args', jsonb_build_object('key', format('note-%s-%s', :caller::int, :k::int), 'value', 'the supplier ships on Mondays'))::text AS call,
         jsonb_build_object('tool', 'memory.set', 'ok', true, 'result', jsonb_build_object('key', format('note-%s-%s', :caller::int, :k::int), 'version', 2))::text AS result
    FROM head
), e1 AS (
  SELECT p.*, encode(sha256(convert_to(p.last_hash || (p.last_seq - 2) || p.at || p.decision, 'UTF8')), 'hex') AS h1 FROM payload p
), e2 AS (
  SELECT e1.*, encode(sha256(convert_to(e1.h1 || (e1.last_seq - 1) || e1.at || e1.call, 'UTF8')), 'hex') AS h2 FROM e1
), e3 AS (
  SELECT e2.*, encode(sha256(convert_to(e2.h2 || e2.last_seq || e2.at || e2.result, 'UTF8')), 'hex') AS h3 FROM e2
), inserted AS (
  INSERT INTO events (tenant_id, seq, run_id, type, event_class, payload, created_at, prev_hash, hash)
  SELECT current_setting('app.tenant_id')::uuid, v.seq, (CAST(:runs AS uuid[]))[:run], v.type, v.class, v.payload, e3.at, v.prev, v.hash
    FROM e3, LATERAL (VALUES (e3.last_seq - 2, 'policy.decision', 'policy_decision', e3.decision, e3.last_hash, e3.h1),
                             (e3.last_seq - 1, 'tool.call', 'tool_call', e3.call, e3.h1, e3.h2),
                             (e3.last_seq, 'tool.result', 'tool_result', e3.result, e3.h2, e3.h3)) AS v(seq, type, class, payload, prev, hash)
)
UPDATE event_chains SET last_hash = (SELECT h3 FROM e3), updated_at = now() WHERE tenant_id = current_setting('app.tenant_id')::uuid;
COMMIT;
\endpipeline
