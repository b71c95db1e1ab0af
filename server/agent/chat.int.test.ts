import { describe, expect, it } from "vitest";
import { withTenant } from "@/server/db";
import { callerFor, createTenantFixture } from "@/server/test/factories";

describe("chat", () => {
  it("a message runs a turn through the gate, and the conversation shows it with its tool card", async () => {
    const fx = await createTenantFixture();
    const caller = callerFor(fx.users.member);
    const tenantSlug = fx.tenant.slug;
    const conversation = await caller.conversation.create({ tenantSlug });
    const sent = await caller.conversation.send({ tenantSlug, conversationId: conversation.id, message: "run rm -rf /" });
    expect(sent.reply).toContain("refused");
    const view = await caller.conversation.get({ tenantSlug, conversationId: conversation.id });
    expect(view.turns).toHaveLength(1);
    expect(view.turns[0]).toMatchObject({
      userMessage: "run rm -rf /",
      tools: [{ tool: "shell.exec", status: "denied", step: "registry" }],
    });
    expect(view.conversation.title).toBe("run rm -rf /");
  });

  it("conversations are private to their user, even within the tenant", async () => {
    const fx = await createTenantFixture();
    const mine = await callerFor(fx.users.member).conversation.create({ tenantSlug: fx.tenant.slug });
    await expect(callerFor(fx.users.admin).conversation.get({ tenantSlug: fx.tenant.slug, conversationId: mine.id })).rejects.toMatchObject(
      { code: "NOT_FOUND" },
    );
    await expect(
      callerFor(fx.users.admin).conversation.send({ tenantSlug: fx.tenant.slug, conversationId: mine.id, message: "hi" }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    const runs = await withTenant(fx.tenant.id, (db) => db.run.count({ where: { tenantId: fx.tenant.id } }));
    expect(runs).toBe(0);
  });
});
