// Budgets of a tenant: limits on what its agents may use in a window (today: tool
// calls), for everyone or one principal or one tool. A budget is a versioned kind
// (server/recovery/versioned.ts): every change is a version, a deletion goes to the
// Trash and comes back from it. Usage lives in budget_counters, one row per budget
// and window, which the gate's budget step (./gate-plugin.ts) reserves and charges.
// Windows are calendar windows in the tenant's time zone (tenant_settings), computed
// by the database (budget_window), so the gate and these pages agree on them.
import { recordAudit } from "@/server/audit/service";
import type { TenantDb } from "@/server/db";
import { AppError, notFound } from "@/server/errors";
import { displayActors } from "@/server/recovery/actors";
import { versionedKind } from "@/server/recovery/versioned";
import type { TCreateBudget, TUpdateBudget } from "./schemas";

export type TBudgetActor = { userId: string | null; label: string };
export type TBudgetContent = {
  name: string;
  metric: string;
  period: string;
  limitAmount: number;
  principal: string | null;
  tool: string | null;
};
export type TBudgetView = TBudgetContent & {
  id: string;
  version: number;
  updatedBy: string;
  updatedAt: Date;
  /** The current window, and what it has used and holds reserved. */
  windowStart: Date;
  resetsAt: Date;
  used: number;
  reserved: number;
};
export type TBudgetSettings = { timezone: string; updatedBy: string | null; updatedAt: Date | null };

async function assertNameFree(db: TenantDb, tenantId: string, name: string, exceptId?: string): Promise<void> {
  const clash = await db.budget.findFirst({ where: { tenantId, name, deletedAt: null, ...(exceptId ? { id: { not: exceptId } } : {}) } });
  if (clash) throw new AppError("CONFLICT", `There is already a budget named "${name}"; choose another name or edit that one.`);
}

/**
 * Budgets as a versioned kind: a restore (from the Trash, or of an earlier version)
 * brings a limit back as a new version, under a name no live budget uses. Admins only:
 * an old version may allow more than today's.
 */
export const budgetKind = versionedKind<TBudgetContent>({
  kind: "budget",
  label: "Budget",
  restoreRole: "admin",
  tables: {
    entity: "budgets",
    versions: "budget_versions",
    parent: "budget_id",
    content: {
      name: { column: "name" },
      metric: { column: "metric" },
      period: { column: "period" },
      limitAmount: { column: "limit_amount", type: "int" },
      principal: { column: "principal" },
      tool: { column: "tool" },
    },
    title: "name",
    hasDeletedBy: true,
  },
  check: async (db, tenantId, row, content) => {
    await assertNameFree(db, tenantId, content.name, row.id);
    return content;
  },
});

type TUsageRow = {
  id: string;
  name: string;
  metric: string;
  period: string;
  limit_amount: number;
  principal: string | null;
  tool: string | null;
  version: number;
  updated_by: string;
  updated_at: Date;
  window_start: Date;
  window_end: Date;
  used: bigint;
  reserved: bigint;
};

/** The tenant's live budgets with their current window's usage, by name. */
export async function listBudgets(db: TenantDb, tenantId: string, now = new Date()): Promise<TBudgetView[]> {
  const rows = await db.$queryRawUnsafe<TUsageRow[]>(
    `SELECT b.id::text AS id, b.name, b.metric, b.period, b.limit_amount, b.principal, b.tool, b.version, b.updated_by, b.updated_at,
            w.window_start, w.window_end, coalesce(c.used, 0) AS used, coalesce(c.reserved, 0) AS reserved
       FROM budgets b
      CROSS JOIN LATERAL budget_window(b.period, $2::timestamptz,
            coalesce((SELECT timezone FROM tenant_settings WHERE tenant_id = $1::uuid), 'UTC')) w
       LEFT JOIN budget_counters c ON c.tenant_id = b.tenant_id AND c.budget_id = b.id AND c.window_start = w.window_start
      WHERE b.tenant_id = $1::uuid AND b.deleted_at IS NULL
      ORDER BY b.name`,
    tenantId,
    now,
  );
  const actors = await displayActors(
    db,
    rows.map((row) => row.updated_by),
  );
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    metric: row.metric,
    period: row.period,
    limitAmount: row.limit_amount,
    principal: row.principal,
    tool: row.tool,
    version: row.version,
    updatedBy: actors.get(row.updated_by) ?? row.updated_by,
    updatedAt: row.updated_at,
    windowStart: row.window_start,
    resetsAt: row.window_end,
    used: Number(row.used),
    reserved: Number(row.reserved),
  }));
}

