// shell.exec for self_hosted: runs inside bubblewrap with a read-only system,
// the tenant workspace as the only writable (and only visible) data, no
// network, no capabilities, as an unprivileged user, a scrubbed environment,
// a time limit and an output cap. Where bwrap cannot run, shell.exec refuses,
// unless ALLOW_UNSANDBOXED_SHELL=1 says otherwise (not recommended).
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { z } from "zod";
import type { TToolDefinition } from "../types";
import { tenantWorkspace } from "./workspace";

const OUTPUT_CAP = 64 * 1024;
function timeoutMs(): number {
  return Number(process.env.SHELL_TIMEOUT_MS || 10_000);
}

let sandboxChecked: boolean | null = null;
export function isSandboxAvailable(): boolean {
  if (sandboxChecked === null) {
    const probe = spawnSync("bwrap", ["--ro-bind", "/", "/", "--unshare-all", "--unshare-user", "--die-with-parent", "--", "/bin/true"], {
      timeout: 5_000,
    });
    sandboxChecked = probe.status === 0;
  }
  return sandboxChecked;
}

export function sandboxArgs(workspace: string, command: string): string[] {
  const system = ["/usr", "/bin", "/lib", "/lib64", "/sbin"]
    .filter((dir) => existsSync(/*turbopackIgnore: true*/ dir))
    .flatMap((dir) => ["--ro-bind", dir, dir]);
  return [
    ...system,
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    "--tmpfs",
    "/tmp",
    "--bind",
    workspace,
    "/workspace",
    "--chdir",
    "/workspace",
    "--unshare-all",
    "--unshare-user",
    "--uid",
    "65534",
    "--gid",
    "65534",
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
  policyFields: (args) => ({ command: args.command }),
  execute: async (context, args) => {
    const workspace = await tenantWorkspace(context.tenantId);
    if (isSandboxAvailable()) {
      return { sandbox: "bubblewrap", ...(await run("bwrap", sandboxArgs(workspace, args.command), {}, context.signal)) };
    }
    if (process.env.ALLOW_UNSANDBOXED_SHELL !== "1") {
      throw new Error(
        "shell.exec needs bubblewrap (apt-get install bubblewrap), which cannot run here; it refuses to run unsandboxed. Set ALLOW_UNSANDBOXED_SHELL=1 only if you accept that risk.",
      );
    }
    return {
      sandbox: "none (ALLOW_UNSANDBOXED_SHELL=1)",
      ...(await run("/bin/sh", ["-c", args.command], { cwd: workspace, env: { PATH: "/usr/bin:/bin", HOME: workspace } }, context.signal)),
    };
  },
};
