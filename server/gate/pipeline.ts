// The Tool Policy Gate: every tool call, whoever planned it, passes these steps
// in order; each has one job and the first that refuses ends the call.
//   registry → tenant → policy → budget → approval → execute → record
// Nothing here trusts the plan: the tool name and arguments are parsed by the
// registry, the tenant comes from the call's context, never from the arguments.
import { createHash } from "node:crypto";
import { z } from "zod";
import { scrubText, scrubValue, withSecretScope } from "@/server/credentials/scope";
import { withTenant } from "@/server/db";
import { logger } from "@/server/logger";
import { canonicalJson } from "@/server/events/hash";
import { compileComposition, decide, type TPolicyDecision } from "@/server/policy/evaluate";
import type { TPolicyContext } from "@/server/policy/schema";
import type { ToolRegistry } from "@/server/tools/registry";
import type { TAnyTool } from "@/server/tools/types";
import { createHeldRequest } from "@/server/approvals/requests";
import { loadCallState } from "./call-state";
import { detectPii } from "./pii";
import { recordOutcome } from "./record";
import { noBudget, type TBudgetStep, type TGateCall, type TGateDecision, type TGateOutcome, type TGateStep } from "./types";

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024;
const LOCAL_NAMES = /^(shell|fs|process|exec|python|node|bash|sh|file|files|os)\b/i;

