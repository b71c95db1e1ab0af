// Replay a recorded run: the planner that planned it is asked again, step by step,
// and served the recorded tool results; nothing executes. The first step where it
// asks for something else is the divergence. A model run replays only with the same
// model (the tenant may have changed it since), and calls that model again.
import { withTenant } from "@/server/db";
import { env } from "@/server/env";
import { AppError, notFound } from "@/server/errors";
import { replayRun, type TReplay } from "@/server/events/replay";
import { toolCatalog } from "@/server/tools/catalog";
import { conversationHistory } from "@/server/agent/chat";
import { plannerForTenant, scriptedPlanner } from "@/server/agent/planner";

const REPLAYED_TYPES = ["message.user", "plan.tool_call", "tool.call", "tool.result"];

export async function replayRecordedRun(tenantId: string, runId: string): Promise<TReplay & { planner: string }> {
  const recorded = await withTenant(tenantId, async (db) => {
    const run = await db.run.findFirst({ where: { id: runId, tenantId } });
    if (!run) return null;
    const events = await db.event.findMany({ where: { tenantId, runId, type: { in: REPLAYED_TYPES } }, orderBy: { seq: "asc" } });
    return { run, events: events.map((event) => ({ type: event.type, payload: JSON.parse(event.payload) as unknown })) };
  });
  if (!recorded) throw notFound("Run");
  const { run, events } = recorded;
  if (!events.some((event) => event.type === "message.user"))
    throw new AppError("PRECONDITION_FAILED", "This run has no recorded request to replay (its events may have expired under retention).");
  let planner = scriptedPlanner;
  if (run.planner !== "scripted") {
    const catalog = await toolCatalog(env.DEPLOYMENT_MODE);
    const history = run.conversationId ? await conversationHistory(tenantId, run.conversationId, run.startedAt) : [];
    const current = await plannerForTenant(tenantId, catalog, { history });
    if (current.name !== run.planner)
      throw new AppError(
        "PRECONDITION_FAILED",
        `This run was planned by ${run.planner}; the tenant now plans with ${current.name}, so a replay would compare different planners.`,
      );
    planner = current.planner;
  }
  return { planner: run.planner, ...(await replayRun(events, planner)) };
}
