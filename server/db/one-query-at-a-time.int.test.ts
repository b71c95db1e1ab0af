// The tenant Prisma client sends its queries one at a time on the transaction's
// connection: Prisma reads in parallel, and node-postgres deprecates (pg@9 drops)
// queuing a query behind one still running. Its warning is emitted once per process,
// so this file has the process to itself.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTenantFixture, type TTenantFixture } from "@/server/test/factories";
import { withTenant } from "./tenant";

let fx: TTenantFixture;
const warnings: string[] = [];
const onWarning = (warning: Error) => warnings.push(warning.message);

beforeAll(async () => {
  fx = await createTenantFixture();
  process.on("warning", onWarning);
});

afterEach(() => {
  process.off("warning", onWarning);
});

describe("the tenant Prisma client", () => {
  it("sends parallel reads one at a time, each answered, with no queuing inside node-postgres", async () => {
    const counts = await withTenant(fx.tenant.id, (db) =>
      Promise.all([
        db.membership.count({ where: { tenantId: fx.tenant.id } }),
        db.run.count({ where: { tenantId: fx.tenant.id } }),
        db.membership.findMany({ where: { tenantId: fx.tenant.id }, select: { role: true } }),
        db.auditLog.count({ where: { tenantId: fx.tenant.id } }),
      ]),
    );
    expect(counts[0]).toBeGreaterThan(0);
    expect(counts[2]).toHaveLength(counts[0]);
    // Warnings are emitted on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings.filter((message) => message.includes("already executing a query"))).toEqual([]);
  });
});
