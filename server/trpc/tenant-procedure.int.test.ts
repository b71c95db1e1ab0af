// tenantProcedure hands a procedure the tenant runner, never an open transaction:
// while its body runs (where a model or outbound call would go), no connection
// of the pool is held for it.
import { z } from "zod";
import { beforeAll, describe, expect, it } from "vitest";
import { sqlPool } from "@/server/db";
import { createTenantFixture, createUser, type TTenantFixture } from "@/server/test/factories";
import { createCallerFactory, createTRPCRouter } from "./init";
import { tenantProcedure } from "./tenant-procedure";

const heldConnections = () => sqlPool().totalCount - sqlPool().idleCount;

const router = createTRPCRouter({
  probe: tenantProcedure("member")
    .input(z.object({ title: z.string(), fail: z.boolean().default(false) }))
    .mutation(async ({ ctx, input }) => {
      const outside = { keys: Object.keys(ctx).sort(), held: heldConnections() };
      const inside = await ctx.withTenant(async (db) => {
        await db.conversation.create({ data: { tenantId: ctx.tenant.id, userId: ctx.user.id, title: input.title } });
        return {
          held: heldConnections(),
          tenant: (await db.$queryRaw<{ id: string }[]>`SELECT current_setting('app.tenant_id') AS id`)[0]?.id,
        };
      });
      if (input.fail) throw new Error("after the transaction");
      return { outside, inside, after: heldConnections() };
    }),
  count: tenantProcedure("viewer")
    .input(z.object({ title: z.string() }))
    .query(({ ctx, input }) => ctx.withTenant((db) => db.conversation.count({ where: { title: input.title } }))),
});
const callerOf = createCallerFactory(router);

let fx: TTenantFixture;
beforeAll(async () => {
  fx = await createTenantFixture();
});

describe("tenantProcedure", () => {
  it("gives the procedure a runner bound to its tenant and holds no connection outside it", async () => {
    const caller = callerOf({ user: fx.users.member });
    const title = `probe-${crypto.randomUUID()}`;
    const seen = await caller.probe({ tenantId: fx.tenant.id, title });
    expect(seen.outside).toEqual({ keys: ["membership", "tenant", "user", "withTenant"], held: 0 });
    expect(seen.inside).toEqual({ held: 1, tenant: fx.tenant.id });
    expect(seen.after).toBe(0);
    expect(await caller.count({ tenantSlug: fx.tenant.slug, title })).toBe(1);
  });

  it("keeps what a runner committed when the procedure fails later (each runner call is its own transaction)", async () => {
    const caller = callerOf({ user: fx.users.member });
    const title = `kept-${crypto.randomUUID()}`;
    await expect(caller.probe({ tenantId: fx.tenant.id, title, fail: true })).rejects.toThrow();
    expect(await caller.count({ tenantId: fx.tenant.id, title })).toBe(1);
  });

  it("is NOT_FOUND for a tenant the caller does not belong to, and FORBIDDEN below the role", async () => {
    const stranger = await createUser();
    await expect(callerOf({ user: stranger }).count({ tenantId: fx.tenant.id, title: "x" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(callerOf({ user: fx.users.viewer }).probe({ tenantId: fx.tenant.id, title: "x" })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });
});
