// Which planner proposes a tenant's tool calls: its model (Settings → Model, or the
// deployment's default), or the scripted demo planner when there is none. Every
// caller that starts an agent turn (chat, schedules, inbound messages, replay)
// takes the planner from here.
import type { TPlanner } from "@/server/events/replay";
import type { ToolCatalog } from "@/server/tools/catalog";
import { createModelPlanner, type TModelPlannerOptions } from "./model-planner";
import { languageModelFor, modelConfigFor, plannerName } from "./models";
import { scriptedPlan } from "./scripted-planner";

export const scriptedPlanner: TPlanner = async ({ message, results }) => scriptedPlan(message, results);

/** The tenant's planner and its name ("scripted" or "<provider>:<model>", kept on each run). */
export async function plannerForTenant(
  tenantId: string,
  catalog: ToolCatalog,
  options: TModelPlannerOptions = {},
): Promise<{ planner: TPlanner; name: string }> {
  const config = await modelConfigFor(tenantId);
  const model = languageModelFor(config);
  return { planner: model ? createModelPlanner(model, catalog, options) : scriptedPlanner, name: plannerName(config) };
}
