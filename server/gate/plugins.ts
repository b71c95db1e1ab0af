// The gate's plug-in points, filled once at start-up by server/plugins.ts:
// approvals (route and decide held calls), budgets (reserve quotas) and the tool
// registry of the deployment (the tools the gate runs). The slot
// is process-wide (globalThis), so every bundle of the app sees the same plug-ins.
import type { TGatePlugins } from "./types";

const slot = globalThis as unknown as { agentFabricGatePlugins?: TGatePlugins };

export function setGatePlugins(plugins: TGatePlugins): void {
  slot.agentFabricGatePlugins = plugins;
}

/** The installed plug-ins. Loud when missing: a gate without approvals must not run at all. */
export function gatePlugins(): TGatePlugins {
  const plugins = slot.agentFabricGatePlugins;
  if (!plugins) throw new Error("The gate's plug-ins are not installed: call installPlugins() (server/plugins.ts) at start-up.");
  return plugins;
}
