// The record step's guarantees: an internal tool's effect commits with its events or
// not at all, and an external call is committed as started before it runs, so a
// process killed in the middle leaves an "outcome unknown" an admin closes, once.
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { withTenant } from "@/server/db";
import { checkpointsSettled } from "@/server/events/append";
import { verifyChain } from "@/server/events/chain";
import { setMemoryIn } from "@/server/memory/service";
import { callerFor, createTenantFixture, type TTenantFixture } from "@/server/test/factories";
import { memorySet } from "@/server/tools/memory";
import { ToolRegistry } from "@/server/tools/registry";
import { runGate, runGateWith } from "./pipeline";

let fx: TTenantFixture;
let owner: pg.Client;

beforeAll(async () => {
  fx = await createTenantFixture();
  owner = new pg.Client({ connectionString: inject("ownerDatabaseUrl") });
  await owner.connect();
});

afterAll(async () => {
  await owner.end();
});

const newRun = () =>
  withTenant(
    fx.tenant.id,
    async (db) => (await db.run.create({ data: { tenantId: fx.tenant.id, title: "record", principal: "user:test" } })).id,
  );
const member = () => ({ type: "User" as const, id: fx.users.member.id, role: "member" });

async function stored(runId: string, key: string) {
  return withTenant(fx.tenant.id, async (db) => ({
    memory: await db.memoryEntry.count({ where: { tenantId: fx.tenant.id, key } }),
    events: (await db.event.findMany({ where: { tenantId: fx.tenant.id, runId }, orderBy: { seq: "asc" } })).map((event) => event.type),
  }));
}

/**
 * Runs `work` while the database refuses this run's rows in `table` (a trigger), inside
 * whatever transaction inserts them: events, the audit row of a denial, or (by key) a
 * memory entry.
 */
async function whileRefused<T>(
  table: "events" | "audit_logs" | "memory_entries",
  runId: string,
  work: () => Promise<T>,
  key = "",
): Promise<T> {
  const name = `refuse_${table}_${runId.replaceAll("-", "")}`;
  const when = {
    events: `NEW.run_id = '${runId}'`,
    audit_logs: `NEW.data->>'runId' = '${runId}'`,
    memory_entries: `NEW.key = '${key}'`,
  }[table];
  await owner.query(`CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$`);
  await owner.query(`CREATE TRIGGER ${name} BEFORE INSERT ON ${table} FOR EACH ROW WHEN (${when}) EXECUTE FUNCTION ${name}()`);
  try {
    return await work();
  } finally {
    await owner.query(`DROP TRIGGER ${name} ON ${table}`);
    await owner.query(`DROP FUNCTION ${name}()`);
  }
}

describe("a denied or held internal call is recorded in the transaction it was decided in", () => {
  let held: TTenantFixture;

  beforeAll(async () => {
    held = await createTenantFixture();
    await withTenant(held.tenant.id, (db) =>
      db.policyComposition.create({
        data: {
          tenantId: held.tenant.id,
          packs: [{ name: "baseline", version: 1 }],
          tenantPolicies:
            '@id("hold-memory-delete") @effect("require_approval") @reason("deleting memory needs approval") forbid (principal, action == Action::"memory.delete", resource);',
        },
      }),
    );
  });

  const runOf = (tenant: TTenantFixture) =>
    withTenant(
      tenant.tenant.id,
      async (db) => (await db.run.create({ data: { tenantId: tenant.tenant.id, title: "held", principal: "user:test" } })).id,
    );
  const recorded = (tenant: TTenantFixture, runId: string) =>
    withTenant(tenant.tenant.id, async (db) => ({
      requests: await db.approvalRequest.count({ where: { tenantId: tenant.tenant.id, runId } }),
      audits: await db.auditLog.count({
        where: { tenantId: tenant.tenant.id, action: "gate.denied", data: { path: ["runId"], equals: runId } },
      }),
      events: (await db.event.findMany({ where: { tenantId: tenant.tenant.id, runId }, orderBy: { seq: "asc" } })).map(
        (event) => event.type,
      ),
    }));

  it("a hold's approval request commits with its events, or neither does", async () => {
    const runId = await runOf(held);
    const call = {
      tenantId: held.tenant.id,
      runId,
      principal: { type: "User" as const, id: held.users.member.id, role: "member" },
      tool: "memory.delete",
      args: { key: "k" },
    };
    // The events fail after the request was made in the same transaction.
    await whileRefused("events", runId, () => expect(runGate(call)).rejects.toThrow(/injected failure/));
    expect(await recorded(held, runId)).toEqual({ requests: 0, audits: 0, events: [] });
    expect(await runGate(call)).toMatchObject({ status: "held" });
    expect(await recorded(held, runId)).toEqual({ requests: 1, audits: 0, events: ["policy.decision", "approval.requested"] });
  });

  it("a denial's audit row commits with its events, or neither does", async () => {
    const runId = await runOf(held);
    const call = {
      tenantId: held.tenant.id,
      runId,
      principal: { type: "User" as const, id: held.users.viewer.id, role: "viewer" },
      tool: "memory.get",
      args: { key: "k" },
    };
    // The audit row fails after the events went in, in the same round trip as COMMIT.
    await whileRefused("audit_logs", runId, () => expect(runGate(call)).rejects.toThrow(/injected failure/));
    expect(await recorded(held, runId)).toEqual({ requests: 0, audits: 0, events: [] });
    expect(await runGate(call)).toMatchObject({ status: "denied", decision: { step: "policy" } });
    expect(await recorded(held, runId)).toEqual({ requests: 0, audits: 1, events: ["policy.decision"] });
  });
});

