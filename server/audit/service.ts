// The audit log: who changed what in a tenant. Append-only (the app role has no
// UPDATE or DELETE on audit_logs).
import { type Prisma, type TenantDb, type TSql, withTenantOneTrip } from "@/server/db";

export type TAuditEntry = {
  tenantId: string;
  actorUserId: string | null;
  action: string;
  targetType: string;
  targetId?: string | null;
  data?: Prisma.InputJsonValue;
};

export async function recordAudit(db: TenantDb, entry: TAuditEntry): Promise<void> {
  await db.auditLog.create({
    data: {
      tenantId: entry.tenantId,
      actorUserId: entry.actorUserId,
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId ?? null,
      data: entry.data ?? {},
    },
  });
}

/** The entry's INSERT as a statement, to send in a pipeline (with COMMIT: the gate's denials). */
export function auditStatement(entry: TAuditEntry): TSql {
  return {
    name: "fabric_audit_entry",
    text: "INSERT INTO audit_logs (tenant_id, actor_user_id, action, target_type, target_id, data) VALUES ($1, $2, $3, $4, $5, $6)",
    values: [entry.tenantId, entry.actorUserId, entry.action, entry.targetType, entry.targetId ?? null, JSON.stringify(entry.data ?? {})],
  };
}

/** The same entry in a tenant transaction of its own, in one round trip (the gate's denials). */
export async function recordAuditOneTrip(entry: TAuditEntry): Promise<void> {
  await withTenantOneTrip(entry.tenantId, auditStatement(entry));
}

export async function listAudit(db: TenantDb, tenantId: string, page: { cursor?: string; limit: number }) {
  const rows = await db.auditLog.findMany({
    where: { tenantId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: page.limit + 1,
    ...(page.cursor ? { cursor: { id: page.cursor }, skip: 1 } : {}),
  });
  // The actor's email is stored with the entry (a trigger copies it), so it
  // survives the actor leaving; the lookup covers entries without it.
  const actorIds = [
    ...new Set(
      rows
        .filter((row) => !row.actorEmail)
        .map((row) => row.actorUserId)
        .filter((id): id is string => Boolean(id)),
    ),
  ];
  const actors = actorIds.length ? await db.user.findMany({ where: { id: { in: actorIds } }, select: { id: true, email: true } }) : [];
  const emailOf = new Map(actors.map((actor) => [actor.id, actor.email]));
  const items = rows.slice(0, page.limit).map((row) => ({
    id: row.id,
    action: row.action,
    targetType: row.targetType,
    targetId: row.targetId,
    data: row.data,
    actor: row.actorUserId ? (row.actorEmail ?? emailOf.get(row.actorUserId) ?? "deleted user") : "platform",
    createdAt: row.createdAt,
  }));
  return { items, nextCursor: rows.length > page.limit ? (rows[page.limit - 1]?.id ?? null) : null };
}
