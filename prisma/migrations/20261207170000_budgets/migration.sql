-- Budgets (issue 18, first part): per-tenant limits on tool calls and outbound messages, in calendar windows
-- of the tenant's time zone, reserved and charged atomically by the gate's budget step.
--
-- tenant_settings: what a tenant's budgets are read in (its time zone).
-- budgets / budget_versions: a versioned kind (server/recovery/versioned.ts): every
--   change is a version, a deletion goes to the Trash.
-- budget_counters: one row per budget and window: what was used and what is reserved
--   by calls still running. The one conditional UPDATE that reserves is the lock.
-- budget_reservations: what a running call holds, until it is settled, released, or
--   its expiry passes (then the next reservation on that counter gives it back).

CREATE TABLE "tenant_settings" (
    "tenant_id" UUID NOT NULL,
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "updated_by" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tenant_settings_pkey" PRIMARY KEY ("tenant_id")
);
ALTER TABLE tenant_settings ADD CONSTRAINT tenant_settings_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;
SELECT enable_tenant_rls('tenant_settings');
GRANT SELECT, INSERT, UPDATE ON tenant_settings TO agent_fabric_app;

CREATE TABLE "budgets" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "metric" TEXT NOT NULL,
    "period" TEXT NOT NULL,
    "limit_amount" INTEGER NOT NULL,
    "principal" TEXT,
    "tool" TEXT,
    "version" INTEGER NOT NULL DEFAULT 1,
    "deleted_at" TIMESTAMPTZ(3),
    "deleted_by" TEXT,
    "updated_by" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "budgets_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "budgets_metric_check" CHECK ("metric" IN ('tool_calls', 'outbound_messages')),
    CONSTRAINT "budgets_period_check" CHECK ("period" IN ('minute', 'hour', 'day', 'month')),
    CONSTRAINT "budgets_limit_check" CHECK ("limit_amount" >= 0)
);
CREATE UNIQUE INDEX "budgets_active_name_key" ON "budgets"("tenant_id", "name") WHERE "deleted_at" IS NULL;
CREATE INDEX "budgets_tenant_live_idx" ON "budgets"("tenant_id", "metric") WHERE "deleted_at" IS NULL;
ALTER TABLE budgets ADD CONSTRAINT budgets_tenant_id_id_key UNIQUE (tenant_id, id);
ALTER TABLE budgets ADD CONSTRAINT budgets_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;
SELECT enable_tenant_rls('budgets');
GRANT SELECT, INSERT, UPDATE, DELETE ON budgets TO agent_fabric_app;
CREATE POLICY delete_only_trashed ON budgets AS RESTRICTIVE FOR DELETE USING (deleted_at IS NOT NULL);

CREATE TABLE "budget_versions" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "budget_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "metric" TEXT NOT NULL,
    "period" TEXT NOT NULL,
    "limit_amount" INTEGER NOT NULL,
    "principal" TEXT,
    "tool" TEXT,
    "is_deleted" BOOLEAN NOT NULL DEFAULT false,
    "actor" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "budget_versions_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "budget_versions_budget_id_version_key" ON "budget_versions"("budget_id", "version");
CREATE INDEX "budget_versions_tenant_id_budget_id_idx" ON "budget_versions"("tenant_id", "budget_id");
ALTER TABLE budget_versions ADD CONSTRAINT budget_versions_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;
ALTER TABLE budget_versions ADD CONSTRAINT budget_versions_budget_fkey FOREIGN KEY (tenant_id, budget_id) REFERENCES budgets(tenant_id, id) ON DELETE CASCADE;
SELECT enable_tenant_rls('budget_versions');
GRANT SELECT, INSERT ON budget_versions TO agent_fabric_app;

CREATE TABLE "budget_counters" (
    "tenant_id" UUID NOT NULL,
    "budget_id" UUID NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "used" BIGINT NOT NULL DEFAULT 0,
    "reserved" BIGINT NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "budget_counters_pkey" PRIMARY KEY ("tenant_id", "budget_id", "window_start"),
    CONSTRAINT "budget_counters_amounts_check" CHECK ("used" >= 0 AND "reserved" >= 0)
);
ALTER TABLE budget_counters ADD CONSTRAINT budget_counters_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;
ALTER TABLE budget_counters ADD CONSTRAINT budget_counters_budget_fkey FOREIGN KEY (tenant_id, budget_id) REFERENCES budgets(tenant_id, id) ON DELETE CASCADE;
SELECT enable_tenant_rls('budget_counters');
GRANT SELECT, INSERT, UPDATE ON budget_counters TO agent_fabric_app;

CREATE TABLE "budget_reservations" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "reservation" UUID NOT NULL,
    "budget_id" UUID NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "amount" BIGINT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "budget_reservations_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "budget_reservations_reservation_idx" ON "budget_reservations"("tenant_id", "reservation");
