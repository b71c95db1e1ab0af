// shell.exec for self_hosted: runs inside bubblewrap with a read-only system,
// the tenant workspace as the only writable (and only visible) data, no
// network, as the tenant's own unprivileged host uid (sandbox-user.ts) with no
// capabilities and no_new_privs, in a cgroup of its own with memory, process and
// CPU limits plus rlimits (limits.ts), a scrubbed environment, a time limit and
// an output cap. A command the analysis finds destructive or unresolved runs only
// after a snapshot of the workspace (snapshots.ts). Where bwrap cannot run,
// shell.exec refuses, unless ALLOW_UNSANDBOXED_SHELL=1 says otherwise.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { z } from "zod";
import type { TToolDefinition } from "../types";
import { createCgroup, joinCgroupArgs, rlimitArgs, sandboxLimits, type TLimitHits, type TSandboxLimits } from "./limits";
import { dropPrivilegesArgs, isRoot, sandboxIdentity } from "./sandbox-user";
import { analyzeShell } from "./shell-analysis";
import { takeSnapshot } from "./snapshots";
import { tenantWorkspace } from "./workspace";
import { quotaMb } from "./workspace-disk";
import { env } from "@/server/env";
import { runtimeSetting } from "@/server/runtime-settings";

const OUTPUT_CAP = 64 * 1024;
function timeoutMs(): number {
  return Number(runtimeSetting("SHELL_TIMEOUT_MS") || 10_000);
}

// As root, the probe runs as an unprivileged uid too: what it proves is what the sandbox will do.
const PROBE_IDENTITY = { uid: 65_534, gid: 65_534 };

let sandboxChecked: boolean | null = null;
export function isSandboxAvailable(): boolean {
  if (sandboxChecked === null) {
    const command = [
      ...dropPrivilegesArgs(isRoot() ? PROBE_IDENTITY : null),
      "bwrap",
      "--ro-bind",
      "/",
      "/",
      "--unshare-all",
      "--unshare-user",
      "--disable-userns",
      "--die-with-parent",
      "--",
      "/bin/true",
    ];
    const probe = spawnSync(command[0] as string, command.slice(1), { timeout: 5_000 });
    sandboxChecked = probe.status === 0;
  }
  return sandboxChecked;
}

// A minimal /dev made of binds: bwrap's --dev would need uid 0 inside a first user
// namespace (to mount devpts), and then /proc/self/uid_map would show that 0 as the
// sandbox's outer uid. Without it, the one mapping is tenant uid -> tenant uid.
const DEVICES = ["null", "zero", "full", "random", "urandom"];

export function sandboxArgs(workspace: string, command: string): string[] {
  const system = ["/usr", "/bin", "/lib", "/lib64", "/sbin"]
    .filter((dir) => existsSync(/*turbopackIgnore: true*/ dir))
    .flatMap((dir) => ["--ro-bind", dir, dir]);
  return [
    ...system,
    "--proc",
    "/proc",
    "--tmpfs",
    "/dev",
    ...DEVICES.flatMap((device) => ["--dev-bind", `/dev/${device}`, `/dev/${device}`]),
    "--symlink",
    "/proc/self/fd",
    "/dev/fd",
    "--tmpfs",
    "/tmp",
    "--bind",
    workspace,
    "/workspace",
    "--chdir",
    "/workspace",
    "--unshare-all",
    "--unshare-user",
    // No nested user namespaces: nothing inside can gain capabilities in one of its own.
    "--disable-userns",
    "--cap-drop",
    "ALL",
    "--new-session",
    "--die-with-parent",
    "--clearenv",
    "--setenv",
    "PATH",
    "/usr/bin:/bin",
    "--setenv",
    "HOME",
    "/workspace",
    "--setenv",
    "LANG",
    "C.UTF-8",
    "--",
    "/bin/sh",
    "-c",
    command,
  ];
}

function run(file: string, args: string[], options: { cwd?: string; env?: Record<string, string> }, signal: AbortSignal) {
  return new Promise<{ exitCode: number | null; stdout: string; stderr: string; isTimedOut: boolean; isTruncated: boolean }>((resolve) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env as NodeJS.ProcessEnv | undefined,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let isTruncated = false;
    let isTimedOut = false;
    const take = (current: string, chunk: Buffer) => {
      if (current.length + chunk.length > OUTPUT_CAP) {
        isTruncated = true;
        return (current + chunk.toString("utf8")).slice(0, OUTPUT_CAP);
      }
      return current + chunk.toString("utf8");
    };
    child.stdout.on("data", (chunk: Buffer) => (stdout = take(stdout, chunk)));
    child.stderr.on("data", (chunk: Buffer) => (stderr = take(stderr, chunk)));
    const kill = () => {
      isTimedOut = true;
      child.kill("SIGKILL");
    };
    const timer = setTimeout(kill, timeoutMs());
    signal.addEventListener("abort", kill, { once: true });
    child.on("close", (exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode, stdout, stderr, isTimedOut, isTruncated });
    });
  });
}

