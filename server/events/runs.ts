// Runs and their timelines, for the run viewer.
import { containsText, type TenantDb } from "@/server/db";
import type { Prisma } from "@/server/db/generated/client";
import { notFound } from "@/server/errors";
import { redactSecrets } from "./redact";
import type { TRunFilters } from "./schemas";

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
  return { items: rows.slice(0, filters.limit), nextCursor: rows.length > filters.limit ? (rows[filters.limit - 1]?.id ?? null) : null };
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
  return { run, steps };
}
