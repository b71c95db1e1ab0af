// memory.set against its own SQL, for `npm run bench` (scripts/bench-gate.ts calls
// benchMemorySet with its tenants, runs and compositions):
//
//   pipeline: every call an executed memory.set through the whole gate
//     (runGateWith), 8 tenants × 2 concurrent callers, for `seconds`, and until the
//     checkpoints those calls made due are made (they are made in the background);
//   pgbench: the SQL an executed memory.set needs at the least
//     (scripts/bench-memory-set.sql), 16 clients over the same 8 tenants and runs,
//     on the same database, as the app role, for the same `seconds`;
//   the ratio pipeline decisions/s ÷ pgbench tps: what share of the database's
//     own pace the gate keeps. Three rounds (pipeline, then pgbench), median reported.
//
// A memory.set that is not executed fails the bench: the figure would be another mix.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import type { TPrincipal } from "../server/policy/evaluate";
import type { TBenchResult } from "./bench-gate";
import { ensurePgbench, runPgbench, type TPgbench, type TPgbenchRun } from "./lib/pgbench";

type TTenant = { tenantId: string; runIds: string[]; member: TPrincipal };
/** appCpuMs: this process's CPU (user and system) per call, the app's own share of the machine. */
type TPipelineRun = { rate: number; p50: number; p99: number; count: number; appCpuMs: number };

const KEYS_PER_CALLER = 25;
const SCRIPT = fileURLToPath(new URL("./bench-memory-set.sql", import.meta.url));

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Every call a memory.set through the whole gate; each caller writes its own keys (two first writes of one key would race). */
async function memorySetPipeline(tenants: TTenant[], seconds: number, offset: number): Promise<TPipelineRun> {
  const { runGateWith } = await import("../server/gate/pipeline");
  (await import("../server/plugins")).installPlugins();
  const registry = await (await import("../server/tools/catalog")).toolRegistry("saas");
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(
    tenants.flatMap(({ tenantId, runIds, member }) =>
      runIds.map(async (runId, caller) => {
        for (let i = offset + caller * 7; performance.now() < deadline; i += 1) {
          const t0 = performance.now();
          const args = { key: `note-${caller}-${i % KEYS_PER_CALLER}`, value: `the supplier ships on Mondays (${i})` };
          const outcome = await runGateWith(registry, { tenantId, runId, principal: member, tool: "memory.set", args });
          latencies.push(performance.now() - t0);
          if (outcome.status !== "executed")
            throw new Error(
              `memory.set was ${outcome.status}, not executed: ${JSON.stringify("error" in outcome ? outcome.error : outcome.decision)}`,
            );
        }
      }),
    ),
  );
  // The checkpoints these calls made due are made in the background (server/events/append.ts):
  // the round ends when they are, so their work is charged to the pipeline, not to the
  // pgbench round that follows.
  await (await import("../server/events/append")).checkpointsSettled();
  const elapsed = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  latencies.sort((a, b) => a - b);
  return {
    rate: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    count: latencies.length,
    appCpuMs: (used.user + used.system) / 1000 / Math.max(1, latencies.length),
  };
}

/**
 * pgbench's variables (the tenants, their runs, their policy generations) and the
 * script as this database needs it: before migration 20261207100000,
 * gate_call_state took no generation.
 */
async function pgbenchInput(tenants: TTenant[]): Promise<{ script: string; vars: Record<string, string> }> {
  const { withTenantOneTrip } = await import("../server/db");
  const first = tenants[0]?.tenantId;
  if (!first) throw new Error("no tenants");
  const { rows } = await withTenantOneTrip<{ args: number }>(
    first,
    { text: "SELECT pronargs AS args FROM pg_proc WHERE proname = 'gate_call_state'" },
    { readOnly: true },
  );
  const hasGeneration = rows[0]?.args === 4;
  const generations = hasGeneration
    ? await Promise.all(
        tenants.map(async ({ tenantId }) => {
          const result = await withTenantOneTrip<{ generation: string }>(
            tenantId,
            {
              text: "SELECT coalesce((SELECT generation FROM policy_generations WHERE tenant_id = $1), 0)::text AS generation",
              values: [tenantId],
            },
            { readOnly: true },
          );
          return result.rows[0]?.generation ?? "0";
        }),
      )
    : tenants.map(() => "0");
  let script = readFileSync(SCRIPT, "utf8");
  if (!hasGeneration) script = script.replace(/,\s*\(CAST\(:generations AS bigint\[\]\)\)\[:t\]\)/, ")");
  return {
    script,
    vars: {
      tenants: `{${tenants.map((tenant) => tenant.tenantId).join(",")}}`,
      runs: `{${tenants.flatMap((tenant) => tenant.runIds).join(",")}}`,
      generations: `{${generations.join(",")}}`,
    },
  };
}