export const shellExec: TToolDefinition<{ command: string }> = {
  name: "shell.exec",
  description: "Run a shell command in the tenant's sandboxed workspace (no network).",
  input: z
    .object({ command: z.string().min(1).max(10_000) })
    .strict()
    .refine((args) => !args.command.includes("\u0000"), { message: "must not contain NUL" }),
  safetyClass: "local_exec",
  capability: "local",
  // The gate's own limit, above the shell's: the shell stops the command first and reports it.
  timeoutMs: 65_000,
  policyFields: (args) => ({ command: args.command, shell: analyzeShell(args.command) }),
  execute: async (context, args) => {
    const workspace = await tenantWorkspace(context.tenantId);
    const facts = analyzeShell(args.command);
    // An approved destructive (or unresolved) command runs only after a snapshot it can be undone from.
    const snapshot =
      facts.kinds.length > 0 || facts.isUnresolved
        ? await takeSnapshot({
            tenantId: context.tenantId,
            runId: context.runId,
            createdBy: context.principal,
            command: args.command,
            kinds: [...facts.kinds, ...(facts.isUnresolved ? ["unresolved"] : [])],
          }).catch((error: unknown) => {
            throw new Error(
              `the workspace could not be snapshotted, so the command did not run: ${error instanceof Error ? error.message : "unknown error"}`,
            );
          })
        : null;
    const snapshotField = snapshot ? { snapshotId: snapshot.id } : {};
    if (isSandboxAvailable()) {
      const limits = sandboxLimits();
      const cgroup = await createCgroup(limits);
      let result: Awaited<ReturnType<typeof run>>;
      let hits: TLimitHits = { memory: false, pids: false };
      try {
        const wrapper = [
          ...joinCgroupArgs(cgroup),
          ...rlimitArgs(limits, cgroup),
          ...dropPrivilegesArgs(sandboxIdentity(context.tenantId)),
          "bwrap",
          ...sandboxArgs(workspace, args.command),
        ];
        result = await run(wrapper[0] as string, wrapper.slice(1), { env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" } }, context.signal);
      } finally {
        if (cgroup) hits = await cgroup.release();
      }
      return { sandbox: "bubblewrap", ...result, ...limitReport(result, hits, limits), ...snapshotField };
    }
    if (env.ALLOW_UNSANDBOXED_SHELL !== "1") {
      throw new Error(
        "shell.exec needs bubblewrap (apt-get install bubblewrap), which cannot run here; it refuses to run unsandboxed. Set ALLOW_UNSANDBOXED_SHELL=1 only if you accept that risk.",
      );
    }
    return {
      sandbox: "none (ALLOW_UNSANDBOXED_SHELL=1)",
      ...(await run("/bin/sh", ["-c", args.command], { cwd: workspace, env: { PATH: "/usr/bin:/bin", HOME: workspace } }, context.signal)),
      ...snapshotField,
    };
  },
};

const SIGXFSZ_EXIT = 128 + 25;
const SIGXCPU_EXIT = 128 + 24;

/** Which limit stopped the command, in words the agent and the person reading the trace understand. */
function limitReport(result: { exitCode: number | null; stderr: string }, hits: TLimitHits, limits: TSandboxLimits): { limitHit?: string } {
  const mib = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MiB`;
  if (hits.memory)
    return { limitHit: `memory: the sandbox's ${mib(limits.memoryBytes)} memory limit was reached and the process was killed` };
  // The pids cgroup, or the per-uid process rlimit behind it (the backstop), refused a fork.
  if (hits.pids || /fork: (retry: )?Resource temporarily unavailable|Cannot fork/i.test(result.stderr))
    return { limitHit: `processes: the sandbox's limit of ${limits.pids} processes was reached (fork refused)` };
  if (result.exitCode === SIGXFSZ_EXIT || /File size limit exceeded/i.test(result.stderr))
    return { limitHit: `file size: a file reached the ${mib(limits.fileSizeBytes)} limit per file` };
  if (/No space left on device/i.test(result.stderr)) return { limitHit: `disk: the workspace's ${quotaMb()} MiB quota is full` };
  if (result.exitCode === SIGXCPU_EXIT) return { limitHit: `cpu: the ${limits.cpuSeconds} s CPU time limit was reached` };
  return {};
}
