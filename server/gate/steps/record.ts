// 7. record: the gate's record step: every decision goes into the tenant's hash-chained
// event log; executed calls add their call and result; denials are also
// written to the audit log with the rule that decided. An internal tool's effect runs
// inside the transaction that records it (recordWithEffect); an external tool's call is
// committed as started before it runs (recordStarted) and closed with its result
// (recordFinished).
import { auditStatement, recordAuditOneTrip, type TAuditEntry } from "@/server/audit/service";
import { type TSql, withTenant, withTenantOneTrip, type TTenantTx } from "@/server/db";
import {
  appendAfterEffectSql,
  appendSql,
  checkpointSoon,
  recordEvents,
  storedFrom,
  type TChainedRow,
  type TNewEvent,
} from "@/server/events/append";
import type { TCommitEffect, TToolTransaction } from "@/server/tools/types";
import { redactSecrets } from "@/server/events/redact";
import { principalId } from "../principal";
import type { TGateCall, TGateOutcome } from "../types";

/**
 * What the planner sent is recorded as sent, but made storable: NUL characters
 * (which PostgreSQL refuses) become visible escapes, non-strings become text.
 */
function storable(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return value.replaceAll("\u0000", "\\u0000");
  if (depth > 20 || value === null || typeof value !== "object") return typeof value === "bigint" ? value.toString() : value;
  if (Array.isArray(value)) return value.map((item) => storable(item, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [storable(key) as string, storable(item, depth + 1)]));
}

function toolLabel(tool: unknown): string {
  let text: string;
  try {
    text = typeof tool === "string" ? tool : (JSON.stringify(tool) ?? typeof tool);
  } catch {
    text = typeof tool;
  }
  return (storable(text) as string).slice(0, 200);
}

/** The decision event's payload: the call as sent (redacted, storable), who, and what the gate decided. */
function decisionPayload(
  call: TGateCall & { tool: string },
  args: unknown,
  status: string,
  decision: TGateOutcome["decision"],
  durationsMs: TGateOutcome["durationsMs"],
): Record<string, unknown> {
  return {
    tool: call.tool,
    args,
    principal: principalId(call.principal),
    status,
    ...(storable(decision) as object),
    ...(durationsMs ? { durationsMs } : {}),
  };
}

/** What the log records for an outcome: the decision, then a hold's request or an executed call and its result. */
export function outcomeEvents(rawCall: TGateCall, outcome: TGateOutcome): TNewEvent[] {
  const call = { ...rawCall, tool: toolLabel(rawCall.tool) };
  // Arguments are recorded as the planner gave them, masked where they look like secrets.
  const args = storable(redactSecrets(call.args));
  const decision = decisionPayload(call, args, outcome.status, outcome.decision, outcome.durationsMs);
  const events: TNewEvent[] = [{ runId: call.runId, type: "policy.decision", eventClass: "policy_decision", payload: decision }];
  if (outcome.status === "held") {
    events.push({
      runId: call.runId,
      type: "approval.requested",
      eventClass: "approval",
      payload: { approvalRequestId: outcome.approvalRequestId, tool: call.tool, tags: outcome.decision.tags },
    });
  }
  if (outcome.status === "executed" || outcome.status === "failed") {
    events.push({ runId: call.runId, type: "tool.call", eventClass: "tool_call", payload: { tool: call.tool, args } });
    events.push(resultEvent(call, outcome));
  }
  return events;
}

/** An executed or failed call's last event: what the tool returned, or how it failed. */
function resultEvent(call: TGateCall & { tool: string }, outcome: TGateOutcome & { status: "executed" | "failed" }): TNewEvent {
  return {
    runId: call.runId,
    type: "tool.result",
    eventClass: "tool_result",
    payload:
      outcome.status === "executed"
        ? { tool: call.tool, ok: true, result: storable(redactSecrets(outcome.result)) }
        : { tool: call.tool, ok: false, error: outcome.error },
  };
}

/** A denial's audit row: who was refused which tool, by which step and policies. */
function denialAudit(call: TGateCall, outcome: TGateOutcome): TAuditEntry {
  return {
    tenantId: call.tenantId,
    actorUserId: call.principal.type === "User" ? call.principal.id : null,
    action: "gate.denied",
    targetType: "tool",
    targetId: toolLabel(call.tool),
    data: {
      runId: call.runId,
      step: outcome.decision.step,
      explanation: storable(outcome.decision.explanation) as string,
      policies: outcome.decision.policies.map((policy) => policy.id),
    },
  };
}

export async function recordOutcome(call: TGateCall, outcome: TGateOutcome): Promise<void> {
  await recordEvents(call.tenantId, outcomeEvents(call, outcome));
  if (outcome.status === "denied") await recordAuditOneTrip(denialAudit(call, outcome));
}

const EFFECT = "tool_effect";

/**
 * An internal tool's call, executed inside the transaction that records it: a savepoint
 * goes with BEGIN, the tool's effect runs, and its three events (the chain head taken,
 * hashed and inserted by one SQL function) go with COMMIT. The effect and its events
 * commit together or not at all. A tool that fails has its effect rolled back to the
 * savepoint, and the failure is recorded. One durable commit, three round trips (plus
 * the tenant step's one).
 */
export async function recordWithEffect(call: TGateCall, execute: (tx: TToolTransaction) => Promise<TGateOutcome>): Promise<TGateOutcome> {
  return withTenant(
    call.tenantId,
    async (db, tx) => {
      const done = await execute({ db, sql: tx.sql });
      recordWithCommit(tx, call, done);
      return done;
    },
    { lead: [EFFECT_SAVEPOINT] },
  );
}

