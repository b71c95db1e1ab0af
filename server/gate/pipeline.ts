// The Tool Policy Gate: every tool call, whoever planned it, passes these steps
// in order; each is a module with one job (./steps), and the first that refuses
// ends the call.
//   registry → tenant → policy → approval (held calls end here) or budget → execute → record
// Nothing here trusts the plan: the tool name and arguments are parsed by the
// registry step, the tenant comes from the call's context, never from the arguments.
// Budget, approval and the tool registry are plug-ins installed at start-up
// (./plugins): the gate imports neither the approvals domain, nor a budget
// implementation, nor the tools' definitions. It is the only code that runs a
// tool; the agent sees a read-only catalog (server/tools/catalog.ts).
// runGate and executeApprovedCall use the installed registry; their `…With`
// variants take one explicitly (tests that need a second mode in one process).
import { callDigest } from "@/server/tools/call-digest";
import pg from "pg";
import { type TenantDb, withTenant } from "@/server/db";
import type { ToolRegistry } from "@/server/tools/registry";
import type { TAnyTool, TNestedGate, TToolTransaction } from "@/server/tools/types";
import { callStateQuery } from "./call-state";
import { principalId } from "./principal";
import { gatePlugins } from "./plugins";
import { approvalStep } from "./steps/approval";
import { budgetStep } from "./steps/budget";
import { DEFAULT_TIMEOUT_MS, executeStep } from "./steps/execute";
import { policyStep } from "./steps/policy";
import {
  EFFECT_SAVEPOINT,
  recordEffectWithCommit,
  recordFinished,
  recordOutcome,
  recordStarted,
  recordWithCommit,
  recordWithEffect,
} from "./steps/record";
import { refusal, type TStepResult } from "./steps/refusal";
import { describeIssues, registryStep } from "./steps/registry";
import { checkTenantState, tenantStep, type TTenantState } from "./steps/tenant";
import type { TBudgetStep, TGateCall, TGateDecision, TGateOutcome, TGateStep, TStepDurations } from "./types";

/** An outcome, and whether executing it already recorded it (executed calls record as they run). */
type TRecordedOutcome = TGateOutcome & { isRecorded?: boolean };

export { callDigest };

/** Times each step it runs, for the decision event (the run viewer draws them). */
class StepClock {
  readonly durations: TStepDurations = {};

  async run<T>(step: TGateStep, work: () => T | Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.durations[step] = Math.round((performance.now() - started) * 1000) / 1000;
    }
  }
}

function denied(decision: TGateDecision, clock: StepClock): TGateOutcome {
  return { status: "denied", decision, durationsMs: clock.durations };
}

const failedStep = <T>(result: TStepResult<T>): result is { ok: false; decision: TGateDecision } => !result.ok;

/** The gate for calls a tool makes in the same run, as the same principal (workflow steps). */
function nestedGate(registry: ToolRegistry, call: TGateCall, budget: TBudgetStep): TNestedGate {
  return (tool, args) =>
    runGateWith(registry, { tenantId: call.tenantId, runId: call.runId, principal: call.principal, tool, args }, budget);
}

/**
 * Decide (and, when allowed, execute) one call against this registry. An executed call
 * is recorded as it runs (isRecorded); a denied or held one is left to the caller to
 * record. Never throws for a bad plan: it refuses.
 */
