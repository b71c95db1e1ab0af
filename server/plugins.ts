// Where the seams between domains are joined, once at start-up (server/startup.ts,
// the integration tests' setup, scripts that run the gate); calling it again is
// harmless:
//  - the gate's plug-ins: approvals from server/approvals, and the budget step (none
//    yet: every call is within budget until budgets land);
//  - the tool names policy packs are validated against, from the tool registry.
import { approvalPlugin } from "@/server/approvals/gate-plugin";
import { setGatePlugins } from "@/server/gate/plugins";
import { noBudget } from "@/server/gate/types";
import { env } from "@/server/env";
import { setPackToolNames } from "@/server/policy/tool-names";
import { registryFor } from "@/server/tools/registry";

export function installPlugins(): void {
  setGatePlugins({ approval: approvalPlugin, budget: noBudget });
  setPackToolNames(async () => (await registryFor(env.DEPLOYMENT_MODE)).names());
}