/**
 * Sends an internal call's record with the COMMIT of the transaction it was decided in:
 * its events (the chain head taken, hashed and inserted by one SQL function, so the
 * head's lock lives only inside the server), and for a denial its audit row. A failed
 * effect is first rolled back to `SAVEPOINT tool_effect` (sent with BEGIN); a held call's
 * approval request, made in this transaction, commits with its events. A checkpoint the
 * append made due follows in the background once committed.
 */
export function recordWithCommit(tx: TTenantTx, call: TGateCall, outcome: TGateOutcome): void {
  const { statement, drafts } = appendSql(call.tenantId, outcomeEvents(call, outcome));
  const undo: TSql[] = outcome.status === "failed" ? [{ name: "fabric_undo_tool_effect", text: `ROLLBACK TO SAVEPOINT ${EFFECT}` }] : [];
  const audit = outcome.status === "denied" ? [auditStatement(denialAudit(call, outcome))] : [];
  tx.commitWith([...undo, statement, ...audit], (results) => {
    const { checkpoint } = storedFrom(call.tenantId, drafts, (results[undo.length]?.rows ?? []) as TChainedRow[]);
    if (checkpoint) checkpointSoon(call.tenantId, checkpoint);
  });
}

/**
 * An internal call whose effect is one statement (the tool's `commitEffect`), executed
 * and recorded in the round trip of COMMIT: the effect statement leaves its integer
 * value in `fabric.effect_value`, and the append puts it in the tool.result event
 * (appendAfterEffectSql), so the effect, its three events and the chain head commit
 * together or not at all, with no round trip for the effect alone. Returns the
 * outcome with the tool's result, to read once committed.
 */
export function recordEffectWithCommit(
  tx: TTenantTx,
  call: TGateCall,
  outcome: TGateOutcome & { status: "executed" },
  effect: TCommitEffect,
): () => TGateOutcome {
  const at = new Date();
  const withValue = (value: number): TGateOutcome => ({ ...outcome, result: effect.result(value) });
  // outcomeEvents' last event is tool.result, the one that carries the value.
  const events = outcomeEvents(call, withValue(0)).map((event) => ({ ...event, at }));
  const labelled = { ...call, tool: toolLabel(call.tool) };
  const { statement, drafts } = appendAfterEffectSql(call.tenantId, events.slice(0, -1), (value) => ({
    ...resultEvent(labelled, { ...outcome, result: effect.result(value) }),
    at,
  }));
  const { name, text, values } = effect.statement;
  const effectStatement: TSql = {
    ...(name ? { name: `${name}_effect` } : {}),
    text: `SELECT set_config('fabric.effect_value', effect.value::text, true) AS value FROM (${text}) AS effect`,
    values,
  };
  let committed: TGateOutcome | null = null;
  tx.commitWith([effectStatement, statement], (results) => {
    const value = Number(results[0]?.rows[0]?.value);
    const { checkpoint } = storedFrom(call.tenantId, drafts, (results[1]?.rows ?? []) as TChainedRow[]);
    if (checkpoint) checkpointSoon(call.tenantId, checkpoint);
    committed = withValue(value);
  });
  return () => {
    if (!committed) throw new Error("the effect's transaction has not committed");
    return committed;
  };
}

/** The savepoint an internal tool's effect runs after (sent with BEGIN). */
export const EFFECT_SAVEPOINT: TSql = { name: "fabric_tool_effect", text: `SAVEPOINT ${EFFECT}` };

/** How long after its time limit a call still open counts as "outcome unknown". */
export const UNKNOWN_AFTER_MS = 60_000;

/**
 * Before an external tool runs: its execution row, committed (one round trip). A crash
 * while the tool runs leaves the row open past its deadline: an "outcome unknown" that
 * a tenant admin closes by hand (server/runs/outcomes.ts), never silence.
 */
export async function recordStarted(
  call: TGateCall,
  decision: TGateOutcome["decision"],
  durationsMs: TGateOutcome["durationsMs"],
  timeoutMs: number,
): Promise<string> {
  const labelled = { ...call, tool: toolLabel(call.tool) };
  const decided = decisionPayload(labelled, storable(redactSecrets(call.args)), "started", decision, durationsMs);
  const { rows } = await withTenantOneTrip<{ id: string }>(call.tenantId, {
    name: "fabric_execution_started",
    text: `INSERT INTO tool_executions (tenant_id, run_id, tool, decision, deadline_at)
           VALUES ($1::uuid, $2::uuid, $3, $4::jsonb, now() + $5::integer * interval '1 millisecond')
           RETURNING id`,
    values: [call.tenantId, call.runId, labelled.tool, JSON.stringify(decided), timeoutMs + UNKNOWN_AFTER_MS],
  });
  const id = rows[0]?.id;
  if (!id) throw new Error("the execution row was not written");
  return id;
}

/**
 * After an external tool ran: its events and the closed execution row, in one
 * transaction and one round trip. If an admin already closed the row (the call ran past its deadline), the
 * row keeps the admin's answer and the events still say what really happened.
 */
export async function recordFinished(call: TGateCall, executionId: string, outcome: TGateOutcome): Promise<void> {
  const { statement, drafts } = appendSql(call.tenantId, outcomeEvents(call, outcome));
  const close: TSql = {
    name: "fabric_execution_finished",
    text: `UPDATE tool_executions SET finished_at = now(), outcome = $3
           WHERE tenant_id = $1::uuid AND id = $2::uuid AND finished_at IS NULL`,
    values: [call.tenantId, executionId, outcome.status === "executed" ? "executed" : "failed"],
  };
  const { rows } = await withTenantOneTrip<TChainedRow>(call.tenantId, [close, statement]);
  const { checkpoint } = storedFrom(call.tenantId, drafts, rows);
  if (checkpoint) checkpointSoon(call.tenantId, checkpoint);
}