CREATE INDEX "budget_reservations_counter_idx" ON "budget_reservations"("tenant_id", "budget_id", "window_start", "expires_at") WHERE "amount" > 0;
ALTER TABLE budget_reservations ADD CONSTRAINT budget_reservations_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;
ALTER TABLE budget_reservations ADD CONSTRAINT budget_reservations_budget_fkey FOREIGN KEY (tenant_id, budget_id) REFERENCES budgets(tenant_id, id) ON DELETE CASCADE;
SELECT enable_tenant_rls('budget_reservations');
GRANT SELECT, INSERT, UPDATE, DELETE ON budget_reservations TO agent_fabric_app;

-- The window an instant falls in, in a time zone: minutes and hours are counted back
-- from the instant (an hour never straddles a change of offset, and a repeated local
-- hour stays two hours), days and months start at local midnight (a day across a
-- daylight-saving change is 23 or 25 hours long).
CREATE FUNCTION budget_window(p_period text, p_at timestamptz, p_tz text, OUT window_start timestamptz, OUT window_end timestamptz)
  LANGUAGE plpgsql STABLE
AS $$
DECLARE
  v_local timestamp := p_at AT TIME ZONE p_tz;
BEGIN
  IF p_period IN ('minute', 'hour') THEN
    window_start := p_at - (v_local - date_trunc(p_period, v_local));
    window_end := window_start + ('1 ' || p_period)::interval;
  ELSE
    window_start := date_trunc(p_period, v_local) AT TIME ZONE p_tz;
    window_end := (date_trunc(p_period, v_local) + ('1 ' || p_period)::interval) AT TIME ZONE p_tz;
  END IF;
END
$$;