/** Usage of one budget's most recent windows (those with any use), oldest first. */
export async function budgetHistory(db: TenantDb, tenantId: string, budgetId: string, windows: number) {
  const budget = await budgetKind.find(db, tenantId, budgetId);
  const rows = await db.budgetCounter.findMany({
    where: { tenantId, budgetId: budget.id },
    orderBy: { windowStart: "desc" },
    take: windows,
  });
  return rows.reverse().map((row) => ({ windowStart: row.windowStart, used: Number(row.used), limit: budget.content.limitAmount }));
}

export async function createBudget(db: TenantDb, tenantId: string, actor: TBudgetActor, input: TCreateBudget): Promise<TBudgetView> {
  await assertNameFree(db, tenantId, input.name);
  const id = await budgetKind.create(db, tenantId, input, actor.label, { also: { created_by: actor.label } });
  await recordAudit(db, {
    tenantId,
    actorUserId: actor.userId,
    action: "budget.created",
    targetType: "budget",
    targetId: id,
    data: { ...input, version: 1 },
  });
  return viewOf(db, tenantId, id);
}

/** Changes what is given; nothing changed means no new version. */
export async function updateBudget(db: TenantDb, tenantId: string, actor: TBudgetActor, input: TUpdateBudget): Promise<TBudgetView> {
  const row = await budgetKind.find(db, tenantId, input.budgetId);
  if (row.deletedAt) throw notFound("Budget");
  const { budgetId: _id, ...given } = input;
  const next = {
    ...row.content,
    ...Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined)),
  } as TBudgetContent;
  const changed = Object.keys(next).filter((key) => next[key as keyof TBudgetContent] !== row.content[key as keyof TBudgetContent]);
  if (changed.length === 0) return viewOf(db, tenantId, row.id);
  if (next.name !== row.content.name) await assertNameFree(db, tenantId, next.name, row.id);
  const version = await budgetKind.write(db, tenantId, row, { ...next, isDeleted: false }, actor.label);
  await recordAudit(db, {
    tenantId,
    actorUserId: actor.userId,
    action: "budget.updated",
    targetType: "budget",
    targetId: row.id,
    data: {
      version,
      changes: Object.fromEntries(
        changed.map((key) => [key, { from: row.content[key as keyof TBudgetContent], to: next[key as keyof TBudgetContent] }]),
      ),
    },
  });
  return viewOf(db, tenantId, row.id);
}

/** To the Trash: the budget stops applying at once; its usage stays with it. */
export async function deleteBudget(db: TenantDb, tenantId: string, actor: TBudgetActor, budgetId: string): Promise<{ id: string }> {
  const row = await budgetKind.find(db, tenantId, budgetId);
  if (row.deletedAt) throw notFound("Budget");
  const version = await budgetKind.write(db, tenantId, row, { ...row.content, isDeleted: true }, actor.label);
  await recordAudit(db, {
    tenantId,
    actorUserId: actor.userId,
    action: "budget.deleted",
    targetType: "budget",
    targetId: row.id,
    data: { name: row.content.name, version },
  });
  return { id: row.id };
}

async function viewOf(db: TenantDb, tenantId: string, id: string): Promise<TBudgetView> {
  const found = (await listBudgets(db, tenantId)).find((budget) => budget.id === id);
  if (!found) throw notFound("Budget");
  return found;
}

export async function getBudgetSettings(db: TenantDb, tenantId: string): Promise<TBudgetSettings> {
  const row = await db.tenantSetting.findUnique({ where: { tenantId } });
  if (!row) return { timezone: "UTC", updatedBy: null, updatedAt: null };
  const actors = await displayActors(db, [row.updatedBy]);
  return { timezone: row.timezone, updatedBy: actors.get(row.updatedBy) ?? row.updatedBy, updatedAt: row.updatedAt };
}

/** The time zone budget windows are read in; one PostgreSQL knows, so the gate can use it. */
export async function updateBudgetSettings(
  db: TenantDb,
  tenantId: string,
  actor: TBudgetActor,
  input: { timezone: string },
): Promise<TBudgetSettings> {
  const known = await db.$queryRawUnsafe<unknown[]>("SELECT 1 FROM pg_timezone_names WHERE name = $1", input.timezone);
  if (known.length === 0)
    throw new AppError("BAD_REQUEST", `"${input.timezone}" is not a time zone we know; use an IANA name such as Europe/Berlin.`);
  const before = (await db.tenantSetting.findUnique({ where: { tenantId } }))?.timezone ?? "UTC";
  await db.tenantSetting.upsert({
    where: { tenantId },
    create: { tenantId, timezone: input.timezone, updatedBy: actor.label },
    update: { timezone: input.timezone, updatedBy: actor.label, updatedAt: new Date() },
  });
  if (before !== input.timezone)
    await recordAudit(db, {
      tenantId,
      actorUserId: actor.userId,
      action: "budget.settings_updated",
      targetType: "tenant_settings",
      data: { timezone: { from: before, to: input.timezone } },
    });
  return getBudgetSettings(db, tenantId);
}
