// Operators' view of the approval queues across tenants, for oversight: which tenants
// have calls waiting, which are past their deadline, and which a crash left half-done
// (stalled). Deciding stays with each tenant's approvers, in the tenant's inbox.
// Every tenant is read in its own tenant transaction, and only the queue's shape leaves
// it (tool, safety class, tier, times): no arguments, amounts or counterparties, which
// are for the tenant's approvers to see.
import { tiersOf } from "@/server/approvals/service";
import { stalledWhere } from "@/server/approvals/stalled";
import { platform } from "@/server/db/platform";

const MAX_PER_TENANT = 200;

export type TQueueState = "pending" | "overdue" | "stalled";

export type TQueueItem = {
  id: string;
  tenant: { slug: string; name: string };
  tool: string;
  safetyClass: string | null;
  state: TQueueState;
  /** pending: the tier it waits at; stalled: the decision it was given. */
  detail: string;
  createdAt: Date;
  deadlineAt: Date | null;
  decidedAt: Date | null;
};

export type TTenantQueue = { slug: string; name: string; pending: number; overdue: number; stalled: number };

export async function listApprovalQueues(
  filters: { tenantSlug?: string },
  now = new Date(),
): Promise<{ tenants: TTenantQueue[]; items: TQueueItem[] }> {
  const tenants = await platform.run((db) =>
    db.tenant.findMany({
      where: { status: "active", ...(filters.tenantSlug ? { slug: filters.tenantSlug } : {}) },
      select: { id: true, slug: true, name: true },
      orderBy: { slug: "asc" },
    }),
  );
  const queues: TTenantQueue[] = [];
  const items: TQueueItem[] = [];
  for (const tenant of tenants) {
    const rows = await platform.inTenant(tenant.id, (db) =>
      db.approvalRequest.findMany({
        where: {
          tenantId: tenant.id,
          OR: [{ status: "pending" }, stalledWhere(now)],
        },
        select: {
          id: true,
          tool: true,
          safetyClass: true,
          status: true,
          tier: true,
          tiers: true,
          createdAt: true,
          deadlineAt: true,
          decidedAt: true,
        },
        orderBy: [{ deadlineAt: "asc" }, { createdAt: "asc" }],
        take: MAX_PER_TENANT,
      }),
    );
    const queue: TTenantQueue = { slug: tenant.slug, name: tenant.name, pending: 0, overdue: 0, stalled: 0 };
    for (const row of rows) {
      const state: TQueueState = row.status !== "pending" ? "stalled" : row.deadlineAt && row.deadlineAt <= now ? "overdue" : "pending";
      queue[state] += 1;
      const tiers = tiersOf(row);
      items.push({
        id: row.id,
        tenant: { slug: tenant.slug, name: tenant.name },
        tool: row.tool,
        safetyClass: row.safetyClass,
        state,
        detail:
          state === "stalled"
            ? `${row.status}, but the call has no outcome`
            : `tier ${row.tier + 1} of ${tiers.length}${tiers[row.tier] ? ` (${tiers[row.tier]?.name})` : ""}`,
        createdAt: row.createdAt,
        deadlineAt: row.deadlineAt,
        decidedAt: row.decidedAt,
      });
    }
    queues.push(queue);
  }
  // What needs a person first: stalled, then overdue, then by deadline.
  const rank: Record<TQueueState, number> = { stalled: 0, overdue: 1, pending: 2 };
  items.sort(
    (a, b) =>
      rank[a.state] - rank[b.state] ||
      (a.deadlineAt?.getTime() ?? Infinity) - (b.deadlineAt?.getTime() ?? Infinity) ||
      a.createdAt.getTime() - b.createdAt.getTime(),
  );
  return { tenants: queues, items };
}
