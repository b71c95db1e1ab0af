// The few system programs the test suites need beyond npm (Chromium for the
// end-to-end suite; bubblewrap, util-linux and e2fsprogs for the self_hosted
// sandbox tests). `npm test` installs them from Debian's packages when it may
// (root, or passwordless sudo) and otherwise names the one command to run, so
// that a fresh machine and CI need nothing but `npm test`.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

/** A program and the Debian package that provides it. */
export type SystemNeed = { command: string; pkg: string };

// The sandbox runs these with a fixed system PATH (server/tools/local/*.ts).
const SYSTEM_PATH = ["/usr/sbin", "/usr/bin", "/sbin", "/bin"];

export function findProgram(command: string): string | null {
  for (const dir of SYSTEM_PATH) {
    const candidate = path.join(dir, command);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

export function missingPrograms(needs: SystemNeed[]): SystemNeed[] {
  return needs.filter((need) => !findProgram(need.command));
}

function hasAptGet(): boolean {
  return findProgram("apt-get") !== null;
}

/** How this process may install packages: directly as root, through passwordless sudo, or not at all. */
export function installPrivilege(): "root" | "sudo" | null {
  if (process.getuid?.() === 0) return "root";
  if (!findProgram("sudo")) return null;
  return spawnSync("sudo", ["-n", "true"], { stdio: "ignore", timeout: 10_000 }).status === 0 ? "sudo" : null;
}

/** The command a person would run to install `pkgs` by hand. */
export function installCommand(pkgs: string[]): string {
  const sudo = process.getuid?.() === 0 ? "" : "sudo ";
  return `${sudo}apt-get update && ${sudo}apt-get install -y ${[...new Set(pkgs)].join(" ")}`;
}

/**
 * Install Debian packages, saying so. Returns false (having said why) when this
 * machine has no apt-get, we may not install, or the install failed.
 */
export function aptInstall(pkgs: string[], why: string, privilege = installPrivilege()): boolean {
  const unique = [...new Set(pkgs)];
  if (unique.length === 0) return true;
  if (!privilege || !hasAptGet()) return false;
  process.stdout.write(`Installing ${unique.join(", ")} from Debian's packages (${why})…\n`);
  const prefix = privilege === "sudo" ? ["sudo", "-n"] : [];
  const apt = (args: string[]) => {
    const command = [...prefix, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", ...args];
    // Another apt run (a colleague's, unattended-upgrades) holds the lock for a while: wait for it.
    const result = spawnSync(command[0] as string, command.slice(1), {
      stdio: ["ignore", "ignore", "inherit"],
      timeout: 600_000,
    });
    return result.status === 0;
  };
  const ok =
    apt(["-o", "DPkg::Lock::Timeout=300", "update", "-qq"]) && apt(["-o", "DPkg::Lock::Timeout=300", "install", "-y", "-qq", ...unique]);
  process.stdout.write(ok ? `Installed ${unique.join(", ")}.\n` : `Could not install ${unique.join(", ")}.\n`);
  return ok;
}

/** What the self_hosted sandbox spawns (shell.ts, sandbox-user.ts, limits.ts, workspace-disk.ts, snapshots.ts). */
export const SANDBOX_NEEDS: SystemNeed[] = [
  { command: "bwrap", pkg: "bubblewrap" },
  { command: "setpriv", pkg: "util-linux" },
  { command: "prlimit", pkg: "util-linux" },
  { command: "flock", pkg: "util-linux" },
  { command: "mountpoint", pkg: "util-linux" },
  { command: "mkfs.ext4", pkg: "e2fsprogs" },
  { command: "mount", pkg: "mount" },
  { command: "tar", pkg: "tar" },
];

/**
 * As root the sandbox tests run for real (they fail rather than skip), so make sure
 * its programs are there. Elsewhere those tests skip; just say what would enable them.
 */
export function ensureSandboxPrograms(): void {
  if (process.platform !== "linux") return;
  const missing = missingPrograms(SANDBOX_NEEDS);
  if (missing.length === 0) return;
  const pkgs = missing.map((need) => need.pkg);
  const why = `the self_hosted sandbox tests run ${missing.map((need) => need.command).join(", ")}`;
  if (process.getuid?.() === 0 && aptInstall(pkgs, why, "root")) return;
  process.stdout.write(`The sandbox tests lack ${missing.map((need) => need.command).join(", ")}; to run them: ${installCommand(pkgs)}\n`);
}
