import { describe, expect, it } from "vitest";
import { withTenant } from "@/server/db";
import { toolCatalog } from "@/server/tools/catalog";
import { callerFor, createTenantFixture, type TTenantFixture } from "@/server/test/factories";
import { runAgentTurn } from "@/server/agent/loop";
import { scriptedPlanner } from "@/server/agent/planner";

async function turn(fx: TTenantFixture, message: string) {
  return runAgentTurn(await toolCatalog("saas"), scriptedPlanner, {
    tenantId: fx.tenant.id,
    principal: { type: "User", id: fx.users.member.id, role: "member", label: `user:${fx.users.member.email}` },
    message,
  });
}

describe("replay of a recorded run", () => {
  it("the same planner repeats an executed run without divergence, and nothing executes again", async () => {
    const fx = await createTenantFixture();
    const run = await turn(fx, "remember that the launch is on Friday");
    const before = await withTenant(fx.tenant.id, (db) => db.memoryVersion.count({ where: { tenantId: fx.tenant.id } }));
    const replay = await callerFor(fx.users.member).run.replay({ tenantSlug: fx.tenant.slug, runId: run.runId });
    expect(replay).toMatchObject({ planner: "scripted", divergedAt: null });
    expect(replay.steps.map((step) => step.isSame)).toEqual([true, true]);
    const after = await withTenant(fx.tenant.id, (db) => db.memoryVersion.count({ where: { tenantId: fx.tenant.id } }));
    expect(after).toBe(before);
  });

  it("a run that ended in a denial replays up to that proposal", async () => {
    const fx = await createTenantFixture();
    const run = await turn(fx, "run rm -rf /");
    const replay = await callerFor(fx.users.member).run.replay({ tenantSlug: fx.tenant.slug, runId: run.runId });
    expect(replay.divergedAt).toBeNull();
    expect(replay.steps).toEqual([
      expect.objectContaining({ isSame: true, recorded: { tool: "shell.exec", args: { command: "rm -rf /" } } }),
    ]);
  });

  it("a planner that now proposes something else diverges at that step", async () => {
    const fx = await createTenantFixture();
    const run = await turn(fx, "remember that the launch is on Friday");
    // The log is append-only: take the proposal of another run as what was recorded for this request.
    const other = await turn(fx, "remember that the launch is on Monday");
    const events = await withTenant(fx.tenant.id, (db) =>
      db.event.findMany({ where: { tenantId: fx.tenant.id, runId: { in: [run.runId, other.runId] }, type: "plan.tool_call" } }),
    );
    expect(events).toHaveLength(2);
    const { replayRun } = await import("@/server/events/replay");
    const mixed = await replayRun(
      [
        { type: "message.user", payload: { text: "remember that the launch is on Friday" } },
        { type: "plan.tool_call", payload: JSON.parse(events.find((event) => event.runId === other.runId)?.payload ?? "{}") },
      ],
      scriptedPlanner,
    );
    expect(mixed.divergedAt).toBe(0);
  });

  it("a model run does not replay with another planner, and another tenant's run is not found", async () => {
    const fx = await createTenantFixture();
    const run = await turn(fx, "what do you remember?");
    await withTenant(fx.tenant.id, (db) => db.run.update({ where: { id: run.runId }, data: { planner: "openai_compatible:some-model" } }));
    await expect(callerFor(fx.users.member).run.replay({ tenantSlug: fx.tenant.slug, runId: run.runId })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: expect.stringContaining("openai_compatible:some-model"),
    });
    const other = await createTenantFixture();
    await expect(callerFor(other.users.member).run.replay({ tenantSlug: other.tenant.slug, runId: run.runId })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });
});
