-- External tool calls in flight. The gate writes a row (with the decision and the
-- call's events) and commits it before an external tool runs, and closes it in the
-- transaction that records the result. A row still open long after its start is an
-- "outcome unknown": the process stopped while the call ran, and nothing here can
-- tell whether the tool acted. A tenant admin checks the tool's side and closes it by
-- hand, once (server/gate/executions.ts).
CREATE TABLE "tool_executions" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "run_id" UUID NOT NULL,
    "tool" TEXT NOT NULL,
    -- The decision event's payload (tool, redacted arguments, principal, policies): what
    -- is recorded when the call finishes, or when an admin closes it.
    "decision" JSONB NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    -- When the call can no longer be running (start + the tool's time limit).
    "deadline_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3),
    -- executed | failed (recorded by the gate) | ran | did_not_run (closed by an admin)
    "outcome" TEXT,
    "closed_by" TEXT,
    "note" TEXT,
    CONSTRAINT "tool_executions_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "tool_executions_outcome_check" CHECK ("outcome" IN ('executed', 'failed', 'ran', 'did_not_run')),
    CONSTRAINT "tool_executions_finished_check" CHECK (("finished_at" IS NULL) = ("outcome" IS NULL))
);
CREATE UNIQUE INDEX "tool_executions_tenant_id_id_key" ON "tool_executions"("tenant_id", "id");
CREATE INDEX "tool_executions_open_idx" ON "tool_executions"("tenant_id", "deadline_at") WHERE "finished_at" IS NULL;
ALTER TABLE "tool_executions" ADD CONSTRAINT "tool_executions_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "tool_executions" ADD CONSTRAINT "tool_executions_run_fkey" FOREIGN KEY ("tenant_id", "run_id") REFERENCES "runs"("tenant_id", "id") ON DELETE CASCADE;

SELECT enable_tenant_rls('tool_executions');
GRANT SELECT, INSERT, UPDATE ON tool_executions TO agent_fabric_app;
