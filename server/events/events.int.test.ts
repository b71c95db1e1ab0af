// The event log: concurrent appends, tamper evidence, append-only privileges,
// retention that keeps the chain verifiable, checkpoints.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { publicKeyToPem } from "@/server/crypto/signing";
import { withTenant } from "@/server/db";
import { createTenantFixture, type TTenantFixture } from "@/server/test/factories";
import { appendEvents, checkpointsSettled, recordEvents, type TNewEvent } from "./append";
import { verifyChain, verifyChainRange } from "./chain";
import { listCheckpoints, verifyCheckpointSignature } from "./checkpoints";
import { publicKeys, rotateSigningKey } from "./keys";
import { verifyConsistency, verifyInclusion } from "./merkle";
import { applyRetention } from "./retention";
import { checkpointInclusion, logConsistency } from "./transparency";

let superuser: pg.Client;
let app: pg.Client;

beforeAll(async () => {
  superuser = new pg.Client({ connectionString: inject("superDatabaseUrl") });
  app = new pg.Client({ connectionString: inject("databaseUrl") });
  await Promise.all([superuser.connect(), app.connect()]);
});

afterAll(async () => {
  await Promise.all([superuser?.end(), app?.end()]);
});

const message = (i: number): TNewEvent => ({ type: "message.user", eventClass: "message", payload: { text: `hello ${i}`, n: i } });

/**
 * An attacker with a superuser connection: RLS does not apply to it, so every
 * statement names the tenant itself as $1.
 */
async function asSuperuser(tenantId: string, sql: string): Promise<void> {
  await superuser.query(sql, [tenantId]);
}

describe("appends", () => {
  it("50 concurrent appends for each of two tenants give two gap-free chains that verify", async () => {
    const [a, b] = await Promise.all([createTenantFixture(), createTenantFixture()]);
    await Promise.all([
      ...Array.from({ length: 50 }, (_, i) => recordEvents(a.tenant.id, [message(i)])),
      ...Array.from({ length: 50 }, (_, i) => recordEvents(b.tenant.id, [message(i)])),
    ]);
    for (const fx of [a, b]) {
      const seqs = await withTenant(fx.tenant.id, async (_db, { sql: client }) =>
        (await client.query<{ seq: string }>("SELECT e.seq::text FROM events e ORDER BY e.seq")).rows.map((row) => Number(row.seq)),
      );
      expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      const result = await verifyChain(fx.tenant.id);
      expect(result).toMatchObject({ isValid: true, checked: 50, headSeq: "50" });
    }
  });

  it("appends of different tenants are not serialized: B appends while A's chain is locked", async () => {
    const [a, b] = await Promise.all([createTenantFixture(), createTenantFixture()]);
    await recordEvents(a.tenant.id, [message(0)]);
    await app.query("BEGIN");
    await app.query("SELECT set_config('app.tenant_id', $1, true)", [a.tenant.id]);
    await app.query("SELECT 1 FROM event_chains WHERE tenant_id = $1 FOR UPDATE", [a.tenant.id]);
    try {
      let isADone = false;
      const appendA = recordEvents(a.tenant.id, [message(1)]).then(() => (isADone = true));
      const started = Date.now();
      await recordEvents(b.tenant.id, [message(1)]);
      expect(Date.now() - started).toBeLessThan(2_000);
      // A's append is still waiting for its own tenant's lock.
      expect(isADone).toBe(false);
      await app.query("COMMIT");
      await appendA;
    } finally {
      await app.query("ROLLBACK").catch(() => undefined);
    }
    expect((await verifyChain(a.tenant.id)).isValid).toBe(true);
  });

  it("the app role may insert and read events but never update or delete them", async () => {
    const fx = await createTenantFixture();
    await recordEvents(fx.tenant.id, [message(1)]);
    for (const sql of [
      "UPDATE events SET payload = '{}'",
      "DELETE FROM events",
      "UPDATE event_summaries SET count = 0",
      "DELETE FROM checkpoints",
    ]) {
      await app.query("BEGIN");
      await app.query("SELECT set_config('app.tenant_id', $1, true)", [fx.tenant.id]);
      await expect(app.query(sql)).rejects.toMatchObject({ code: "42501" });
      await app.query("ROLLBACK");
    }
  });
});