export async function decideCallWith(registry: ToolRegistry, call: TGateCall, budget?: TBudgetStep): Promise<TRecordedOutcome> {
  const clock = new StepClock();
  const parsed = await clock.run("registry", () => registryStep(registry, call.tool, call.args));
  if (failedStep(parsed)) return denied(parsed.decision, clock);
  const { tool, args } = parsed.value;
  const reserve = budget ?? gatePlugins().budget;
  const nested = nestedGate(registry, call, reserve);
  if (tool.effect !== "internal") {
    return decideSteps(call, tool, args, reserve, clock, {
      state: () => tenantStep(call.tenantId, call.runId, tool.name, registry.mode),
      execute: (decision) => executeExternal(tool, call, args, decision, nested, clock),
    });
  }
  // An internal tool's call is decided, executed and recorded in one transaction: the
  // tenant step's read and the effect's savepoint go with BEGIN, the record with COMMIT.
  // A tool whose effect is one statement (commitEffect) sends it with COMMIT too.
  // A denied or held call is recorded the same way (a hold's request is made in it too),
  // unless its run is not this tenant's: that one is left to the caller, as before.
  const query = callStateQuery(call.tenantId, call.runId, tool.name, registry.mode);
  // Set when the call is allowed and its effect goes with COMMIT (never for a tool whose results taint the run).
  const withCommit: { effect: TAnyTool["commitEffect"]; decision: TGateDecision | null } = {
    effect: tool.readsUntrustedContent ? undefined : tool.commitEffect,
    decision: null,
  };
  // What the tenant step said of budgets, for the fallback below.
  let hasBudgets = true;
  try {
    const { outcome, committed } = await withTenant(
      call.tenantId,
      async (db, tx) => {
        let isRunKnown = false;
        const outcome = await decideSteps(call, tool, args, reserve, clock, {
          state: async () => {
            const state = query.interpret(tx.lead?.rows[0]);
            isRunKnown = state.run !== null;
            hasBudgets = state.hasBudgets;
            return checkTenantState(state, tool.name);
          },
          execute: async (decision) => {
            if (!withCommit.effect) return clock.run("execute", () => executeStep(tool, call, args, decision, nested, { db, sql: tx.sql }));
            withCommit.decision = decision;
            return { status: "executed", decision, result: null };
          },
          db,
        });
        if (!isRunKnown) return { outcome };
        const timed = { ...outcome, durationsMs: clock.durations };
        if (withCommit.effect && withCommit.decision && timed.status === "executed") {
          const effect = withCommit.effect({ tenantId: call.tenantId, runId: call.runId, principal: principalId(call.principal) }, args);
          return { outcome: timed, committed: recordEffectWithCommit(tx, call, timed, effect) };
        }
        recordWithCommit(tx, call, timed);
        return { outcome: { ...timed, isRecorded: true } };
      },
      // No savepoint when the effect goes with COMMIT: nothing runs before it to roll back to.
      { lead: withCommit.effect ? [query.statement] : [query.statement, EFFECT_SAVEPOINT] },
    );
    return committed ? { ...committed(), isRecorded: true } : outcome;
  } catch (error) {
    // The database refused the effect sent with COMMIT (or its record): the transaction
    // rolled back whole. The same decision is executed the ordinary way, in a transaction
    // of its own, which records a failing tool as failed. An error that leaves the commit
    // in doubt (the connection lost) is never retried.
    // Its budget charge rolled back with it, so the call is charged again in the new one.
    const { decision } = withCommit;
    if (!decision || !isRefusedByDatabase(error)) throw error;
    const executed = await recordWithEffect(call, async (toolTx) => {
      const charged = await clock.run("budget", () => budgetStep(reserve, call, tool, { hasBudgets, db: toolTx.db }));
      if (failedStep(charged)) return denied(charged.decision, clock);
      const outcome = await clock.run("execute", () => executeStep(tool, call, args, decision, nested, toolTx));
      return { ...outcome, durationsMs: clock.durations };
    });
    return { ...executed, isRecorded: true };
  }
}

/** An error the server raised for a statement (the transaction rolled back, the connection still good). */
function isRefusedByDatabase(error: unknown): boolean {
  return error instanceof pg.DatabaseError && error.severity === "ERROR";
}

/** The steps after the registry's, with the tenant's state and the execution as the path provides them. */
async function decideSteps(
  call: TGateCall,
  tool: TAnyTool,
  args: unknown,
  reserve: TBudgetStep,
  clock: StepClock,
  path: {
    state: () => Promise<TStepResult<TTenantState>>;
    execute: (decision: TGateDecision) => Promise<TRecordedOutcome>;
    /** The transaction a held call's approval request is made in, when the call is decided in one. */
    db?: TenantDb;
  },
): Promise<TRecordedOutcome> {
  const tenant = await clock.run("tenant", path.state);
  if (failedStep(tenant)) return denied(tenant.decision, clock);

  const policy = await clock.run("policy", () => policyStep(call, tool, args, tenant.value));
  if (failedStep(policy)) return denied(policy.decision, clock);

  // A held call reserves nothing while it waits: the budget step runs when it is approved.
  if (policy.value.policy.effect === "require_approval") {
    const held = await clock.run("approval", () => approvalStep(gatePlugins().approval, call, tool, args, policy.value, path.db));
    return { ...held, durationsMs: clock.durations };
  }

  const budgeted = await clock.run("budget", () => budgetStep(reserve, call, tool, { hasBudgets: tenant.value.hasBudgets, db: path.db }));
  if (failedStep(budgeted)) return denied(budgeted.decision, clock);

  const decision: TGateDecision = {
    effect: "allow",
    step: "execute",
    explanation: policy.value.policy.explanation,
    policies: policy.value.policy.policies.map((meta) => ({ id: meta.id, pack: meta.pack, version: meta.version })),
    tags: [],
  };
  return settled(reserve, call.tenantId, budgeted.value, () => path.execute(decision));
}

/**
 * Runs the call and ends its budget reservation (if it has one): what ran is counted,
 * a call that failed or threw gives its reservation back.
 */
async function settled<T extends TGateOutcome>(
  budget: TBudgetStep,
  tenantId: string,
  reservation: string | null,
  run: () => Promise<T>,
): Promise<T> {
  if (!reservation) return run();
  let isUsed = false;
  try {
    const outcome = await run();
    isUsed = outcome.status === "executed";
    return outcome;
  } finally {
    await budget.settle(tenantId, reservation, isUsed);
  }
}

/**
 * An external tool: recorded as started before it runs and closed with its result, so a
 * crash in between leaves an "outcome unknown", never silence.
 */