async function pgbenchRound(pgbench: TPgbench, input: { script: string; vars: Record<string, string> }, seconds: number, clients: number) {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set");
  const logDir = mkdtempSync(path.join(os.tmpdir(), "fabric-pgbench-"));
  try {
    const script = path.join(logDir, "bench-memory-set.sql");
    writeFileSync(script, input.script);
    return await runPgbench(pgbench, {
      url,
      script,
      clients,
      threads: Math.min(clients, os.cpus().length),
      seconds,
      vars: input.vars,
      logDir,
    });
  } finally {
    rmSync(logDir, { recursive: true, force: true });
  }
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

export async function benchMemorySet(
  log: (result: TBenchResult) => void,
  tenants: TTenant[],
  options: { seconds: number; rounds?: number },
) {
  const { seconds } = options;
  const rounds = options.rounds ?? 3;
  const callers = tenants.reduce((sum, tenant) => sum + tenant.runIds.length, 0);
  const pgbench = ensurePgbench();
  const input = pgbench ? await pgbenchInput(tenants) : null;
  process.stdout.write(
    `\nmemory.set against its own SQL: ${rounds} rounds of ${seconds} s, pipeline then ` +
      `${pgbench ? `pgbench ${pgbench.version} (${pgbench.path})` : "no pgbench"}\n`,
  );
  await memorySetPipeline(tenants, Math.min(2, seconds), 0); // warm-up: every tenant's composition cached
  if (pgbench && input) await pgbenchRound(pgbench, input, 1, callers); // warm-up, and the script checked before the rounds

  const figures: { pipeline: TPipelineRun; pgbench: TPgbenchRun | null }[] = [];
  for (let round = 1; round <= rounds; round += 1) {
    const pipeline = await memorySetPipeline(tenants, seconds, round * 10_000);
    const sql = pgbench && input ? await pgbenchRound(pgbench, input, seconds, callers) : null;
    figures.push({ pipeline, pgbench: sql });
    process.stdout.write(
      `  round ${round}: pipeline ${pipeline.rate.toFixed(0)} memory.set/s (p50 ${ms(pipeline.p50)}, p99 ${ms(pipeline.p99)}, app CPU ${pipeline.appCpuMs.toFixed(2)} ms/call)` +
        (sql
          ? `, pgbench ${sql.tps.toFixed(0)} tps (p50 ${ms(sql.p50)}, p99 ${ms(sql.p99)}), ratio ${(pipeline.rate / sql.tps).toFixed(3)}`
          : "") +
        "\n",
    );
  }

  const pipelineRounds = figures.map(({ pipeline }) => ({
    decisionsPerSecond: pipeline.rate,
    p50Ms: pipeline.p50,
    p99Ms: pipeline.p99,
    calls: pipeline.count,
    appCpuMsPerCall: pipeline.appCpuMs,
  }));
  const calls = figures.reduce((sum, { pipeline }) => sum + pipeline.count, 0);
  log({
    name: `gate memory.set only, ${tenants.length} tenants, ${callers} concurrent callers`,
    value: median(figures.map(({ pipeline }) => pipeline.rate)),
    unit: "decisions/s",
    detail: `median of ${rounds} rounds; p50 ${ms(median(figures.map(({ pipeline }) => pipeline.p50)))}, p99 ${ms(median(figures.map(({ pipeline }) => pipeline.p99)))}; ${calls.toLocaleString("en")} calls, 100% executed`,
    rounds: pipelineRounds,
  });
  const sqlRuns = figures.flatMap(({ pgbench: run }) => (run ? [run] : []));
  if (!pgbench || sqlRuns.length !== figures.length) return;
  log({
    name: `pgbench, memory.set's own SQL, ${callers} clients over ${tenants.length} tenants`,
    value: median(sqlRuns.map((run) => run.tps)),
    unit: "tps",
    detail: `median of ${rounds} rounds; p50 ${ms(median(sqlRuns.map((run) => run.p50)))}, p99 ${ms(median(sqlRuns.map((run) => run.p99)))}; pgbench ${pgbench.version}`,
    rounds: sqlRuns.map((run) => ({ tps: run.tps, p50Ms: run.p50, p99Ms: run.p99, transactions: run.count })),
  });
  const ratios = figures.map(({ pipeline, pgbench: run }) => pipeline.rate / (run?.tps ?? Number.NaN));
  log({
    name: "memory.set: pipeline decisions/s ÷ pgbench tps",
    value: median(ratios),
    unit: "ratio",
    detail: `median of ${rounds} rounds: ${ratios.map((ratio) => ratio.toFixed(3)).join(", ")}`,
    rounds: ratios.map((ratio) => ({ ratio })),
  });
}