describe("an internal tool's effect commits with its events", () => {
  it("leaves neither the effect nor any event when the record transaction fails after the effect", async () => {
    const runId = await newRun();
    const key = `injected-${crypto.randomUUID()}`;
    // The injected failure: the database refuses this run's events, inside the transaction
    // that has already run memory.set's effect.
    await whileRefused("events", runId, () =>
      expect(
        runGate({ tenantId: fx.tenant.id, runId, principal: member(), tool: "memory.set", args: { key, value: "v" } }),
      ).rejects.toThrow(/injected failure/),
    );
    expect(await stored(runId, key)).toEqual({ memory: 0, events: [] });
    // The same call, with nothing failing: effect and events together.
    await runGate({ tenantId: fx.tenant.id, runId, principal: member(), tool: "memory.set", args: { key, value: "v" } });
    expect(await stored(runId, key)).toEqual({ memory: 1, events: ["policy.decision", "tool.call", "tool.result"] });
  });

  it("rolls back the effect of a tool that fails after making it, and records the failure", async () => {
    const registry = new ToolRegistry("saas");
    registry.register({
      ...memorySet,
      // The effect runs through execute, not as a statement sent with COMMIT.
      commitEffect: undefined,
      execute: async (context, args) => {
        if (!context.tx) throw new Error("no transaction");
        await setMemoryIn(context.tx.sql, context.tenantId, args.key, args.value, context.principal);
        throw new Error("failed after its effect");
      },
    });
    const runId = await newRun();
    const key = `half-${crypto.randomUUID()}`;
    const outcome = await runGateWith(registry, {
      tenantId: fx.tenant.id,
      runId,
      principal: member(),
      tool: "memory.set",
      args: { key, value: "v" },
    });
    expect(outcome).toMatchObject({ status: "failed", error: "failed after its effect" });
    expect(await stored(runId, key)).toEqual({ memory: 0, events: ["policy.decision", "tool.call", "tool.result"] });
  });
});

describe("an internal effect sent with COMMIT (commitEffect)", () => {
  const set = (runId: string, key: string, value: string) =>
    runGate({ tenantId: fx.tenant.id, runId, principal: member(), tool: "memory.set", args: { key, value } });

  it("records the version only the database knew in tool.result, and the chain verifies", async () => {
    await checkpointsSettled();
    // execute never runs: the effect is the statement sent with COMMIT.
    const registry = new ToolRegistry("saas");
    registry.register({ ...memorySet, execute: () => Promise.reject(new Error("execute ran")) });
    const runId = await newRun();
    const key = `commit-${crypto.randomUUID()}`;
    const setOnce = (value: string) =>
      runGateWith(registry, { tenantId: fx.tenant.id, runId, principal: member(), tool: "memory.set", args: { key, value } });
    expect(await setOnce("one")).toMatchObject({ status: "executed", result: { key, version: 1 } });
    expect(await setOnce("two")).toMatchObject({ status: "executed", result: { key, version: 2 } });
    const results = await withTenant(fx.tenant.id, (db) =>
      db.event.findMany({ where: { tenantId: fx.tenant.id, runId, type: "tool.result" }, orderBy: { seq: "asc" } }),
    );
    expect(results.map((event) => JSON.parse(event.payload))).toEqual([
      { tool: "memory.set", ok: true, result: { key, version: 1 } },
      { tool: "memory.set", ok: true, result: { key, version: 2 } },
    ]);
    await checkpointsSettled();
    expect(await verifyChain(fx.tenant.id)).toMatchObject({ isValid: true });
  });

  it("when the database refuses the effect, runs the same decision the ordinary way and records the failure", async () => {
    const runId = await newRun();
    const key = `refused-${crypto.randomUUID()}`;
    // memory_set fails for this key, in the pipeline with COMMIT and again through execute.
    const outcome = await whileRefused("memory_entries", runId, () => set(runId, key, "v"), key);
    expect(outcome).toMatchObject({ status: "failed", error: "injected failure" });
    expect(await stored(runId, key)).toEqual({ memory: 0, events: ["policy.decision", "tool.call", "tool.result"] });
    const result = await withTenant(fx.tenant.id, (db) =>
      db.event.findFirst({ where: { tenantId: fx.tenant.id, runId, type: "tool.result" } }),
    );
    expect(JSON.parse(result?.payload ?? "null")).toEqual({ tool: "memory.set", ok: false, error: "injected failure" });
  });

  it("refuses to record a result event that does not carry the effect's value", async () => {
    const registry = new ToolRegistry("saas");
    registry.register({
      ...memorySet,
      commitEffect: (context, args) => ({ ...memorySet.commitEffect!(context, args), result: () => ({ key: args.key }) }),
    });
    const runId = await newRun();
    const key = `unplaced-${crypto.randomUUID()}`;
    await expect(
      runGateWith(registry, { tenantId: fx.tenant.id, runId, principal: member(), tool: "memory.set", args: { key, value: "v" } }),
    ).rejects.toThrow(/value must appear in its event/);
    expect(await stored(runId, key)).toEqual({ memory: 0, events: [] });
  });
});