-- One call against every live budget of the tenant that applies to it (one of the
-- call's metrics, and its principal and tool when the budget names them), all or nothing:
--   p_mode 'charge': counted as used now (the caller's transaction commits it with the
--                    call's record, or rolls it back with it);
--   p_mode 'reserve': held as reserved under a new reservation id until settled,
--                    released, or p_ttl passes.
-- Counters are updated in budget order with one conditional UPDATE each (its row lock
-- serialises concurrent calls on one counter; no application lock). A budget that has
-- no room undoes the ones before it and is returned, with its window, to explain the
-- refusal: {"ok": false, "budget": {...}}. Otherwise {"ok": true, "reservation": id|null}.
CREATE FUNCTION budget_reserve(p_tenant uuid, p_metrics text[], p_principal text, p_tool text, p_amount bigint, p_mode text, p_at timestamptz, p_ttl interval)
  RETURNS jsonb
  LANGUAGE plpgsql
AS $$
DECLARE
  v_tz text;
  v_budget record;
  v_window record;
  v_done jsonb := '[]'::jsonb;
  v_step jsonb;
  v_expired bigint;
  v_used bigint;
  v_reserved bigint;
  v_reservation uuid := CASE WHEN p_mode = 'reserve' THEN gen_random_uuid() END;
BEGIN
  SELECT timezone INTO v_tz FROM tenant_settings WHERE tenant_id = p_tenant;
  v_tz := coalesce(v_tz, 'UTC');
  FOR v_budget IN
    SELECT id, name, metric, period, limit_amount FROM budgets
     WHERE tenant_id = p_tenant AND deleted_at IS NULL AND metric = ANY(p_metrics)
       AND (principal IS NULL OR principal = p_principal) AND (tool IS NULL OR tool = p_tool)
     ORDER BY id
  LOOP
    SELECT * INTO v_window FROM budget_window(v_budget.period, p_at, v_tz);
    INSERT INTO budget_counters (tenant_id, budget_id, window_start) VALUES (p_tenant, v_budget.id, v_window.window_start)
      ON CONFLICT DO NOTHING;
    -- Reservations whose call has not settled by their expiry give their amount back
    -- (the row stays, at 0, so a late settle still counts the call's use).
    WITH expired AS (
      UPDATE budget_reservations r SET amount = 0
        FROM (SELECT id, amount FROM budget_reservations
               WHERE tenant_id = p_tenant AND budget_id = v_budget.id AND window_start = v_window.window_start
                 AND amount > 0 AND expires_at <= p_at
               FOR UPDATE) old
       WHERE r.id = old.id
      RETURNING old.amount
    )
    SELECT coalesce(sum(amount), 0) INTO v_expired FROM expired;
    IF v_expired > 0 THEN
      UPDATE budget_counters SET reserved = reserved - v_expired
       WHERE tenant_id = p_tenant AND budget_id = v_budget.id AND window_start = v_window.window_start;
    END IF;
    UPDATE budget_counters
       SET used = used + CASE WHEN p_mode = 'charge' THEN p_amount ELSE 0 END,
           reserved = reserved + CASE WHEN p_mode = 'reserve' THEN p_amount ELSE 0 END,
           updated_at = p_at
     WHERE tenant_id = p_tenant AND budget_id = v_budget.id AND window_start = v_window.window_start
       AND used + reserved + p_amount <= v_budget.limit_amount
    RETURNING used, reserved INTO v_used, v_reserved;
    IF NOT FOUND THEN
      -- Give back what this call took from the budgets before this one.
      FOR v_step IN SELECT * FROM jsonb_array_elements(v_done) LOOP
        UPDATE budget_counters
           SET used = used - CASE WHEN p_mode = 'charge' THEN p_amount ELSE 0 END,
               reserved = reserved - CASE WHEN p_mode = 'reserve' THEN p_amount ELSE 0 END
         WHERE tenant_id = p_tenant AND budget_id = (v_step->>'id')::uuid AND window_start = (v_step->>'window_start')::timestamptz;
      END LOOP;
      DELETE FROM budget_reservations WHERE tenant_id = p_tenant AND reservation = v_reservation;
      SELECT used, reserved INTO v_used, v_reserved FROM budget_counters
       WHERE tenant_id = p_tenant AND budget_id = v_budget.id AND window_start = v_window.window_start;
      RETURN jsonb_build_object('ok', false, 'budget', jsonb_build_object(
        'id', v_budget.id, 'name', v_budget.name, 'metric', v_budget.metric, 'period', v_budget.period,
        'limit', v_budget.limit_amount, 'used', v_used, 'reserved', v_reserved,
        'windowStart', v_window.window_start, 'resetsAt', v_window.window_end, 'timezone', v_tz));
    END IF;
    v_done := v_done || jsonb_build_object('id', v_budget.id, 'window_start', v_window.window_start);
    IF p_mode = 'reserve' THEN
      INSERT INTO budget_reservations (tenant_id, reservation, budget_id, window_start, amount, expires_at)
      VALUES (p_tenant, v_reservation, v_budget.id, v_window.window_start, p_amount, p_at + p_ttl);
    END IF;
  END LOOP;
  RETURN jsonb_build_object('ok', true, 'reservation', CASE WHEN jsonb_array_length(v_done) > 0 THEN v_reservation END);
END
$$;

-- The end of a reservation: settled (p_used of it becomes used) or released (p_used 0).
-- A reservation that expired gave its amount back already (it is at 0); its call's use
-- is still counted.
CREATE FUNCTION budget_settle(p_tenant uuid, p_reservation uuid, p_used bigint, p_at timestamptz)
  RETURNS void
  LANGUAGE plpgsql
AS $$
DECLARE
  v_row record;
BEGIN
  FOR v_row IN
    DELETE FROM budget_reservations WHERE tenant_id = p_tenant AND reservation = p_reservation
    RETURNING budget_id, window_start, amount, expires_at
  LOOP
    UPDATE budget_counters
       SET reserved = reserved - v_row.amount, used = used + p_used, updated_at = p_at
     WHERE tenant_id = p_tenant AND budget_id = v_row.budget_id AND window_start = v_row.window_start;
  END LOOP;
END
$$;

-- The gate's tenant step also answers whether any live budget could apply to this
-- call's tool, in the same statement: a tenant without budgets pays no budget round trip.
DROP FUNCTION gate_call_state(uuid, uuid, text, bigint);
CREATE FUNCTION gate_call_state(p_tenant uuid, p_run uuid, p_tool text, p_known bigint)
RETURNS TABLE (run_is_tainted boolean, is_enabled boolean, generation bigint, has_composition boolean,
               packs jsonb, disabled_policies text[], tenant_policies text, version integer, tenant_packs json,
               has_budgets boolean)
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
            JOIN policy_pack_versions v ON v.tenant_id = p_tenant AND v.pack_id = k.id AND v.version::text = ref->>'version'),
         EXISTS (SELECT 1 FROM budgets b WHERE b.tenant_id = p_tenant AND b.deleted_at IS NULL AND (b.tool IS NULL OR b.tool = p_tool))
    FROM (SELECT coalesce((SELECT n.generation FROM policy_generations n WHERE n.tenant_id = p_tenant), 0) AS generation) AS g
    LEFT JOIN policy_compositions p ON p.tenant_id = p_tenant AND g.generation IS DISTINCT FROM p_known;
END
$$;
GRANT EXECUTE ON FUNCTION gate_call_state(uuid, uuid, text, bigint) TO agent_fabric_app;
GRANT EXECUTE ON FUNCTION budget_window(text, timestamptz, text) TO agent_fabric_app;
GRANT EXECUTE ON FUNCTION budget_reserve(uuid, text[], text, text, bigint, text, timestamptz, interval) TO agent_fabric_app;
GRANT EXECUTE ON FUNCTION budget_settle(uuid, uuid, bigint, timestamptz) TO agent_fabric_app;
