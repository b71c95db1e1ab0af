// The chat tells the truth: tool results in cards and replies, held cards that reach
// their final state with who decided, Outbox deliveries never called "done", real
// outcomes in the run list, and the same in the inbox history and notifications.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createCredential } from "@/server/credentials/service";
import { withTenant } from "@/server/db";
import { callerFor, createTenantFixture, type TTenantFixture } from "@/server/test/factories";

async function chatOf(fx: TTenantFixture) {
  const member = callerFor(fx.users.member);
  const tenantSlug = fx.tenant.slug;
  const { id: conversationId } = await member.conversation.create({ tenantSlug });
  return {
    send: (message: string) => member.conversation.send({ tenantSlug, conversationId, message }),
    view: () => member.conversation.get({ tenantSlug, conversationId }),
  };
}

async function heldTransfer(fx: TTenantFixture, message: string) {
  const chat = await chatOf(fx);
  const sent = await chat.send(message);
  expect(sent.status).toBe("waiting_approval");
  const requestId = (await chat.view()).turns[0]?.tools[0]?.approvalRequestId;
  if (!requestId) throw new Error("no held request");
  return { chat, runId: sent.runId, requestId };
}

beforeEach(() => {
  process.env.SSRF_ALLOW_ADDRESSES = "127.0.0.1";
});
afterEach(() => {
  delete process.env.SSRF_ALLOW_ADDRESSES;
});

describe("chat results and outcomes", () => {
  it("a recall shows the remembered value in the card and the reply, and the run reads done", async () => {
    const fx = await createTenantFixture();
    const chat = await chatOf(fx);
    await chat.send("remember that the launch is on Friday");
    const recall = await chat.send("what do you remember?");
    expect(recall.reply).toContain("the launch is on Friday");
    expect(recall.reply).not.toBe("memory.search done.");
    const card = (await chat.view()).turns[1]?.tools[0];
    expect(card).toMatchObject({ tool: "memory.search", status: "executed" });
    expect(JSON.stringify(card?.result)).toContain("the launch is on Friday");
    const runs = await callerFor(fx.users.member).run.list({ tenantSlug: fx.tenant.slug, limit: 10 });
    expect(runs.items.map((run) => run.outcome)).toEqual(["done", "done"]);
  });

  it("an approved transfer without credentials ends its held card as delivered to the Outbox, never as done", async () => {
    const fx = await createTenantFixture();
    // A "decided" notification is queued with the vote; it must carry the outcome too.
    const hook = await createCredential(fx.tenant.id, fx.users.admin.id, {
      provider: "webhook",
      label: "hook",
      fields: { url: "http://127.0.0.1:9/hook", signingSecret: "s".repeat(32) },
    });
    await callerFor(fx.users.admin).approvalNotification.saveSettings({
      tenantSlug: fx.tenant.slug,
      webhookCredentialId: hook.id,
      emailCredentialId: null,
      emailTo: [],
      events: ["decided"],
    });
    const { chat, runId, requestId } = await heldTransfer(fx, "transfer 5,000 USD to Northwind");
    const held = (await chat.view()).turns[0]?.tools[0];
    expect(held).toMatchObject({ status: "held", approval: { status: "pending", decidedBy: [] }, args: { amount: 500000 } });

    await callerFor(fx.users.approver).approval.decide({ tenantSlug: fx.tenant.slug, requestId, vote: "approve", comment: "PO 42" });
    const turn = (await chat.view()).turns[0];
    // One card for the call, now in its final state (not a second card beside a stuck one).
    expect(turn?.tools).toHaveLength(1);
    expect(turn?.tools[0]).toMatchObject({
      status: "executed",
      approval: { status: "approved", decidedBy: [`user:${fx.users.approver.id}`], comment: "PO 42" },
      result: { delivered: "sandbox_outbox" },
    });
    expect(turn?.reply).toBe(
      "payments.transfer of 5,000.00 USD was approved and delivered to the sandbox Outbox, not sent: this tenant has no credentials for the service, so nothing reached it.",
    );
    expect(turn?.reply).not.toContain("done");

    const caller = callerFor(fx.users.admin);
    const runs = await caller.run.list({ tenantSlug: fx.tenant.slug, limit: 10 });
    expect(runs.items.find((run) => run.id === runId)?.outcome).toBe("approved_outbox");
    expect((await caller.run.get({ tenantSlug: fx.tenant.slug, runId })).run.outcome).toBe("approved_outbox");
    const history = await caller.approval.history({ tenantSlug: fx.tenant.slug, limit: 10 });
    expect(history.find((item) => item.id === requestId)?.outcomeNote).toBe("delivered to the sandbox Outbox, not sent");
    const notifications = await withTenant(fx.tenant.id, (db) =>
      db.approvalNotification.findMany({ where: { tenantId: fx.tenant.id, requestId, kind: "decided" } }),
    );
    expect(notifications).toHaveLength(1);
    expect(notifications[0]?.payload).toMatchObject({
      status: "approved",
      outcome: "approved and delivered to the sandbox Outbox, not sent (no credentials for the service)",
    });
  });

  it("a denied transfer ends its held card with who denied and why; a withdrawn one with who withdrew", async () => {
    const fx = await createTenantFixture();
    const denied = await heldTransfer(fx, "transfer 2,000 EUR to Shady Ltd");
    await callerFor(fx.users.approver).approval.decide({
      tenantSlug: fx.tenant.slug,
      requestId: denied.requestId,
      vote: "deny",
      comment: "not a known supplier",
    });
    const deniedTurn = (await denied.chat.view()).turns[0];
    expect(deniedTurn?.tools).toEqual([
      expect.objectContaining({
        status: "held",
        approval: expect.objectContaining({
          status: "denied",
          decidedBy: [`user:${fx.users.approver.id}`],
          comment: "not a known supplier",
        }),
      }),
    ]);
    expect(deniedTurn?.reply).toBe("payments.transfer was refused: not a known supplier");

    const withdrawn = await heldTransfer(fx, "transfer 3,000 EUR to Initech");
    await callerFor(fx.users.member).approval.cancel({ tenantSlug: fx.tenant.slug, requestId: withdrawn.requestId });
    expect((await withdrawn.chat.view()).turns[0]?.tools[0]).toMatchObject({
      status: "held",
      approval: { status: "cancelled", decidedBy: [`user:${fx.users.member.id}`], comment: "withdrawn by the requester" },
    });

    const refused = await chatOf(fx);
    await refused.send("run rm -rf /");
    const runs = await callerFor(fx.users.member).run.list({ tenantSlug: fx.tenant.slug, limit: 10 });
    const outcomes = new Map(runs.items.map((run) => [run.id, run.outcome]));
    expect(outcomes.get(denied.runId)).toBe("denied");
    expect(outcomes.get(withdrawn.runId)).toBe("withdrawn");
    expect([...outcomes.values()]).toContain("refused");
    // Their status alone would have read "completed" for all three.
    expect(runs.items.every((run) => run.status === "completed")).toBe(true);
  });
});
