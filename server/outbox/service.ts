// Sandbox delivery: a connector call of a tenant with no credentials for that
// service is recorded here instead of reaching the real API, and the tool's result
// says so. The Outbox page shows what would have been sent.
import { withTenant, type TenantDb } from "@/server/db";
import type { TCredentialProvider } from "@/server/credentials/providers";

export type TOutboxDelivery = {
  runId: string | null;
  tool: string;
  provider: TCredentialProvider;
  target: string;
  payload: Record<string, unknown>;
};

export type TSandboxResult = { delivered: "sandbox_outbox"; outboxId: string; note: string };

export async function deliverToOutbox(tenantId: string, delivery: TOutboxDelivery): Promise<TSandboxResult> {
  const row = await withTenant(tenantId, (db) =>
    db.outboxMessage.create({
      data: {
        tenantId,
        runId: delivery.runId,
        tool: delivery.tool,
        provider: delivery.provider,
        target: delivery.target.slice(0, 500),
        payload: delivery.payload as object,
      },
    }),
  );
  return {
    delivered: "sandbox_outbox",
    outboxId: row.id,
    note: `No ${delivery.provider} credentials are configured for this tenant: delivered to its sandbox outbox, not to the real service.`,
  };
}

export async function listOutbox(db: TenantDb, tenantId: string, page: { cursor?: string; limit: number }) {
  const rows = await db.outboxMessage.findMany({
    where: { tenantId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: page.limit + 1,
    ...(page.cursor ? { cursor: { id: page.cursor }, skip: 1 } : {}),
  });
  return { items: rows.slice(0, page.limit), nextCursor: rows.length > page.limit ? (rows[page.limit - 1]?.id ?? null) : null };
}
