// 1. registry: the tool exists in this deployment's mode, and the arguments match
//    its schema. Nothing the planner sent is trusted before this step.
import type { z } from "zod";
import type { ToolRegistry } from "@/server/tools/registry";
import type { TAnyTool } from "@/server/tools/types";
import { pass, refusal, stop, type TStepResult } from "./refusal";

const LOCAL_NAMES = /^(shell|fs|process|exec|python|node|bash|sh|file|files|os)\b/i;

export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => (issue.path.length ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
    .join("; ");
}

export function registryStep(registry: ToolRegistry, toolName: unknown, rawArgs: unknown): TStepResult<{ tool: TAnyTool; args: unknown }> {
  const tool = typeof toolName === "string" ? registry.get(toolName) : undefined;
  if (!tool) {
    const name = typeof toolName === "string" ? toolName.slice(0, 80).replaceAll("\u0000", "\\u0000") : `(${typeof toolName})`;
    const local =
      registry.mode === "saas" && LOCAL_NAMES.test(name) ? " Shell, file system and process tools do not exist in saas deployments." : "";
    return stop(refusal("registry", `There is no tool "${name}" in this ${registry.mode} deployment.${local}`));
  }
  const parsed = tool.input.safeParse(rawArgs);
  if (!parsed.success) return stop(refusal("registry", `The arguments for ${tool.name} are not valid: ${describeIssues(parsed.error)}.`));
  return pass({ tool, args: parsed.data });
}
