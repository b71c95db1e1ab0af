// The minute tick: find a tenant's due cron schedules and heartbeat tasks, claim
// each fire exactly once, then start each fire's agent turn through the gate.
//
// Claiming is one short transaction per fire: under the tenant's schedule lock,
// advance next_run_at only if it still holds the value we read (a second tick, or
// another instance, finds nothing to advance), check the daily cap, and insert the
// schedule_runs row, unique on (schedule, fire time). Agent turns run after every
// claim has committed, never inside a transaction.
//
// After downtime a schedule fires once, not once per missed minute: its next fire
// is computed from the tick's time, not from the fire it missed.
import { randomUUID } from "node:crypto";
import { runAgentTurn } from "@/server/agent/loop";
import { plannerForTenant } from "@/server/agent/planner";
import { recordAudit } from "@/server/audit/service";
import { withTenant, type TenantDb } from "@/server/db";
import { env } from "@/server/env";
import { recordEvents } from "@/server/events/append";
import { logger } from "@/server/logger";
import { toolCatalog } from "@/server/tools/catalog";
import { nextCronFire, nextIntervalFire } from "./cron";
import { SCHEDULE_LIMITS } from "./schemas";
import { countRecentRuns, lockTenantSchedules } from "./service";

const DAY_MS = 24 * 60 * 60 * 1000;
/** Due items looked at per tenant and tick; caps keep the real number far below. */
const MAX_DUE_PER_TICK = 100;
/** Agent turns of one tick running at once, across tenants. */
const FIRE_CONCURRENCY = 4;

export type TScheduleKind = "cron" | "heartbeat";

/** A due schedule or heartbeat as read before its claim. */
export type TDue = {
  kind: TScheduleKind;
  id: string;
  label: string;
  message: string;
  fireAt: Date;
  isTainted: boolean;
  next: (now: Date) => Date | null;
};

/** A claimed fire whose agent turn is still to run. */
export type TFire = {
  tenantId: string;
  kind: TScheduleKind;
  scheduleId: string;
  label: string;
  message: string;
  fireAt: Date;
  scheduleRunId: string;
  isTainted: boolean;
};

export type TRefusal = { tenantId: string; kind: TScheduleKind; scheduleId: string; label: string; fireAt: Date; reason: string };

function safeNext(due: Omit<TDue, "next">, compute: () => Date | null): Date | null {
  try {
    return compute();
  } catch (error) {
    // Validated when saved; a zone that disappeared from the time-zone database stops the schedule rather than the tick.
    logger.error({ err: error, scheduleId: due.id, kind: due.kind }, "a schedule has no next fire time; it stops");
    return null;
  }
}

/** What is due for a tenant at `now` (read only: a fire belongs to whoever claims it). */
export async function findDue(tenantId: string, now: Date): Promise<TDue[]> {
  return withTenant(tenantId, async (db) => {
    const [schedules, heartbeats] = await Promise.all([
      db.cronSchedule.findMany({
        where: { tenantId, deletedAt: null, nextRunAt: { lte: now } },
        orderBy: { nextRunAt: "asc" },
        take: MAX_DUE_PER_TICK,
      }),
      db.heartbeatTask.findMany({
        where: { tenantId, deletedAt: null, isEnabled: true, nextRunAt: { lte: now } },
        orderBy: { nextRunAt: "asc" },
        take: MAX_DUE_PER_TICK,
      }),
    ]);
    const due: TDue[] = [];
    for (const row of schedules) {
      if (!row.nextRunAt) continue;
      const base = {
        kind: "cron" as const,
        id: row.id,
        label: row.label,
        message: row.message,
        fireAt: row.nextRunAt,
        isTainted: row.isTainted,
      };
      due.push({ ...base, next: (at) => safeNext(base, () => nextCronFire(row.expression, row.timezone, at, row.id)) });
    }
    for (const row of heartbeats) {
      if (!row.nextRunAt) continue;
      const fireAt = row.nextRunAt;
      const base = { kind: "heartbeat" as const, id: row.id, label: row.label, message: row.message, fireAt, isTainted: false };
      due.push({
        ...base,
        next: (at) =>
          safeNext(base, () =>
            row.intervalMinutes !== null
              ? nextIntervalFire(row.intervalMinutes, fireAt, at)
              : nextCronFire(row.expression ?? "", row.timezone, at, row.id),
          ),
      });
    }
    return due;
  });
}

/** Advance next_run_at from the value we read; false when someone else already did (or it was cancelled). */
async function advance(db: TenantDb, tenantId: string, due: TDue, next: Date | null, now: Date, isRefused: boolean): Promise<boolean> {
  const data = { nextRunAt: next, ...(isRefused ? {} : { lastRunAt: now }) };
  const where = { id: due.id, tenantId, deletedAt: null, nextRunAt: due.fireAt };
  const claimed =
    due.kind === "cron"
      ? await db.cronSchedule.updateMany({ where, data })
      : await db.heartbeatTask.updateMany({ where: { ...where, isEnabled: true }, data });
  return claimed.count === 1;
}

