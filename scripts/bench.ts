// npm run bench: throughput and latency of the event log and the gate on this machine,
// against a real PostgreSQL (a throwaway embedded one unless BENCH_DATABASE_URL
// and BENCH_DATABASE_OWNER_URL are set).
//
//   appends/s, one tenant, concurrent single-event appends (serialized per tenant)
//   appends/s, 8 tenants in parallel (not serialized across tenants)
//   verification speed, events/s, over a chain of BENCH_VERIFY_EVENTS (default 1,000,000)
//   the Tool Policy Gate (scripts/bench-gate.ts): the whole pipeline, 8 tenants and 16
//     concurrent callers for BENCH_GATE_SECONDS (default 10); memory.set alone through
//     the pipeline against pgbench running its SQL (scripts/bench-memory-set.ts), three
//     rounds of BENCH_GATE_SECONDS each; the policy step alone over
//     BENCH_GATE_POLICY_CALLS decisions (default 50,000)
//
// BENCH_ONLY=gate runs the gate figures alone (no event-log section, no 1M-event
// chain to write and verify), in about a minute and a half; BENCH_ONLY=events the event log alone;
// BENCH_ONLY=memory-set the memory.set rounds alone (what to profile: NODE_OPTIONS=--cpu-prof).
//
// Results are printed and written to .tmp/bench.json; docs/performance.md records them.
import { randomUUID } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { benchGate, percentile, type TBenchResult } from "./bench-gate";
import { startEmbeddedDatabase } from "./lib/embedded-db";
import { migrate } from "./lib/migrate";
import { batchScheduling } from "./lib/postgres-server";

