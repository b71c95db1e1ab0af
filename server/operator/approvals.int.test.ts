// The operators' approval queues: every tenant's queue read in its own tenant
// transaction, only its shape shown, stalled and overdue requests first.
import { beforeAll, describe, expect, it } from "vitest";
import { withTenant } from "@/server/db";
import type { TSessionUser } from "@/server/auth/users";
import { callerFor, createUser } from "@/server/test/factories";
import { heldDelete, tenantHoldingDeletes } from "@/server/test/held-calls";
import { STALLED_AFTER_MS } from "@/server/approvals/stalled";
import { listApprovalQueues } from "./approvals";

let operator: TSessionUser;
beforeAll(async () => {
  operator = await createUser({ isOperator: true });
});

describe("operator approval queues", () => {
  it("list each tenant's waiting calls by tenant, without their arguments, amounts or counterparties", async () => {
    const [a, b] = [await tenantHoldingDeletes(), await tenantHoldingDeletes()];
    const [heldA, heldB] = [await heldDelete(a), await heldDelete(b)];

    const all = await listApprovalQueues({});
    const ids = all.items.map((item) => item.id);
    expect(ids).toContain(heldA.requestId);
    expect(ids).toContain(heldB.requestId);

    const onlyA = await callerFor(operator).operator.approval.list({ tenantSlug: a.tenant.slug });
    expect(onlyA.tenants).toEqual([{ slug: a.tenant.slug, name: a.tenant.name, pending: 1, overdue: 0, stalled: 0 }]);
    expect(onlyA.items).toHaveLength(1);
    const [item] = onlyA.items;
    expect(item).toMatchObject({
      id: heldA.requestId,
      tenant: { slug: a.tenant.slug, name: a.tenant.name },
      tool: "memory.delete",
      state: "pending",
      detail: expect.stringMatching(/^tier 1 of 1/),
    });
    expect(Object.keys(item ?? {}).sort()).toEqual(
      ["createdAt", "deadlineAt", "decidedAt", "detail", "id", "safetyClass", "state", "tenant", "tool"].sort(),
    );
    expect(JSON.stringify(onlyA)).not.toContain(heldA.key);
  });

  it("a call past its deadline is overdue, and one decided with no outcome long after is stalled and listed first", async () => {
    const fx = await tenantHoldingDeletes();
    const [waiting, stuck] = [await heldDelete(fx), await heldDelete(fx)];
    const now = new Date();
    // As a crash leaves it: claimed for execution, never finished.
    await withTenant(fx.tenant.id, (db) =>
      db.approvalRequest.update({
        where: { id: stuck.requestId },
        data: {
          status: "approved",
          decidedAt: new Date(now.getTime() - STALLED_AFTER_MS - 60_000),
          executedAt: new Date(now.getTime() - STALLED_AFTER_MS),
        },
      }),
    );
    const deadline = await withTenant(fx.tenant.id, (db) =>
      db.approvalRequest.findUniqueOrThrow({ where: { id: waiting.requestId }, select: { deadlineAt: true } }),
    );
    const later = new Date((deadline.deadlineAt ?? now).getTime() + 1_000);
    const queues = await listApprovalQueues({ tenantSlug: fx.tenant.slug }, later);
    expect(queues.tenants).toEqual([{ slug: fx.tenant.slug, name: fx.tenant.name, pending: 0, overdue: 1, stalled: 1 }]);
    expect(queues.items.map((item) => [item.id, item.state, item.detail])).toEqual([
      [stuck.requestId, "stalled", "approved, but the call has no outcome"],
      [waiting.requestId, "overdue", expect.stringMatching(/^tier 1 of 1/)],
    ]);
  });

  it("a request settled normally leaves the queue", async () => {
    const fx = await tenantHoldingDeletes();
    const held = await heldDelete(fx);
    await callerFor(fx.users.approver).approval.decide({
      tenantSlug: fx.tenant.slug,
      requestId: held.requestId,
      vote: "deny",
      comment: "no",
    });
    const later = new Date(Date.now() + STALLED_AFTER_MS + 60_000);
    expect((await listApprovalQueues({ tenantSlug: fx.tenant.slug }, later)).items).toEqual([]);
  });

  it("is for operators only", async () => {
    const fx = await tenantHoldingDeletes();
    await expect(callerFor(fx.users.owner).operator.approval.list({})).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
