// 2. tenant: the run is this tenant's and the tool is enabled here; the run's taint
//    and the tenant's composition come back with the same one read.
import type { TDeploymentMode } from "@/server/env";
import { loadCallState, type TCallState } from "../call-state";
import { pass, refusal, stop, type TStepResult } from "./refusal";

export type TTenantState = Omit<TCallState, "run"> & { run: { isTainted: boolean } };

/** `mode` is the registry's: a tenant with no stored composition gets that mode's default. */
export async function tenantStep(tenantId: string, runId: string, tool: string, mode: TDeploymentMode): Promise<TStepResult<TTenantState>> {
  return checkTenantState(await loadCallState(tenantId, runId, tool, mode), tool);
}

/** The step's checks over a state already read (with BEGIN of an internal call's transaction). */
export function checkTenantState(state: TCallState, tool: string): TStepResult<TTenantState> {
  if (!state.run) return stop(refusal("tenant", "This run does not belong to this tenant."));
  if (!state.isEnabled) return stop(refusal("tenant", `${tool} is turned off for this tenant.`));
  return pass({ ...state, run: state.run });
}
