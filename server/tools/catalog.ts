// The one place a deployment's tools are assembled, once per process and mode.
// Two views of the same tools:
//  - the registry (executable): handed to the gate at start-up (server/plugins.ts),
//    the only code that runs a tool;
//  - the catalog (read-only): what the agent, its planners and the settings page
//    see. Its items are copies without `execute` or `policyFields`, so nothing
//    holding a catalog can run a tool, even by reaching past the types.
// In saas the module that defines local tools is never imported, and the registry
// refuses to register one: no plan can reach a shell or the file system.
import type { TDeploymentMode } from "@/server/env";
import { API_TOOLS } from "./api/index";
import { MEMORY_TOOLS } from "./memory";
import { ToolRegistry } from "./registry";
import type { TAnyTool } from "./types";

/** What may be known about a tool without being able to run it. */
export type TToolInfo = Readonly<Omit<TAnyTool, "execute" | "policyFields">>;

/** Copies the descriptive fields by name: a field added to definitions later stays out until listed here. */
function infoOf(tool: TAnyTool): TToolInfo {
  const { name, description, input, safetyClass, capability, readsUntrustedContent, mayHoldRun, timeoutMs, maxOutputBytes } = tool;
  return Object.freeze({ name, description, input, safetyClass, capability, readsUntrustedContent, mayHoldRun, timeoutMs, maxOutputBytes });
}

/** The deployment's tools, read-only: names, descriptions, input schemas, safety classes. */
export class ToolCatalog {
  readonly mode: TDeploymentMode;
  private readonly tools: ReadonlyMap<string, TToolInfo>;

  /** Keeps copies only, not the registry: a catalog cannot lead back to `execute`. */
  constructor(registry: ToolRegistry) {
    this.mode = registry.mode;
    this.tools = new Map(registry.list().map((tool) => [tool.name, infoOf(tool)]));
  }

  get(name: string): TToolInfo | undefined {
    return this.tools.get(name);
  }

  list(): TToolInfo[] {
    return [...this.tools.values()];
  }

  names(): string[] {
    return [...this.tools.keys()];
  }
}

/** A fresh registry of the mode's tools (tests that need a second mode in one process build one). */
export async function buildToolRegistry(mode: TDeploymentMode): Promise<ToolRegistry> {
  const registry = new ToolRegistry(mode);
  for (const tool of [...MEMORY_TOOLS, ...API_TOOLS]) registry.register(tool);
  if (mode === "self_hosted") {
    const { LOCAL_TOOLS } = await import("./local/index");
    for (const tool of LOCAL_TOOLS) registry.register(tool);
  }
  return registry;
}

// Process-wide (globalThis), so every bundle of the app shares one registry per mode.
const slot = globalThis as unknown as {
  agentFabricToolRegistries?: Map<TDeploymentMode, Promise<ToolRegistry>>;
  agentFabricToolCatalogs?: Map<TDeploymentMode, Promise<ToolCatalog>>;
};

/** The process's registry for a mode (built on first use, then shared). For the gate: server/plugins.ts installs it. */
export function toolRegistry(mode: TDeploymentMode): Promise<ToolRegistry> {
  const registries = (slot.agentFabricToolRegistries ??= new Map());
  let registry = registries.get(mode);
  if (!registry) {
    registry = buildToolRegistry(mode);
    registries.set(mode, registry);
  }
  return registry;
}

/** The process's read-only catalog for a mode, a view of the same tools the gate runs. */
export function toolCatalog(mode: TDeploymentMode): Promise<ToolCatalog> {
  const catalogs = (slot.agentFabricToolCatalogs ??= new Map());
  let catalog = catalogs.get(mode);
  if (!catalog) {
    catalog = toolRegistry(mode).then((registry) => new ToolCatalog(registry));
    catalogs.set(mode, catalog);
  }
  return catalog;
}
