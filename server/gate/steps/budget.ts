// 4. budget: the installed budget plug-in charges or reserves the call against the
//    tenant's budgets, or says which budget is spent. The gate knows no budget
//    implementation. A held call reserves nothing while it waits: the step runs when
//    it is approved and executes.
import type { TenantDb } from "@/server/db";
import type { TAnyTool } from "@/server/tools/types";
import type { TBudgetStep, TGateCall } from "../types";
import { pass, refusal, stop, type TStepResult } from "./refusal";

/**
 * The reservation to settle after the call (null when charged in `db`'s transaction or
 * no budget applies). `hasBudgets` is the tenant step's answer: without any budget that
 * could apply, the step costs nothing.
 */
export async function budgetStep(
  budget: TBudgetStep,
  call: TGateCall,
  tool: TAnyTool,
  options: { hasBudgets: boolean; db?: TenantDb },
): Promise<TStepResult<string | null>> {
  if (!options.hasBudgets) return pass(null);
  const check = await budget.reserve(call, tool, options.db);
  return check.isAllowed ? pass(check.reservation) : stop(refusal("budget", check.explanation));
}
