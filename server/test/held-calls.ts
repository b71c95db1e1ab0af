// Tenants whose memory deletes wait for approval, and held deletes to decide: the
// smallest real held call, for approval tests.
import { HOLD_MEMORY_DELETE } from "@/scripts/lib/seed";
import { withTenant } from "@/server/db";
import { runGate } from "@/server/gate/pipeline";
import { setMemory } from "@/server/memory/service";
import { createRun, createTenantFixture, type TTenantFixture } from "./factories";

export async function tenantHoldingDeletes(): Promise<TTenantFixture> {
  const fx = await createTenantFixture();
  await withTenant(fx.tenant.id, (db) =>
    db.policyComposition.create({
      data: { tenantId: fx.tenant.id, packs: [{ name: "baseline", version: 1 }], tenantPolicies: HOLD_MEMORY_DELETE },
    }),
  );
  return fx;
}

/** A remembered key, and a held memory.delete of it by the tenant's member. */
export async function heldDelete(fx: TTenantFixture, key = `k-${crypto.randomUUID().slice(0, 8)}`) {
  await setMemory(fx.tenant.id, key, "keep me until approved", "user:test");
  const runId = await createRun(fx);
  const outcome = await runGate({
    tenantId: fx.tenant.id,
    runId,
    principal: { type: "User", id: fx.users.member.id, role: "member" },
    tool: "memory.delete",
    args: { key },
  });
  if (outcome.status !== "held") throw new Error(`expected a hold, got ${outcome.status}`);
  return { key, runId, requestId: outcome.approvalRequestId };
}