describe("tamper evidence", () => {
  let fx: TTenantFixture;
  beforeAll(async () => {
    fx = await createTenantFixture();
  });

  async function freshChain(): Promise<string> {
    const scratch = await createTenantFixture();
    await recordEvents(
      scratch.tenant.id,
      Array.from({ length: 10 }, (_, i) => message(i + 1)),
    );
    expect((await verifyChain(scratch.tenant.id)).isValid).toBe(true);
    return scratch.tenant.id;
  }

  it("changing an event's content fails verification at that event", async () => {
    const tenantId = await freshChain();
    await asSuperuser(tenantId, 'UPDATE events SET payload = \'{"n":4,"text":"forged"}\' WHERE tenant_id = $1 AND seq = 4');
    expect(await verifyChain(tenantId)).toMatchObject({ isValid: false, failure: { seq: "4", reason: "hash_mismatch" } });
  });

  it("changing an event and recomputing its hash still fails, at the next link", async () => {
    const tenantId = await freshChain();
    await asSuperuser(tenantId, "UPDATE events SET hash = repeat('a', 64) WHERE tenant_id = $1 AND seq = 6");
    const result = await verifyChain(tenantId);
    expect(result).toMatchObject({ isValid: false });
    if (result.isValid) return;
    expect(["6", "7"]).toContain(result.failure.seq);
  });

  it("deleting an event fails verification at that event", async () => {
    const tenantId = await freshChain();
    await asSuperuser(tenantId, "DELETE FROM events WHERE tenant_id = $1 AND seq = 5");
    expect(await verifyChain(tenantId)).toMatchObject({ isValid: false, failure: { seq: "5", reason: "gap" } });
  });

  it("reordering two events fails verification at the first of them", async () => {
    const tenantId = await freshChain();
    await asSuperuser(tenantId, "UPDATE events SET seq = 1003 WHERE tenant_id = $1 AND seq = 3");
    await asSuperuser(tenantId, "UPDATE events SET seq = 3 WHERE tenant_id = $1 AND seq = 2");
    await asSuperuser(tenantId, "UPDATE events SET seq = 2 WHERE tenant_id = $1 AND seq = 1003");
    expect(await verifyChain(tenantId)).toMatchObject({ isValid: false, failure: { seq: "2" } });
  });

  it("deleting the newest events is caught against the chain head", async () => {
    const tenantId = await freshChain();
    await asSuperuser(tenantId, "DELETE FROM events WHERE tenant_id = $1 AND seq > 8");
    expect(await verifyChain(tenantId)).toMatchObject({ isValid: false, failure: { seq: "9", reason: "truncated" } });
  });

  it("a tenant's chain verifies only with its own rows (RLS)", async () => {
    await recordEvents(fx.tenant.id, [message(1)]);
    const other = await createTenantFixture();
    const seen = await withTenant(
      other.tenant.id,
      async (_db, { sql: client }) =>
        (await client.query("SELECT count(*)::int AS n FROM events WHERE tenant_id = $1", [fx.tenant.id])).rows[0].n,
    );
    expect(seen).toBe(0);
  });
});

