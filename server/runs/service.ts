// Runs and their timelines, for the run viewer.
import { containsText, type Prisma, type TenantDb } from "@/server/db";
import { notFound } from "@/server/errors";
import { redactSecrets } from "@/server/events/redact";
import type { TRunFilters } from "./schemas";

/**
 * How a run ended, beyond its status ("completed" covers a refusal and a payment alike):
 * answered (no tool call), done, outbox (a connector call went to the sandbox Outbox,
 * nothing was sent), refused (the gate denied), approved / approved_outbox, denied,
 * withdrawn and expired (held calls), failed; running and waiting_approval while open.
 */
export const RUN_OUTCOMES = [
  "running",
  "waiting_approval",
  "answered",
  "done",
  "outbox",
  "refused",
  "approved",
  "approved_outbox",
  "denied",
  "withdrawn",
  "expired",
  "failed",
] as const;
export type TRunOutcome = (typeof RUN_OUTCOMES)[number];

const HELD_OUTCOMES: Record<string, TRunOutcome> = { denied: "denied", cancelled: "withdrawn", expired: "expired" };

/** The outcome of a run from what its end recorded; runs ended before outcomes were recorded fall back to their held call. */
export function runOutcome(
  run: { status: string },
  recorded: unknown,
  request: { status: string; outcome: unknown } | undefined,
): TRunOutcome {
  if (run.status === "running" || run.status === "waiting_approval") return run.status;
  if (typeof recorded === "string" && (RUN_OUTCOMES as readonly string[]).includes(recorded)) return recorded as TRunOutcome;
  if (run.status === "failed") return "failed";
  if (request) {
    if (request.status === "approved") {
      const outcome = request.outcome as { status?: unknown; delivered?: unknown } | null;
      if (outcome?.status === "failed") return "failed";
      if (outcome?.status === "denied") return "refused";
      return outcome?.delivered === "sandbox_outbox" ? "approved_outbox" : "approved";
    }
    return HELD_OUTCOMES[request.status] ?? "done";
  }
  return "done";
}

/** Outcomes of a page of runs: two reads for the page, not two per run. */
async function outcomesOf(db: TenantDb, tenantId: string, runs: { id: string; status: string }[]): Promise<Map<string, TRunOutcome>> {
  const ended = runs.filter((run) => run.status !== "running" && run.status !== "waiting_approval").map((run) => run.id);
  const [events, requests] = ended.length
    ? await Promise.all([
        db.event.findMany({ where: { tenantId, runId: { in: ended }, type: "run.completed" }, select: { runId: true, payload: true } }),
        db.approvalRequest.findMany({
          where: { tenantId, runId: { in: ended } },
          orderBy: { createdAt: "asc" },
          select: { runId: true, status: true, outcome: true },
        }),
      ])
    : [[], []];
  const recorded = new Map(events.map((event) => [event.runId, (JSON.parse(event.payload) as { outcome?: unknown }).outcome]));
  // The newest request of a run decides (a workflow may hold more than one step).
  const held = new Map(requests.map((request) => [request.runId, request]));
  return new Map(runs.map((run) => [run.id, runOutcome(run, recorded.get(run.id), held.get(run.id))]));
}

export async function listRuns(db: TenantDb, tenantId: string, filters: TRunFilters) {
  const where: Prisma.RunWhereInput = {
    tenantId,
    ...(filters.status ? { status: filters.status } : {}),
    ...(filters.principal ? { principal: containsText(filters.principal) } : {}),
    ...(filters.tool ? { tools: { has: filters.tool } } : {}),
    ...(filters.from || filters.to
      ? { startedAt: { ...(filters.from ? { gte: filters.from } : {}), ...(filters.to ? { lt: filters.to } : {}) } }
      : {}),
  };
  const rows = await db.run.findMany({
    where,
    orderBy: [{ startedAt: "desc" }, { id: "desc" }],
    take: filters.limit + 1,
    ...(filters.cursor ? { cursor: { id: filters.cursor }, skip: 1 } : {}),
  });
  const items = rows.slice(0, filters.limit);
  const outcomes = await outcomesOf(db, tenantId, items);
  return {
    items: items.map((run) => ({ ...run, outcome: outcomes.get(run.id) ?? "done" })),
    nextCursor: rows.length > filters.limit ? (rows[filters.limit - 1]?.id ?? null) : null,
  };
}

export type TTimelineStep = {
  seq: string;
  type: string;
  eventClass: string;
  kind: "message" | "plan" | "decision" | "approval" | "tool_call" | "tool_result" | "run" | "other";
  createdAt: Date;
  payload: unknown;
  hash: string;
};

function kindOf(type: string, eventClass: string): TTimelineStep["kind"] {
  if (eventClass === "policy_decision") return "decision";
  if (eventClass === "approval") return "approval";
  if (eventClass === "tool_call") return "tool_call";
  if (eventClass === "tool_result") return "tool_result";
  if (eventClass === "run") return "run";
  if (type.startsWith("plan")) return "plan";
  if (eventClass === "message") return "message";
  return "other";
}

export async function getRun(db: TenantDb, tenantId: string, runId: string) {
  const run = await db.run.findFirst({ where: { id: runId, tenantId } });
  if (!run) throw notFound("Run");
  const events = await db.event.findMany({ where: { tenantId, runId }, orderBy: { seq: "asc" }, take: 2_000 });
  const steps: TTimelineStep[] = events.map((event) => ({
    seq: event.seq.toString(),
    type: event.type,
    eventClass: event.eventClass,
    kind: kindOf(event.type, event.eventClass),
    createdAt: event.createdAt,
    payload: redactSecrets(JSON.parse(event.payload) as unknown),
    hash: event.hash,
  }));
  const outcome = (await outcomesOf(db, tenantId, [run])).get(run.id) ?? "done";
  return { run: { ...run, outcome }, steps };
}
