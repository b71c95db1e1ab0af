// 3. policy: Cedar over the tenant's composition. Fails closed on a composition that
//    names a missing pack or does not compile, and on fields that cannot be read.
import { logger } from "@/server/logger";
import { decide, type TPolicyDecision } from "@/server/policy/evaluate";
import type { TPolicyContext } from "@/server/policy/schema";
import type { TAnyTool } from "@/server/tools/types";
import { compiledComposition } from "../call-state";
import { detectPii } from "../pii";
import type { TGateCall } from "../types";
import { pass, refusal, stop, type TStepResult } from "./refusal";
import type { TTenantState } from "./tenant";

/** What passed policy: its decision (allow, or require_approval) and the routing fields it saw. */
export type TPolicyPass = { policy: TPolicyDecision; routing: Partial<TPolicyContext> };

export async function policyStep(call: TGateCall, tool: TAnyTool, args: unknown, state: TTenantState): Promise<TStepResult<TPolicyPass>> {
  if (state.composition.missingPacks.length > 0)
    return stop(
      refusal(
        "policy",
        `The tenant's policy composition names ${state.composition.missingPacks.join(", ")}, which does not exist (or was deleted); nothing is allowed until the composition is fixed.`,
      ),
    );
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
    return stop(refusal("policy", `The fields policies route on could not be read: ${reason}`));
  }
  let policy: TPolicyDecision;
  try {
    // Compiled once per composition generation of this process (call-state.ts).
    policy = decide(compiledComposition(state.composition), {
      principal: call.principal,
      action: tool.name,
      tenantId: call.tenantId,
      context: { safetyClass: tool.safetyClass, tainted: state.run.isTainted, tags: [], pii: detectPii(args), ...routing },
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : "unknown error";
    return stop(refusal("policy", `The tenant's policy composition cannot be evaluated: ${reason}`));
  }
  if (policy.effect === "deny") return stop(refusal("policy", policy.explanation, policy));
  return pass({ policy, routing });
}