function refusalReason(label: string, kind: TScheduleKind, recent: number): string {
  return `${kind === "cron" ? "Schedule" : "Heartbeat task"} "${label}" did not run: this tenant has started ${recent} runs from schedules and heartbeats in the last 24 hours, its limit is ${SCHEDULE_LIMITS.maxRunsPerDay}. It runs again at its next fire time once the count is below the limit.`;
}

export type TClaim = { fire: TFire } | { refusal: TRefusal; isFirstToday: boolean } | null;

/** Claim one fire read by findDue: null when another tick (or instance) already did. */
export async function claim(tenantId: string, due: TDue, now: Date): Promise<TClaim> {
  return withTenant(tenantId, async (db) => {
    await lockTenantSchedules(db, tenantId);
    const recent = await countRecentRuns(db, tenantId, now);
    const isRefused = recent >= SCHEDULE_LIMITS.maxRunsPerDay;
    if (!(await advance(db, tenantId, due, due.next(now), now, isRefused))) return null;
    const scheduleRunId = randomUUID();
    const reason = isRefused ? refusalReason(due.label, due.kind, recent) : null;
    // Refusals are recorded in the log and audit once a day per schedule; every one is in its history.
    const isFirstToday =
      isRefused &&
      (await db.scheduleRun.count({
        where: { tenantId, scheduleId: due.id, status: "refused", startedAt: { gt: new Date(now.getTime() - DAY_MS) } },
      })) === 0;
    const inserted = await db.scheduleRun.createMany({
      data: {
        id: scheduleRunId,
        tenantId,
        kind: due.kind,
        scheduleId: due.id,
        label: due.label,
        fireAt: due.fireAt,
        startedAt: now,
        status: isRefused ? "refused" : "started",
        reason,
      },
      skipDuplicates: true,
    });
    if (inserted.count === 0) return null;
    const base = { tenantId, kind: due.kind, scheduleId: due.id, label: due.label, fireAt: due.fireAt };
    if (reason) {
      if (isFirstToday) {
        await recordAudit(db, {
          tenantId,
          actorUserId: null,
          action: "schedule.run_refused",
          targetType: due.kind === "cron" ? "cron_schedule" : "heartbeat_task",
          targetId: due.id,
          data: { label: due.label, fireAt: due.fireAt.toISOString(), runsLast24h: recent, maxRunsPerDay: SCHEDULE_LIMITS.maxRunsPerDay },
        });
      }
      return { refusal: { ...base, reason }, isFirstToday };
    }
    return { fire: { ...base, message: due.message, scheduleRunId, isTainted: due.isTainted } };
  });
}

/** Claim a tenant's due fires (each once). Refusals are recorded here; the fires are for runFires. */
export async function claimDueFires(tenantId: string, now = new Date()): Promise<{ fires: TFire[]; refusals: TRefusal[] }> {
  const fires: TFire[] = [];
  const refusals: TRefusal[] = [];
  for (const due of await findDue(tenantId, now)) {
    const outcome = await claim(tenantId, due, now);
    if (!outcome) continue;
    if ("fire" in outcome) {
      fires.push(outcome.fire);
      continue;
    }
    refusals.push(outcome.refusal);
    if (outcome.isFirstToday) {
      const { refusal } = outcome;
      await recordEvents(tenantId, [
        {
          type: "schedule.refused",
          eventClass: "run",
          payload: {
            kind: refusal.kind,
            scheduleId: refusal.scheduleId,
            label: refusal.label,
            fireAt: refusal.fireAt.toISOString(),
            reason: refusal.reason,
          },
        },
      ]);
    }
  }
  return { fires, refusals };
}

/** One fire: an agent turn as the schedule's own agent principal, through the gate. Never throws. */
export async function runFire(fire: TFire): Promise<void> {
  try {
    const catalog = await toolCatalog(env.DEPLOYMENT_MODE);
    const { planner, name } = await plannerForTenant(fire.tenantId, catalog);
    const result = await runAgentTurn(catalog, planner, {
      tenantId: fire.tenantId,
      principal: { type: "Agent", id: `${fire.kind}:${fire.scheduleId}`, label: `${fire.kind}:${fire.label}` },
      message: fire.message,
      title: `${fire.label}: ${fire.message}`,
      plannerName: name,
      // A schedule an agent made after reading outside content keeps that taint in every run it starts.
      isTainted: fire.isTainted,
    });
    await withTenant(fire.tenantId, (db) =>
      db.scheduleRun.update({ where: { id: fire.scheduleRunId }, data: { status: result.status, runId: result.runId } }),
    );
  } catch (error) {
    const reason = error instanceof Error ? error.message.slice(0, 300) : "the run could not start";
    logger.error({ err: error, tenantId: fire.tenantId, scheduleId: fire.scheduleId }, "a scheduled run failed to start");
    await withTenant(fire.tenantId, (db) =>
      db.scheduleRun.update({ where: { id: fire.scheduleRunId }, data: { status: "failed", reason } }),
    ).catch((updateError: unknown) => logger.error({ err: updateError }, "could not record a scheduled run's failure"));
  }
}

/** Run claimed fires, a few at a time. */
export async function runFires(fires: TFire[], concurrency = FIRE_CONCURRENCY): Promise<void> {
  const queue = [...fires];
  const workers = Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
    for (let fire = queue.shift(); fire; fire = queue.shift()) await runFire(fire);
  });
  await Promise.all(workers);
}