function refusal(step: TGateStep, explanation: string, from?: TPolicyDecision): TGateDecision {
  return {
    effect: from?.effect === "require_approval" ? "require_approval" : "deny",
    step,
    explanation,
    policies: from?.policies.map((policy) => ({ id: policy.id, pack: policy.pack, version: policy.version })) ?? [],
    tags: from?.tags ?? [],
  };
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => (issue.path.length ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
    .join("; ");
}

export function callDigest(call: { runId: string; tool: string; args: unknown }): string {
  return createHash("sha256")
    .update(canonicalJson({ runId: call.runId, tool: call.tool, args: call.args ?? null }))
    .digest("hex");
}

async function withTimeout<T>(work: (signal: AbortSignal) => Promise<T>, timeoutMs: number): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([work(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Decide (and, when allowed, execute) one call. Never throws for a bad plan: it refuses. */
export async function decideCall(registry: ToolRegistry, call: TGateCall, budget: TBudgetStep = noBudget): Promise<TGateOutcome> {
  // 1. registry: the tool exists in this deployment, and the arguments match its schema.
  const tool = typeof call.tool === "string" ? registry.get(call.tool) : undefined;
  if (!tool) {
    const name = typeof call.tool === "string" ? call.tool.slice(0, 80).replaceAll("\u0000", "\\u0000") : `(${typeof call.tool})`;
    const local =
      registry.mode === "saas" && LOCAL_NAMES.test(name) ? " Shell, file system and process tools do not exist in saas deployments." : "";
    return { status: "denied", decision: refusal("registry", `There is no tool "${name}" in this ${registry.mode} deployment.${local}`) };
  }
  const parsed = tool.input.safeParse(call.args);
  if (!parsed.success)
    return {
      status: "denied",
      decision: refusal("registry", `The arguments for ${tool.name} are not valid: ${describeIssues(parsed.error)}.`),
    };
  const args = parsed.data;

  // 2. tenant: the run is this tenant's, the tool is enabled here; read the run's taint and the composition.
  const state = await loadCallState(call.tenantId, call.runId, tool.name);
  if (!state.run) return { status: "denied", decision: refusal("tenant", "This run does not belong to this tenant.") };
  if (!state.isEnabled) return { status: "denied", decision: refusal("tenant", `${tool.name} is turned off for this tenant.`) };

  // 3. policy: Cedar over the tenant's composition; fail closed on a composition that does not compile
  //    or names a pack that is not there.
  if (state.composition.missingPacks.length > 0)
    return {
      status: "denied",
      decision: refusal(
        "policy",
        `The tenant's policy composition names ${state.composition.missingPacks.join(", ")}, which does not exist (or was deleted); nothing is allowed until the composition is fixed.`,
      ),
    };
  let routing: Partial<TPolicyContext>;
  try {
    routing = (await tool.policyFields?.(args, { tenantId: call.tenantId })) ?? {};
  } catch (error) {
    // A bad argument (an unparsable URL) is the caller's to fix and is said; anything else
    // (a database error reading the tenant's counterparties) is logged, not told: its text
    // would reach the event log and the chat.
    const isArgumentError = error instanceof TypeError;
    if (!isArgumentError) logger.error({ err: error, tool: tool.name }, "policy fields could not be read");
    const reason = isArgumentError ? error.message : "an internal error (logged)";
    return { status: "denied", decision: refusal("policy", `The fields policies route on could not be read: ${reason}`) };
  }
  let policy: TPolicyDecision;
  try {
    policy = decide(compileComposition(state.composition), {
      principal: call.principal,
      action: tool.name,
      tenantId: call.tenantId,
      context: {
        safetyClass: tool.safetyClass,
        tainted: state.run.isTainted,
        tags: [],
        pii: detectPii(args),
        ...routing,
      },
    });
  } catch (error) {
    return {
      status: "denied",
      decision: refusal(
        "policy",
        `The tenant's policy composition cannot be evaluated: ${error instanceof Error ? error.message : "unknown error"}`,
      ),
    };
  }
  if (policy.effect === "deny") return { status: "denied", decision: refusal("policy", policy.explanation, policy) };

  // 4. budget (filled by the budgets issue).
  const budgetCheck = await budget(call, tool);
  if (!budgetCheck.isAllowed) return { status: "denied", decision: refusal("budget", budgetCheck.explanation) };

  // 5. approval: a held call waits for people, bound to exactly this tool, these arguments and this run,
  //    routed by the tenant's approval workflow to its chain of approvers.
  if (policy.effect === "require_approval") {
    const decision = refusal("approval", `Waiting for approval: ${policy.explanation}`, policy);
    const request = await createHeldRequest({
      tenantId: call.tenantId,
      runId: call.runId,
      tool: tool.name,
      args,
      digest: callDigest({ runId: call.runId, tool: tool.name, args }),
      decision,
      requestedBy: principalOf(call),
      routed: {
        tool: tool.name,
        safetyClass: tool.safetyClass,
        tags: decision.tags,
        ...(routing.amount !== undefined ? { amount: routing.amount } : {}),
        ...(routing.currency !== undefined ? { currency: routing.currency } : {}),
        ...(routing.counterparty !== undefined ? { counterparty: routing.counterparty } : {}),
      },
    });
    return { status: "held", decision, approvalRequestId: request.id, isPackTier: request.isPackTier };
  }

  // 6. execute: time-limited, output-capped; the tenant comes from the call, not the plan.
  const decision: TGateDecision = {
    effect: "allow",
    step: "execute",
    explanation: policy.explanation,
    policies: policy.policies.map((meta) => ({ id: meta.id, pack: meta.pack, version: meta.version })),
    tags: [],
  };
  return executeStep(tool, call, args, decision);
}

function principalOf(call: TGateCall): string {
  return call.principal.type === "User" ? `user:${call.principal.id}` : `agent:${call.principal.id}`;
}

/** The execute step: time-limited, output-capped, secrets scrubbed, taint marked. */
async function executeStep(tool: TAnyTool, call: TGateCall, args: unknown, decision: TGateDecision): Promise<TGateOutcome> {
  // Secrets the tool opens are scrubbed from whatever it returns or throws.
  const secrets = new Set<string>();
  try {
    const result = scrubValue(
      await withSecretScope(secrets, () =>
        withTimeout(
          (signal) => tool.execute({ tenantId: call.tenantId, runId: call.runId, principal: principalOf(call), signal }, args),
          tool.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        ),
      ),
      secrets,
    );
    const size = Buffer.byteLength(JSON.stringify(result ?? null));
    const maxBytes = tool.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    if (tool.readsUntrustedContent)
      await withTenant(call.tenantId, (db) => db.run.update({ where: { id: call.runId }, data: { isTainted: true } }));
    if (size > maxBytes)
      return { status: "executed", decision, result: { truncated: true, bytes: size, note: `output over ${maxBytes} bytes was dropped` } };
    return { status: "executed", decision, result };
  } catch (error) {
    return { status: "failed", decision, error: scrubText(error instanceof Error ? error.message : "the tool failed", secrets) };
  }
}

/**
 * An approved held call, executed through the gate's remaining steps: the registry
 * parses the stored arguments again, the tenant step checks the run and the tool
 * switch, the digest must still bind run, tool and arguments (a changed call needs
 * a new approval), then execute and record. The caller guarantees it runs once.
 */
export async function executeApprovedCall(
  registry: ToolRegistry,
  held: { tenantId: string; runId: string; tool: string; args: unknown; digest: string; principal: TGateCall["principal"] },
  decision: TGateDecision,
  budget: TBudgetStep = noBudget,
): Promise<TGateOutcome> {
  const call: TGateCall = { tenantId: held.tenantId, runId: held.runId, principal: held.principal, tool: held.tool, args: held.args };
  const outcome = await (async (): Promise<TGateOutcome> => {
    const tool = registry.get(held.tool);
    if (!tool)
      return {
        status: "denied",
        decision: refusal("registry", `There is no tool "${held.tool}" in this ${registry.mode} deployment any more.`),
      };
    const parsed = tool.input.safeParse(held.args);
    if (!parsed.success)
      return {
        status: "denied",
        decision: refusal("registry", `The approved arguments for ${tool.name} are not valid any more: ${describeIssues(parsed.error)}.`),
      };
    if (callDigest({ runId: held.runId, tool: tool.name, args: parsed.data }) !== held.digest)
      return {
        status: "denied",
        decision: refusal("approval", "The call changed after it was approved (its digest no longer matches): it needs a new approval."),
      };
    const state = await loadCallState(held.tenantId, held.runId, tool.name);
    if (!state.run) return { status: "denied", decision: refusal("tenant", "This run does not belong to this tenant.") };
    if (!state.isEnabled) return { status: "denied", decision: refusal("tenant", `${tool.name} is turned off for this tenant.`) };
    const budgetCheck = await budget(call, tool);
    if (!budgetCheck.isAllowed) return { status: "denied", decision: refusal("budget", budgetCheck.explanation) };
    return executeStep(tool, call, parsed.data, decision);
  })();
  await recordOutcome(call, outcome);
  return outcome;
}

/** The whole gate: decide, execute when allowed, and record everything. */
export async function runGate(registry: ToolRegistry, call: TGateCall, budget?: TBudgetStep): Promise<TGateOutcome> {
  const outcome = await decideCall(registry, call, budget);
  await recordOutcome(call, outcome);
  // A first tier decided by a policy pack decides now, after the hold is recorded (the
  // approvals module is loaded lazily: it executes approved calls through this one).
  if (outcome.status === "held" && outcome.isPackTier)
    await (await import("@/server/approvals/service")).decideByPackIfAny(call.tenantId, outcome.approvalRequestId);
  return outcome;
}
