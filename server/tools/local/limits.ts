// Resource limits for one sandbox run. Where cgroup v1 controllers are writable
// (root here), each run gets its own cgroup: memory (swap included), pids and a
// CPU quota, so one tenant's fork bomb or allocation cannot starve another's
// command. rlimits apply always (file size, CPU seconds, open files, no core
// dumps; per-uid processes as a backstop; address space where no memory cgroup).
// After the run, whatever is left in the cgroup is killed and the cgroup removed.
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readFile, rmdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { logger } from "@/server/logger";
import { type TRuntimeSetting, runtimeSetting } from "@/server/runtime-settings";

export type TSandboxLimits = { memoryBytes: number; pids: number; cpuSeconds: number; cpuCores: number; fileSizeBytes: number };

const MIB = 1024 * 1024;

function positive(name: TRuntimeSetting, fallback: number): number {
  const value = Number(runtimeSetting(name) || fallback);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

export function sandboxLimits(): TSandboxLimits {
  return {
    memoryBytes: Math.floor(positive("SANDBOX_MEMORY_MB", 512) * MIB),
    pids: Math.floor(positive("SANDBOX_PIDS", 128)),
    cpuSeconds: Math.floor(positive("SANDBOX_CPU_SECONDS", 30)),
    cpuCores: positive("SANDBOX_CPU_CORES", 1),
    fileSizeBytes: Math.floor(positive("SANDBOX_FILE_SIZE_MB", 256) * MIB),
  };
}

const CGROUP_ROOT = "/sys/fs/cgroup";
const CONTROLLERS = ["memory", "pids", "cpu"] as const;
type TController = (typeof CONTROLLERS)[number];

/** This process's cgroup v1 path per controller (sandboxes nest below it). */
function ownPaths(): Map<string, string> {
  const paths = new Map<string, string>();
  try {
    for (const line of readFileSync("/proc/self/cgroup", "utf8").split("\n")) {
      const [, controllers, where] = line.split(":");
      for (const controller of controllers?.split(",") ?? []) if (where !== undefined) paths.set(controller, where);
    }
  } catch {
    // No /proc: no cgroups.
  }
  return paths;
}

export type TCgroup = {
  /** cgroup.procs files the wrapper writes its own pid into before it execs the sandbox. */
  procsFiles: string[];
  controllers: TController[];
  /** Kill what is left, read what was hit, remove the cgroups. */
  release(): Promise<TLimitHits>;
};
export type TLimitHits = { memory: boolean; pids: boolean };

async function write(file: string, value: string | number): Promise<void> {
  await writeFile(file, String(value));
}

/** A cgroup per run where the controllers are writable; null (rlimits only) where they are not. */
export async function createCgroup(limits: TSandboxLimits): Promise<TCgroup | null> {
  const own = ownPaths();
  const name = `agent-fabric-sandbox-${randomUUID()}`;
  const dirs = new Map<TController, string>();
  for (const controller of CONTROLLERS) {
    const mount = path.join(CGROUP_ROOT, controller);
    if (!existsSync(path.join(mount, "cgroup.procs"))) continue;
    const dir = path.join(mount, own.get(controller) ?? "/", name);
    try {
      await mkdir(dir);
      if (controller === "memory") {
        await write(path.join(dir, "memory.limit_in_bytes"), limits.memoryBytes);
        // Swap counts too: without it a large allocation would page out instead of stopping.
        if (existsSync(path.join(dir, "memory.memsw.limit_in_bytes")))
          await write(path.join(dir, "memory.memsw.limit_in_bytes"), limits.memoryBytes);
      } else if (controller === "pids") await write(path.join(dir, "pids.max"), limits.pids);
      else {
        await write(path.join(dir, "cpu.cfs_period_us"), 100_000);
        await write(path.join(dir, "cpu.cfs_quota_us"), Math.max(1_000, Math.round(limits.cpuCores * 100_000)));
      }
      dirs.set(controller, dir);
    } catch (error) {
      await rmdir(dir).catch(() => undefined);
      logger.debug({ err: error, controller }, "cgroup controller not writable; rlimits only for it");
    }
  }
  if (dirs.size === 0) return null;
  return {
    procsFiles: [...dirs.values()].map((dir) => path.join(dir, "cgroup.procs")),
    controllers: [...dirs.keys()],
    release: () => release(dirs),
  };
}

async function release(dirs: Map<TController, string>): Promise<TLimitHits> {
  const memory = dirs.get("memory");
  const pids = dirs.get("pids");
  const hits: TLimitHits = {
    memory: memory ? await memoryHit(memory) : false,
    pids: pids ? /^max [1-9]/m.test(await readFile(path.join(pids, "pids.events"), "utf8").catch(() => "")) : false,
  };
  for (const dir of dirs.values()) {
    // A process that outlived bwrap (it should not: --die-with-parent and the pid namespace) is killed here.
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const left = (await readFile(path.join(dir, "cgroup.procs"), "utf8").catch(() => "")).split("\n").filter(Boolean);
      if (left.length === 0) break;
      for (const pid of left) {
        try {
          process.kill(Number(pid), "SIGKILL");
        } catch {
          // Already gone.
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await rmdir(dir).catch((error: unknown) => logger.warn({ err: error, dir }, "sandbox cgroup not removed"));
  }
  return hits;
}

async function memoryHit(dir: string): Promise<boolean> {
  // Only an OOM kill counts: failcnt also rises when page cache is reclaimed at the limit.
  return /^oom_kill [1-9]/m.test(await readFile(path.join(dir, "memory.oom_control"), "utf8").catch(() => ""));
}

/** prlimit arguments for the run: per-process limits that hold with or without cgroups. */
export function rlimitArgs(limits: TSandboxLimits, cgroup: TCgroup | null): string[] {
  const args = [
    "prlimit",
    `--fsize=${limits.fileSizeBytes}:${limits.fileSizeBytes}`,
    `--cpu=${limits.cpuSeconds}:${limits.cpuSeconds}`,
    "--nofile=1024:1024",
    "--core=0:0",
    // Counted per host uid (the tenant's): a backstop where the pids controller is missing.
    `--nproc=${limits.pids * 2}:${limits.pids * 2}`,
  ];
  if (!cgroup?.controllers.includes("memory")) args.push(`--as=${limits.memoryBytes * 2}:${limits.memoryBytes * 2}`);
  return [...args, "--"];
}

// The wrapper joins the cgroups itself, then execs the sandbox: nothing runs outside them.
const JOIN = 'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n - 1)); done; exec "$@"';

export function joinCgroupArgs(cgroup: TCgroup | null): string[] {
  const files = cgroup?.procsFiles ?? [];
  return ["/bin/sh", "-c", JOIN, "sandbox-join", String(files.length), ...files];
}
