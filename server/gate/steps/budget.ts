// 4. budget: the installed budget plug-in reserves the call's quotas and rates, or
//    says which budget is short. The gate knows no budget implementation.
import type { TAnyTool } from "@/server/tools/types";
import type { TBudgetStep, TGateCall } from "../types";
import { pass, refusal, stop, type TStepResult } from "./refusal";

export async function budgetStep(budget: TBudgetStep, call: TGateCall, tool: TAnyTool): Promise<TStepResult<null>> {
  const check = await budget(call, tool);
  return check.isAllowed ? pass(null) : stop(refusal("budget", check.explanation));
}
