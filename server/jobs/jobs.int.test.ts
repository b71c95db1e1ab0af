// The durable jobs, through pg-boss as the app role: a queued retention job
// prunes expired events; the checkpoint sweep checkpoints stale chains.
import PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { withTenant } from "@/server/db";
import { recordEvents } from "@/server/events/append";
import { verifyChain } from "@/server/events/chain";
import { listCheckpoints } from "@/server/events/checkpoints";
import { createTenantFixture } from "@/server/test/factories";
import { runCheckpointSweep } from "./handlers";
import { JOB_SCHEMA, QUEUES } from "./queues";
import { startWorker } from "./worker";

let worker: PgBoss;

beforeAll(async () => {
  worker = await startWorker(inject("databaseUrl"));
});

afterAll(async () => {
  await worker?.stop({ graceful: false, wait: true });
});

async function until(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("durable jobs", () => {
  it("a retention job sent to the queue prunes expired events and the chain still verifies", async () => {
    const fx = await createTenantFixture();
    const old = new Date(Date.now() - 200 * 24 * 60 * 60 * 1000);
    await recordEvents(fx.tenant.id, [
      { type: "tool.result", eventClass: "tool_result", payload: { i: 1 }, at: old },
      { type: "message.user", eventClass: "message", payload: { i: 2 } },
    ]);
    // A separate producer, as another app instance would be.
    const producer = new PgBoss({ connectionString: inject("databaseUrl"), schema: JOB_SCHEMA, migrate: false });
    await producer.start();
    await producer.send(QUEUES.retention.name, {});
    await producer.stop({ graceful: false, wait: true });
    await until(
      async () => (await withTenant(fx.tenant.id, (_db, { sql: client }) => client.query("SELECT 1 FROM event_summaries"))).rowCount === 1,
    );
    expect(await verifyChain(fx.tenant.id)).toMatchObject({ isValid: true });
  });

  it("the checkpoint sweep checkpoints a chain that grew and whose last checkpoint is old", async () => {
    const fx = await createTenantFixture();
    await recordEvents(fx.tenant.id, [{ type: "message.user", eventClass: "message", payload: { i: 1 } }]);
    await runCheckpointSweep();
    const first = await withTenant(fx.tenant.id, (_db, { sql: client }) => listCheckpoints(client, fx.tenant.id));
    expect(first.map((checkpoint) => checkpoint.seq)).toEqual(["1"]);
    await recordEvents(fx.tenant.id, [{ type: "message.user", eventClass: "message", payload: { i: 2 } }]);
    // Within the interval: nothing new.
    await runCheckpointSweep();
    expect(await withTenant(fx.tenant.id, (_db, { sql: client }) => listCheckpoints(client, fx.tenant.id))).toHaveLength(1);
    // Eleven minutes later (default interval ten): the head is checkpointed.
    await runCheckpointSweep(new Date(Date.now() + 11 * 60_000));
    const later = await withTenant(fx.tenant.id, (_db, { sql: client }) => listCheckpoints(client, fx.tenant.id));
    expect(later.map((checkpoint) => checkpoint.seq)).toEqual(["2", "1"]);
  });
});
