// The tool names packs are validated against (Cedar's schema of actions). The tool
// registry provides them at start-up (server/plugins.ts): policy never imports tools.
type TToolNames = () => Promise<readonly string[]>;

const slot = globalThis as unknown as { agentFabricPackToolNames?: TToolNames };

export function setPackToolNames(names: TToolNames): void {
  slot.agentFabricPackToolNames = names;
}

export async function packToolNames(): Promise<readonly string[]> {
  const names = slot.agentFabricPackToolNames;
  if (!names) throw new Error("The tool names for policy packs are not installed: call installPlugins() (server/plugins.ts) at start-up.");
  return names();
}