describe("an external call killed while it runs", () => {
  let server: Server;
  let origin = "";
  const hanging = new Set<() => void>();

  beforeAll(async () => {
    // Answers nothing: the call is in flight when its process is killed.
    server = createServer((request) => {
      hanging.add(() => request.socket.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const close of hanging) close();
    await new Promise((resolve) => server.close(resolve));
  });

  it("leaves an outcome unknown that an admin closes exactly once, and the run ends with the note", async () => {
    const runId = await newRun();
    const call = { tenantId: fx.tenant.id, runId, principal: member(), tool: "web.fetch", args: { url: `${origin}/slow` } };
    const child = spawn(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "../test/crash-child.ts")], {
      cwd: path.resolve(import.meta.dirname, "../.."),
      env: { ...process.env, CALL: JSON.stringify(call), SSRF_ALLOW_ADDRESSES: "127.0.0.1", WEB_TIMEOUT_MS: "60000" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    // Killed (no chance to clean up) once the call is in flight: its started row committed.
    const started = await until(() =>
      withTenant(fx.tenant.id, (db) => db.toolExecution.findFirst({ where: { tenantId: fx.tenant.id, runId } })),
    );
    await until(async () => hanging.size > 0 || null);
    child.kill("SIGKILL");
    await exited;
    expect(started).toMatchObject({ tool: "web.fetch", finishedAt: null, outcome: null });

    const admin = callerFor(fx.users.admin);
    // Not yet unknown: the call could still be running until its deadline.
    expect(await admin.run.unknownOutcomes({ tenantSlug: fx.tenant.slug })).toEqual([]);
    await expect(
      admin.run.closeOutcome({ tenantSlug: fx.tenant.slug, executionId: started.id, result: "did_not_run", note: "too early" }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    // Past the deadline (moved back here rather than waited for).
    await withTenant(fx.tenant.id, (db) =>
      db.toolExecution.update({ where: { id: started.id }, data: { deadlineAt: new Date(Date.now() - 1000) } }),
    );
    expect(await admin.run.unknownOutcomes({ tenantSlug: fx.tenant.slug })).toEqual([
      expect.objectContaining({ id: started.id, runId, tool: "web.fetch" }),
    ]);
    await expect(
      callerFor(fx.users.member).run.closeOutcome({ tenantSlug: fx.tenant.slug, executionId: started.id, result: "ran", note: "x" }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });

    const close = (note: string) =>
      admin.run.closeOutcome({ tenantSlug: fx.tenant.slug, executionId: started.id, result: "did_not_run", note });
    const [first, second] = await Promise.allSettled([close("the page log shows no request"), close("closed twice")]);
    expect([first.status, second.status].sort()).toEqual(["fulfilled", "rejected"]);
    expect(await admin.run.unknownOutcomes({ tenantSlug: fx.tenant.slug })).toEqual([]);
    const after = await withTenant(fx.tenant.id, async (db) => ({
      row: await db.toolExecution.findUniqueOrThrow({ where: { id: started.id } }),
      run: await db.run.findUniqueOrThrow({ where: { id: runId } }),
      events: (await db.event.findMany({ where: { tenantId: fx.tenant.id, runId }, orderBy: { seq: "asc" } })).map((event) => event.type),
    }));
    expect(after.row).toMatchObject({ outcome: "did_not_run", closedBy: `user:${fx.users.admin.id}` });
    expect(after.run.status).toBe("failed");
    expect(after.events).toEqual(["policy.decision", "tool.call", "tool.result", "message.agent", "run.completed"]);
  });
});

async function until<T>(probe: () => Promise<T | null | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
