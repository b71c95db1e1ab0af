// The tool registry, built once per process for DEPLOYMENT_MODE. In saas, no
// local tool can be registered (register() throws at start-up) and the module
// that defines them is never even imported: there is no code path from a plan
// to a shell or the file system, whatever the plan says.
import type { TDeploymentMode } from "@/server/env";
import { API_TOOLS } from "./api/index";
import { MEMORY_TOOLS } from "./memory";
import type { TAnyTool } from "./types";

export class ToolRegistry {
  private readonly tools = new Map<string, TAnyTool>();

  constructor(readonly mode: TDeploymentMode) {}

  register(tool: TAnyTool): void {
    if (this.mode === "saas" && tool.capability === "local") {
      throw new Error(`${tool.name} is a local tool (shell, file system or process); it cannot be registered in saas mode.`);
    }
    if (this.tools.has(tool.name)) throw new Error(`${tool.name} is registered twice.`);
    this.tools.set(tool.name, tool);
  }

  get(name: string): TAnyTool | undefined {
    return this.tools.get(name);
  }

  list(): TAnyTool[] {
    return [...this.tools.values()];
  }

  names(): string[] {
    return [...this.tools.keys()];
  }
}

export async function buildRegistry(mode: TDeploymentMode): Promise<ToolRegistry> {
  const registry = new ToolRegistry(mode);
  for (const tool of [...MEMORY_TOOLS, ...API_TOOLS]) registry.register(tool);
  if (mode === "self_hosted") {
    const { LOCAL_TOOLS } = await import("./local/index");
    for (const tool of LOCAL_TOOLS) registry.register(tool);
  }
  return registry;
}

const globalForRegistry = globalThis as unknown as { agentFabricRegistries?: Map<TDeploymentMode, Promise<ToolRegistry>> };

/** The process's registry for a mode (built on first use, then shared). */
export function registryFor(mode: TDeploymentMode): Promise<ToolRegistry> {
  const registries = (globalForRegistry.agentFabricRegistries ??= new Map());
  let registry = registries.get(mode);
  if (!registry) {
    registry = buildRegistry(mode);
    registries.set(mode, registry);
  }
  return registry;
}
