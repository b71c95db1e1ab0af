// Where the seams between domains are joined, once at start-up (server/startup.ts,
// the integration tests' setup, scripts that run the gate); calling it again is
// harmless:
//  - the gate's plug-ins: approvals from server/approvals, the budget step from
//    server/budgets, and the tools it runs, the deployment's registry from
//    server/tools/catalog.ts;
//  - the tool names policy packs are validated against, from the same registry.
// The domains behind them are loaded on first use, not here: installing must not
// read (and so freeze) the environment before the process has set it up.
import { setGatePlugins } from "@/server/gate/plugins";
import type { TApprovalPlugin, TBudgetStep, TToolSource } from "@/server/gate/types";
import { setPackToolNames } from "@/server/policy/tool-names";

/** Loads once: a dynamic import on every gate call costs a module-loader round (tens of µs). */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => {
    loaded ??= load().catch((error: unknown) => {
      loaded = undefined;
      throw error;
    });
    return loaded;
  };
}

const approvals = once(() => import("@/server/approvals/gate-plugin").then((module) => module.approvalPlugin));

const approvalPlugin: TApprovalPlugin = {
  hold: async (held, db) => (await approvals()).hold(held, db),
  afterHold: async (tenantId, requestId) => (await approvals()).afterHold(tenantId, requestId),
};

const budgets = once(() => import("@/server/budgets/gate-plugin").then((module) => module.budgetPlugin));

const budgetPlugin: TBudgetStep = {
  reserve: async (call, tool, db) => (await budgets()).reserve(call, tool, db),
  settle: async (tenantId, reservation, isUsed) => (await budgets()).settle(tenantId, reservation, isUsed),
};

const tools: TToolSource = once(async () => {
  const [{ env }, { toolRegistry }] = await Promise.all([import("@/server/env"), import("@/server/tools/catalog")]);
  return toolRegistry(env.DEPLOYMENT_MODE);
});

export function installPlugins(): void {
  setGatePlugins({ approval: approvalPlugin, budget: budgetPlugin, tools });
  setPackToolNames(async () => (await tools()).names());
}
