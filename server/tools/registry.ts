// The executable tool registry: what the gate looks tools up in, by name, and runs.
// It holds no tools of its own: server/tools/catalog.ts assembles the deployment's
// tools into it, and hands the gate the registry and everyone else a read-only
// catalog. In saas, a local tool cannot be registered (register() throws), so there
// is no code path from a plan to a shell or the file system, whatever the plan says.
import type { TDeploymentMode } from "@/server/env";
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