async function executeExternal(
  tool: TAnyTool,
  call: TGateCall,
  args: unknown,
  decision: TGateDecision,
  nested: TNestedGate,
  clock: StepClock,
): Promise<TRecordedOutcome> {
  const executionId = await recordStarted(call, decision, clock.durations, tool.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const executed = await clock.run("execute", () => executeStep(tool, call, args, decision, nested));
  const outcome = { ...executed, durationsMs: clock.durations };
  await recordFinished(call, executionId, outcome);
  return { ...outcome, isRecorded: true };
}

/** A held call as its approval request stored it. */
type TApprovedCall = { tenantId: string; runId: string; tool: string; args: unknown; digest: string; principal: TGateCall["principal"] };

/**
 * An approved held call, executed through the steps again, against the state at
 * execution time: the registry parses the stored arguments, the digest must still
 * bind run, tool and arguments (a changed call needs a new approval), the tenant
 * step checks the run and the tool switch, policy decides again (a deny now wins;
 * "require approval" is what the approval answered), the budget is reserved now,
 * then execute and record. The caller guarantees it runs once.
 */
export async function executeApprovedCall(held: TApprovedCall, decision: TGateDecision, budget?: TBudgetStep): Promise<TGateOutcome> {
  return executeApprovedCallWith(await gatePlugins().tools(), held, decision, budget);
}

/** executeApprovedCall against this registry. */
export async function executeApprovedCallWith(
  registry: ToolRegistry,
  held: TApprovedCall,
  decision: TGateDecision,
  budget?: TBudgetStep,
): Promise<TGateOutcome> {
  const call: TGateCall = { tenantId: held.tenantId, runId: held.runId, principal: held.principal, tool: held.tool, args: held.args };
  const reserve = budget ?? gatePlugins().budget;
  const clock = new StepClock();
  const { isRecorded, ...outcome } = await (async (): Promise<TRecordedOutcome> => {
    const tool = registry.get(held.tool);
    if (!tool) return denied(refusal("registry", `There is no tool "${held.tool}" in this ${registry.mode} deployment any more.`), clock);
    const parsed = tool.input.safeParse(held.args);
    if (!parsed.success)
      return denied(
        refusal("registry", `The approved arguments for ${tool.name} are not valid any more: ${describeIssues(parsed.error)}.`),
        clock,
      );
    if (callDigest({ runId: held.runId, tool: tool.name, args: parsed.data }) !== held.digest)
      return denied(
        refusal("approval", "The call changed after it was approved (its digest no longer matches): it needs a new approval."),
        clock,
      );
    const tenant = await clock.run("tenant", () => tenantStep(held.tenantId, held.runId, tool.name, registry.mode));
    if (failedStep(tenant)) return denied(tenant.decision, clock);
    const policy = await clock.run("policy", () => policyStep(call, tool, parsed.data, tenant.value));
    if (failedStep(policy)) return denied(policy.decision, clock);
    const nested = nestedGate(registry, call, reserve);
    const timed = (tx?: TToolTransaction) =>
      clock
        .run("execute", () => executeStep(tool, call, parsed.data, decision, nested, tx))
        .then((executed) => ({ ...executed, durationsMs: clock.durations }));
    // The request's claim (executed_at) is this call's started record; an internal
    // tool's effect still commits with its events, and its budget charge with them.
    // The budget is charged against the window the call runs in, not the one it was held in.
    if (tool.effect === "internal") {
      const executed = await recordWithEffect(call, async (tx) => {
        const charged = await clock.run("budget", () =>
          budgetStep(reserve, call, tool, { hasBudgets: tenant.value.hasBudgets, db: tx.db }),
        );
        return failedStep(charged) ? denied(charged.decision, clock) : timed(tx);
      });
      return { ...executed, isRecorded: true };
    }
    const budgeted = await clock.run("budget", () => budgetStep(reserve, call, tool, { hasBudgets: tenant.value.hasBudgets }));
    if (failedStep(budgeted)) return denied(budgeted.decision, clock);
    return settled(reserve, call.tenantId, budgeted.value, () => timed());
  })();
  if (!isRecorded) await recordOutcome(call, outcome);
  return outcome;
}

/** The whole gate, with the deployment's tools: decide, execute when allowed, and record everything. */
export async function runGate(call: TGateCall, budget?: TBudgetStep): Promise<TGateOutcome> {
  return runGateWith(await gatePlugins().tools(), call, budget);
}

/** The whole gate against this registry. */
export async function runGateWith(registry: ToolRegistry, call: TGateCall, budget?: TBudgetStep): Promise<TGateOutcome> {
  const { isRecorded, ...outcome } = await decideCallWith(registry, call, budget);
  if (!isRecorded) await recordOutcome(call, outcome);
  // A first tier decided by a policy pack decides now, after the hold is recorded.
  if (outcome.status === "held" && outcome.isPackTier) await gatePlugins().approval.afterHold(call.tenantId, outcome.approvalRequestId);
  return outcome;
}