describe("checkpoints and keys", () => {
  it("every N events a checkpoint is signed with the tenant key and verifies with its public key", async () => {
    const fx = await createTenantFixture();
    await withTenant(fx.tenant.id, (_db, { sql: client }) =>
      client.query("INSERT INTO event_log_settings (tenant_id, checkpoint_every) VALUES ($1, 5)", [fx.tenant.id]),
    );
    await recordEvents(
      fx.tenant.id,
      Array.from({ length: 12 }, (_, i) => message(i)),
    );
    await recordEvents(fx.tenant.id, [message(13)]);
    // Checkpoints are made in the background once their append committed.
    await checkpointsSettled();
    const [checkpoints, keys] = await withTenant(
      fx.tenant.id,
      async (_db, { sql: client }) => [await listCheckpoints(client, fx.tenant.id), await publicKeys(client, fx.tenant.id)] as const,
    );
    expect(checkpoints.map((checkpoint) => checkpoint.seq)).toEqual(["12"]);
    const key = keys.find((candidate) => candidate.keyId === checkpoints[0]?.keyId);
    if (!key || !checkpoints[0]) throw new Error("no key for the checkpoint");
    expect(verifyCheckpointSignature(checkpoints[0], key.publicKey)).toBe(true);
    expect(verifyCheckpointSignature({ ...checkpoints[0], hash: "0".repeat(64) }, key.publicKey)).toBe(false);
    expect(publicKeyToPem(key.publicKey)).toContain("BEGIN PUBLIC KEY");
  });

  it("rotation retires the old key, keeps its public part, and old checkpoints still verify", async () => {
    const fx = await createTenantFixture();
    await withTenant(fx.tenant.id, (_db, { sql: client }) =>
      client.query("INSERT INTO event_log_settings (tenant_id, checkpoint_every) VALUES ($1, 2)", [fx.tenant.id]),
    );
    await recordEvents(fx.tenant.id, [message(1), message(2)]);
    await checkpointsSettled();
    await withTenant(fx.tenant.id, (_db, { sql: client }) => rotateSigningKey(client, fx.tenant.id));
    await recordEvents(fx.tenant.id, [message(3), message(4)]);
    await checkpointsSettled();
    const keys = await withTenant(fx.tenant.id, (_db, { sql: client }) => publicKeys(client, fx.tenant.id));
    expect(keys.map((key) => key.status)).toEqual(["retired", "active"]);
    const privateParts = await withTenant(
      fx.tenant.id,
      async (_db, { sql: client }) => (await client.query("SELECT private_key_sealed FROM signing_keys WHERE status = 'retired'")).rows,
    );
    expect(privateParts[0]?.private_key_sealed).toBeNull();
    expect(await verifyChain(fx.tenant.id)).toMatchObject({ isValid: true, checkpointsChecked: 2 });
  });

  it("a forged checkpoint fails verification", async () => {
    const fx = await createTenantFixture();
    await withTenant(fx.tenant.id, (_db, { sql: client }) =>
      client.query("INSERT INTO event_log_settings (tenant_id, checkpoint_every) VALUES ($1, 3)", [fx.tenant.id]),
    );
    await recordEvents(fx.tenant.id, [message(1), message(2), message(3)]);
    await checkpointsSettled();
    await asSuperuser(fx.tenant.id, "UPDATE checkpoints SET hash = repeat('b', 64) WHERE tenant_id = $1");
    expect(await verifyChain(fx.tenant.id)).toMatchObject({ isValid: false, failure: { reason: "checkpoint_mismatch" } });
  });

  it("appends inside a caller's transaction roll back with it", async () => {
    const fx = await createTenantFixture();
    await expect(
      withTenant(fx.tenant.id, async (_db, { sql: client }) => {
        await appendEvents(client, fx.tenant.id, [message(1)]);
        throw new Error("the caller failed");
      }),
    ).rejects.toThrow("the caller failed");
    expect(await verifyChain(fx.tenant.id)).toMatchObject({ isValid: true, checked: 0, headSeq: "0" });
  });
});

