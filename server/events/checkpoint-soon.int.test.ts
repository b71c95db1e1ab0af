// A checkpoint due after a committed append is made in the background: the append that
// crossed the boundary does not wait for it; each boundary gets its own, in order; only
// when too many wait does a tenant's newer head replace its last waiting one.
import { describe, expect, it } from "vitest";
import { withTenant } from "@/server/db";
import { createTenantFixture } from "@/server/test/factories";
import { CHECKPOINTS_WAITING_MAX, checkpointsSettled, recordEvents } from "./append";
import { verifyChain } from "./chain";
import { listCheckpoints } from "./checkpoints";
import { lockLog } from "./tree-heads";

const message = (i: number) => ({ type: "message.user", eventClass: "message" as const, payload: { i } });

async function tenantCheckpointingEvery(every: number) {
  const fx = await createTenantFixture();
  await withTenant(fx.tenant.id, (_db, { sql }) =>
    sql.query("INSERT INTO event_log_settings (tenant_id, checkpoint_every) VALUES ($1, $2)", [fx.tenant.id, every]),
  );
  return fx.tenant.id;
}

const checkpointSeqs = (tenantId: string) =>
  withTenant(tenantId, async (_db, { sql }) => (await listCheckpoints(sql, tenantId)).map((checkpoint) => checkpoint.seq));

/** Holds the transparency log's lock (every anchored checkpoint takes it) until released. */
async function holdTheLog(tenantId: string): Promise<{ release: () => Promise<void> }> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let held!: () => void;
  const isHeld = new Promise<void>((resolve) => (held = resolve));
  const transaction = withTenant(tenantId, async (_db, { sql }) => {
    await lockLog(sql);
    held();
    await released;
  });
  await isHeld;
  return {
    release: async () => {
      release();
      await transaction;
    },
  };
}

const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms))]);

describe("checkpoints after a committed append", () => {
  it("the append that makes one due returns without waiting for it; it is made once the log is free", async () => {
    const tenantId = await tenantCheckpointingEvery(2);
    const log = await holdTheLog(tenantId);
    try {
      // The checkpoint at 2 cannot be anchored while the log is held: the append returns anyway.
      const stored = await within(recordEvents(tenantId, [message(1), message(2)]), 5_000);
      expect(stored.map((event) => event.seq)).toEqual(["1", "2"]);
      expect(await checkpointSeqs(tenantId)).toEqual([]);
    } finally {
      await log.release();
    }
    await checkpointsSettled();
    expect(await checkpointSeqs(tenantId)).toEqual(["2"]);
  });

  it("while the log is busy, every boundary waits for its own checkpoint, in order", async () => {
    const [busy, tenantId] = await Promise.all([tenantCheckpointingEvery(1), tenantCheckpointingEvery(2)]);
    const log = await holdTheLog(busy);
    try {
      // The background maker is stuck on the busy tenant's checkpoint; this tenant's wait behind it.
      await recordEvents(busy, [message(0)]);
      for (let i = 1; i <= 6; i += 1) await within(recordEvents(tenantId, [message(i)]), 5_000);
    } finally {
      await log.release();
    }
    await checkpointsSettled();
    expect(await checkpointSeqs(tenantId)).toEqual(["6", "4", "2"]);
    expect(await checkpointSeqs(busy)).toEqual(["1"]);
  });

  it("when more wait than the bound, a tenant's newer head replaces its last waiting one, and the newest is checkpointed", async () => {
    const tenantId = await tenantCheckpointingEvery(1);
    const log = await holdTheLog(tenantId);
    const appends = CHECKPOINTS_WAITING_MAX + 20;
    try {
      for (let i = 1; i <= appends; i += 1) await within(recordEvents(tenantId, [message(i)]), 5_000);
    } finally {
      await log.release();
    }
    await checkpointsSettled();
    const seqs = await checkpointSeqs(tenantId);
    expect(seqs[0]).toBe(String(appends));
    // The first (being made), the bound's worth waiting, and the last replaced in place.
    expect(seqs.length).toBeLessThanOrEqual(CHECKPOINTS_WAITING_MAX + 1);
    expect(seqs.length).toBeGreaterThanOrEqual(CHECKPOINTS_WAITING_MAX - 1);
    expect(await verifyChain(tenantId)).toMatchObject({ isValid: true, checkpointsChecked: seqs.length });
  });
});