async function main(): Promise<void> {
  const verifyCount = Number(process.env.BENCH_VERIFY_EVENTS ?? 1_000_000);
  const only = process.env.BENCH_ONLY;
  if (only !== undefined && only !== "gate" && only !== "events" && only !== "memory-set")
    throw new Error('BENCH_ONLY must be "gate", "events" or "memory-set"');
  let stop = async () => undefined as void;
  let scratch: string | null = null;
  if (process.env.BENCH_DATABASE_URL && process.env.BENCH_DATABASE_OWNER_URL) {
    process.env.DATABASE_URL = process.env.BENCH_DATABASE_URL;
    await migrate({ appUrl: process.env.BENCH_DATABASE_URL, ownerUrl: process.env.BENCH_DATABASE_OWNER_URL }, { quiet: true });
  } else {
    scratch = mkdtempSync(path.join(os.tmpdir(), "fabric-bench-"));
    chmodSync(scratch, 0o755);
    const db = await startEmbeddedDatabase({ dataDir: path.join(scratch, "pg"), quiet: true });
    await migrate(db, { quiet: true });
    process.env.DATABASE_URL = db.appUrl;
    stop = db.stop;
  }
  // One pool for Prisma and raw SQL since the tenant runner became one: 48 is what the two
  // pools of 24 held before, so figures compare.
  process.env.DATABASE_POOL_SIZE ??= "48";
  process.env.MASTER_KEYS ??= `1:${Buffer.alloc(32, 9).toString("base64")}`;
  process.env.NEXTAUTH_SECRET ??= "bench-secret-bench-secret-bench-secret-0";
  process.env.LOG_LEVEL = "silent";

  const { platform } = await import("../server/db/platform");
  const { disconnect, withTenant } = await import("../server/db");
  const { appendEvents, recordEvents } = await import("../server/events/append");
  const { chainEntries, verifyChain } = await import("../server/events/chain");

  async function tenant(): Promise<string> {
    const id = randomUUID();
    await platform.run((db) => db.tenant.create({ data: { id, slug: `bench-${id.slice(0, 8)}`, name: "Bench" } }));
    // Checkpoints at the default interval (every 100 events), as in production.
    return id;
  }
  const event = (i: number) => ({
    type: "tool.result",
    eventClass: "tool_result" as const,
    payload: { ok: true, i, note: "benchmark payload of a typical size" },
  });

  async function appendLoad(
    tenants: string[],
    perTenant: number,
    concurrencyPerTenant: number,
  ): Promise<{ rate: number; p50: number; p99: number }> {
    const latencies: number[] = [];
    const started = performance.now();
    await Promise.all(
      tenants.flatMap((tenantId) =>
        Array.from({ length: concurrencyPerTenant }, async (_, worker) => {
          for (let i = worker; i < perTenant; i += concurrencyPerTenant) {
            const t0 = performance.now();
            await recordEvents(tenantId, [event(i)]);
            latencies.push(performance.now() - t0);
          }
        }),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    return { rate: (tenants.length * perTenant) / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
  }

  const results: TBenchResult[] = [];
  const log = (result: TBenchResult) => {
    results.push(result);
    const digits = result.unit === "ratio" ? 3 : result.unit === "ms" ? (result.value < 1 ? 3 : 2) : 0;
    process.stdout.write(
      `${result.name.padEnd(58)} ${result.value.toFixed(digits).padStart(10)} ${result.unit}${result.detail ? `  (${result.detail})` : ""}\n`,
    );
  };

  const database = scratch
    ? `embedded PostgreSQL, ${batchScheduling() ? "batch-scheduled (SCHED_BATCH; EMBEDDED_DB_BATCH=0 to compare)" : "normally scheduled"}`
    : "the PostgreSQL in BENCH_DATABASE_URL";
  process.stdout.write(`Benchmark — ${os.cpus().length} cores, node ${process.version}, ${database}\n\n`);

  async function eventLog(): Promise<void> {
    process.stdout.write("Event log\n\n");
    await appendLoad([await tenant()], 200, 4); // warm-up

    const one = await appendLoad([await tenant()], 3_000, 8);
    log({
      name: "appends/s, 1 tenant, 8 concurrent callers",
      value: one.rate,
      unit: "events/s",
      detail: `p50 ${one.p50.toFixed(1)} ms, p99 ${one.p99.toFixed(1)} ms`,
    });

    const eight = await appendLoad(await Promise.all(Array.from({ length: 8 }, tenant)), 1_000, 2);
    log({
      name: "appends/s, 8 tenants in parallel, 16 concurrent callers",
      value: eight.rate,
      unit: "events/s",
      detail: `p50 ${eight.p50.toFixed(1)} ms, p99 ${eight.p99.toFixed(1)} ms`,
    });

    const busy = await appendLoad(await Promise.all(Array.from({ length: 8 }, tenant)), 2_000, 8);
    log({
      name: "appends/s, 8 tenants in parallel, 64 concurrent callers",
      value: busy.rate,
      unit: "events/s",
      detail: `p50 ${busy.p50.toFixed(1)} ms, p99 ${busy.p99.toFixed(1)} ms`,
    });

    process.stdout.write(`\nwriting a chain of ${verifyCount.toLocaleString("en")} events to verify…\n`);
    const big = await tenant();
    const batch = 5_000;
    const writeStart = performance.now();
    for (let written = 0; written < verifyCount; written += batch) {
      const size = Math.min(batch, verifyCount - written);
      await withTenant(big, (_db, { sql: client }) =>
        appendEvents(
          client,
          big,
          Array.from({ length: size }, (_, i) => event(written + i)),
        ),
      );
    }
    log({
      name: "batched appends/s (5,000 per transaction), 1 tenant",
      value: verifyCount / ((performance.now() - writeStart) / 1000),
      unit: "events/s",
    });

    const fetchStart = performance.now();
    let fetched = 0;
    await withTenant(big, async (_db, { sql: client }) => {
      for await (const entry of chainEntries(client, big, { fromSeq: 1n, toSeq: BigInt(verifyCount) })) if (entry) fetched += 1;
    });
    const fetchSeconds = (performance.now() - fetchStart) / 1000;
    log({ name: "reading the chain alone (no hashing)", value: fetched / fetchSeconds, unit: "events/s" });

    const verifyStart = performance.now();
    const verification = await verifyChain(big);
    const verifySeconds = (performance.now() - verifyStart) / 1000;
    if (!verification.isValid || verification.checked !== verifyCount)
      throw new Error(`verification failed: ${JSON.stringify(verification)}`);
    log({
      name: `verification of ${verifyCount.toLocaleString("en")} events`,
      value: verifySeconds * 1000,
      unit: "ms",
      detail: `${Math.round(verifyCount / verifySeconds).toLocaleString("en")} events/s, ${verification.checkpointsChecked} checkpoints`,
    });
  }

  if (only === undefined || only === "events") await eventLog();
  if (only !== "events") {
    process.stdout.write(`${only === undefined ? "\n" : ""}Tool Policy Gate\n\n`);
    await benchGate(log, {
      seconds: Number(process.env.BENCH_GATE_SECONDS ?? 10),
      policyCalls: Number(process.env.BENCH_GATE_POLICY_CALLS ?? 50_000),
      memorySetOnly: only === "memory-set",
    });
  }

  mkdirSync(".tmp", { recursive: true });
  writeFileSync(".tmp/bench.json", JSON.stringify({ at: new Date().toISOString(), cores: os.cpus().length, results }, null, 2));
  await disconnect();
  await stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