describe("retention", () => {
  it("pruning expired events leaves a chain that still verifies, with summaries of what was removed", async () => {
    const fx = await createTenantFixture();
    const old = new Date(Date.now() - 400 * 24 * 60 * 60 * 1000);
    const classes = ["tool_result", "tool_result", "message", "policy_decision", "tool_result", "message"] as const;
    const stored = await recordEvents(
      fx.tenant.id,
      classes.map((eventClass, i) => ({ type: `${eventClass}.test`, eventClass, payload: { i }, at: old })),
    );
    await recordEvents(fx.tenant.id, [message(99)]);

    const ranges = await applyRetention(fx.tenant.id);
    expect(ranges).toEqual([
      { firstSeq: "1", lastSeq: "3", removed: 3, lastHash: stored[2]?.hash },
      { firstSeq: "5", lastSeq: "6", removed: 2, lastHash: stored[5]?.hash },
    ]);
    const left = await withTenant(
      fx.tenant.id,
      async (_db, { sql: client }) => (await client.query("SELECT e.seq::int AS seq, e.event_class FROM events e ORDER BY e.seq")).rows,
    );
    expect(left).toEqual([
      { seq: 4, event_class: "policy_decision" },
      { seq: 7, event_class: "message" },
      { seq: 8, event_class: "admin" },
    ]);
    const summaries = await withTenant(
      fx.tenant.id,
      async (_db, { sql: client }) =>
        (
          await client.query(
            "SELECT s.first_seq::int AS first, s.last_seq::int AS last, s.count, s.last_hash, s.classes FROM event_summaries s ORDER BY s.first_seq",
          )
        ).rows,
    );
    expect(summaries).toEqual([
      { first: 1, last: 3, count: 3, last_hash: stored[2]?.hash, classes: { tool_result: 2, message: 1 } },
      { first: 5, last: 6, count: 2, last_hash: stored[5]?.hash, classes: { tool_result: 1, message: 1 } },
    ]);
    expect(await verifyChain(fx.tenant.id)).toMatchObject({ isValid: true, headSeq: "8" });
    // Nothing is expired any more.
    expect(await applyRetention(fx.tenant.id)).toEqual([]);
  });

  it("a tenant's own retention settings decide, and a deleted summary breaks verification", async () => {
    const fx = await createTenantFixture();
    await withTenant(fx.tenant.id, (_db, { sql: client }) =>
      client.query("INSERT INTO retention_policies (tenant_id, event_class, days) VALUES ($1, 'message', 10)", [fx.tenant.id]),
    );
    const twentyDaysAgo = new Date(Date.now() - 20 * 24 * 60 * 60 * 1000);
    await recordEvents(fx.tenant.id, [{ ...message(1), at: twentyDaysAgo }, { ...message(2), at: twentyDaysAgo }, message(3)]);
    expect((await applyRetention(fx.tenant.id)).map((range) => range.removed)).toEqual([2]);
    expect((await verifyChain(fx.tenant.id)).isValid).toBe(true);
    await asSuperuser(fx.tenant.id, "DELETE FROM event_summaries WHERE tenant_id = $1");
    expect(await verifyChain(fx.tenant.id)).toMatchObject({ isValid: false, failure: { seq: "1", reason: "gap" } });
  });

  it("the prune function refuses to act for another tenant than the caller's context", async () => {
    const [a, b] = await Promise.all([createTenantFixture(), createTenantFixture()]);
    await expect(
      withTenant(a.tenant.id, (_db, { sql: client }) => client.query("SELECT * FROM prune_expired_events($1)", [b.tenant.id])),
    ).rejects.toMatchObject({ code: "42501" });
  });
});

describe("transparency log", () => {
  it("inclusion and consistency proofs verify for a log of at least 1,000 checkpoints", async () => {
    const tenants = await Promise.all(Array.from({ length: 4 }, () => createTenantFixture()));
    for (const fx of tenants) {
      await withTenant(fx.tenant.id, (_db, { sql: client }) =>
        client.query("INSERT INTO event_log_settings (tenant_id, checkpoint_every) VALUES ($1, 1)", [fx.tenant.id]),
      );
    }
    // One checkpoint (and log entry) per append: 4 tenants × 250 appends.
    await Promise.all(
      tenants.map(async (fx) => {
        // Each checkpoint made before the next append: while one waits, a later one due for the same tenant replaces it.
        for (let i = 0; i < 250; i += 1) {
          await recordEvents(fx.tenant.id, [message(i)]);
          await checkpointsSettled();
        }
      }),
    );
    const fx = tenants[0];
    if (!fx) throw new Error("no tenant");
    const inclusion = await withTenant(fx.tenant.id, (_db, { sql: client }) => checkpointInclusion(client, fx.tenant.id, "125"));
    expect(inclusion.treeSize).toBeGreaterThanOrEqual(1000);
    expect(
      verifyInclusion({
        leafHash: Buffer.from(inclusion.leafHash, "hex"),
        index: inclusion.logIndex,
        treeSize: inclusion.treeSize,
        proof: inclusion.proof.map((node) => Buffer.from(node, "hex")),
        root: Buffer.from(inclusion.rootHash, "hex"),
      }),
    ).toBe(true);
    expect(
      verifyInclusion({
        leafHash: Buffer.from(inclusion.leafHash, "hex"),
        index: inclusion.logIndex + 1,
        treeSize: inclusion.treeSize,
        proof: inclusion.proof.map((node) => Buffer.from(node, "hex")),
        root: Buffer.from(inclusion.rootHash, "hex"),
      }),
    ).toBe(false);
    for (const oldSize of [1, 500, 999, inclusion.treeSize - 1]) {
      const consistency = await withTenant(fx.tenant.id, (_db, { sql: client }) => logConsistency(client, oldSize, inclusion.treeSize));
      const args = {
        oldSize,
        newSize: consistency.newSize,
        oldRoot: Buffer.from(consistency.oldRoot, "hex"),
        newRoot: Buffer.from(consistency.newRoot, "hex"),
        proof: consistency.proof.map((node) => Buffer.from(node, "hex")),
      };
      expect(verifyConsistency(args)).toBe(true);
      expect(verifyConsistency({ ...args, oldRoot: Buffer.alloc(32) })).toBe(false);
    }
  }, 120_000);
});

