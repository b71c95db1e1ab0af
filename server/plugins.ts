// Where the seams between domains are joined, once at start-up (server/startup.ts,
// the integration tests' setup, scripts that run the gate); calling it again is
// harmless:
//  - the gate's plug-ins: approvals from server/approvals, and the budget step (none
//    yet: every call is within budget until budgets land);
//  - the tool names policy packs are validated against, from the tool registry.
// The domains behind them are loaded on first use, not here: installing must not
// read (and so freeze) the environment before the process has set it up.
import { setGatePlugins } from "@/server/gate/plugins";
import { noBudget, type TApprovalPlugin } from "@/server/gate/types";
import { setPackToolNames } from "@/server/policy/tool-names";

const approvals = () => import("@/server/approvals/gate-plugin").then((module) => module.approvalPlugin);

const approvalPlugin: TApprovalPlugin = {
  hold: async (held) => (await approvals()).hold(held),
  afterHold: async (tenantId, requestId) => (await approvals()).afterHold(tenantId, requestId),
};

export function installPlugins(): void {
  setGatePlugins({ approval: approvalPlugin, budget: noBudget });
  setPackToolNames(async () => {
    const [{ env }, { registryFor }] = await Promise.all([import("@/server/env"), import("@/server/tools/registry")]);
    return (await registryFor(env.DEPLOYMENT_MODE)).names();
  });
}