describe("parallel verification of long chains", () => {
  const parallel = { parallelFrom: 10, ranges: 3 };

  async function chainOf(count: number): Promise<string> {
    const fx = await createTenantFixture();
    await recordEvents(
      fx.tenant.id,
      Array.from({ length: count }, (_, i) => message(i + 1)),
    );
    return fx.tenant.id;
  }

  it("verifies a valid chain in ranges over one snapshot", async () => {
    const tenantId = await chainOf(30);
    expect(await verifyChain(tenantId, parallel)).toMatchObject({ isValid: true, checked: 30, lastSeq: "30" });
  });

  it("finds a change in a later range, at that event", async () => {
    const tenantId = await chainOf(30);
    await asSuperuser(tenantId, "UPDATE events SET type = 'forged' WHERE tenant_id = $1 AND seq = 25");
    expect(await verifyChain(tenantId, parallel)).toMatchObject({ isValid: false, failure: { seq: "25", reason: "hash_mismatch" } });
  });

  it("finds a deleted event at a range boundary", async () => {
    const tenantId = await chainOf(30);
    await asSuperuser(tenantId, "DELETE FROM events WHERE tenant_id = $1 AND seq = 11");
    const result = await verifyChain(tenantId, parallel);
    expect(result.isValid).toBe(false);
    if (!result.isValid) expect(result.failure.seq).toBe("11");
  });

  it("finds a forged link between ranges (a range rebuilt from a different history)", async () => {
    const tenantId = await chainOf(30);
    await asSuperuser(tenantId, "UPDATE events SET prev_hash = repeat('c', 64) WHERE tenant_id = $1 AND seq = 21");
    const result = await verifyChain(tenantId, parallel);
    expect(result.isValid).toBe(false);
    if (!result.isValid) expect(["21"]).toContain(result.failure.seq);
  });

  it("agrees with the sequential verification after retention", async () => {
    const fx = await createTenantFixture();
    const old = new Date(Date.now() - 400 * 24 * 60 * 60 * 1000);
    await recordEvents(
      fx.tenant.id,
      Array.from({ length: 40 }, (_, i) => ({ ...message(i), ...(i % 3 === 0 ? { at: old } : {}) })),
    );
    await applyRetention(fx.tenant.id);
    const sequential = await verifyChain(fx.tenant.id, { ranges: 1 });
    expect(sequential.isValid).toBe(true);
    expect(await verifyChain(fx.tenant.id, parallel)).toMatchObject({ isValid: true, checked: sequential.checked });
  });
});

describe("range verification", () => {
  it("verifies a range from the hash its first event records, and finds a change inside it", async () => {
    const fx = await createTenantFixture();
    await recordEvents(
      fx.tenant.id,
      Array.from({ length: 20 }, (_, i) => message(i + 1)),
    );
    expect(await verifyChainRange(fx.tenant.id, { fromSeq: 5n, toSeq: 12n })).toMatchObject({ isValid: true, checked: 8, lastSeq: "12" });
    await asSuperuser(fx.tenant.id, "UPDATE events SET type = 'forged' WHERE tenant_id = $1 AND seq = 9");
    expect(await verifyChainRange(fx.tenant.id, { fromSeq: 5n, toSeq: 12n })).toMatchObject({ isValid: false, failure: { seq: "9" } });
    expect(await verifyChainRange(fx.tenant.id, { fromSeq: 10n, toSeq: 20n })).toMatchObject({ isValid: true });
  });
});
