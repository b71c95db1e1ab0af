// The self_hosted sandbox's own guarantees: an unprivileged outer uid, read-only
// /proc/sys, the host path hidden, limits per sandbox (memory, processes, file size,
// disk quota), file ownership, and shell-command-safety in the default composition.
// Where the sandbox is expected (CI, root, or bwrap installed) these fail loudly
// instead of skipping.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withTenant } from "@/server/db";
import { decideCallWith } from "@/server/gate/pipeline";
import type { TGateOutcome } from "@/server/gate/types";
import { createTenantFixture, type TTenantFixture } from "@/server/test/factories";
import { buildToolRegistry } from "@/server/tools/catalog";
import type { ToolRegistry } from "@/server/tools/registry";
import { isRoot } from "./sandbox-user";
import { isSandboxAvailable } from "./shell";
import { BENIGN_COMMANDS, DESTRUCTIVE_FORMS } from "./shell-corpus";
import { tenantWorkspace, workspaceRoot } from "./workspace";
import { releaseQuotaMounts } from "./workspace-disk";

const isExpected = process.env.CI === "true" || isRoot() || existsSync("/usr/bin/bwrap");

let registry: ToolRegistry;
let a: TTenantFixture;
let b: TTenantFixture;
let canary: string;

async function unheld(): Promise<TTenantFixture> {
  const fx = await createTenantFixture();
  // Only baseline: these tests are about what the sandbox contains, not what the pack holds.
  await withTenant(fx.tenant.id, (db) =>
    db.policyComposition.create({ data: { tenantId: fx.tenant.id, packs: [{ name: "baseline", version: 1 }] } }),
  );
  return fx;
}

beforeAll(async () => {
  process.env.WORKSPACE_ROOT = mkdtempSync(path.join(os.tmpdir(), "fabric-sandbox-"));
  process.env.WORKSPACE_QUOTA_MB = "64";
  canary = path.join(mkdtempSync(path.join(os.tmpdir(), "fabric-canary-")), "canary.txt");
  writeFileSync(canary, "still here");
  registry = await buildToolRegistry("self_hosted");
  [a, b] = await Promise.all([unheld(), unheld()]);
});

afterAll(async () => {
  await releaseQuotaMounts(workspaceRoot());
  delete process.env.WORKSPACE_QUOTA_MB;
});

async function call(fx: TTenantFixture, tool: string, args: unknown): Promise<TGateOutcome> {
  const runId = await withTenant(
    fx.tenant.id,
    async (db) => (await db.run.create({ data: { tenantId: fx.tenant.id, title: "sandbox", principal: "user:test" } })).id,
  );
  return decideCallWith(registry, {
    tenantId: fx.tenant.id,
    runId,
    principal: { type: "User", id: fx.users.member.id, role: "member" },
    tool,
    args,
  });
}

type TShellResult = { exitCode: number | null; stdout: string; stderr: string; limitHit?: string; isTimedOut: boolean };
async function shell(fx: TTenantFixture, command: string): Promise<TShellResult> {
  const outcome = await call(fx, "shell.exec", { command });
  if (outcome.status !== "executed") throw new Error(`expected the command to run: ${JSON.stringify(outcome)}`);
  return outcome.result as TShellResult;
}

describe.runIf(isSandboxAvailable() || isExpected)("the sandbox", () => {
  it("is available where it is expected", () => {
    expect(isSandboxAvailable()).toBe(true);
  });

  it("runs as an unprivileged outer uid, with /proc/sys read-only and the host path hidden", async () => {
    const result = await shell(
      a,
      "cat /proc/self/uid_map; echo x > /proc/sys/kernel/core_pattern && echo WROTE; touch owned.txt; cat /proc/self/mountinfo",
    );
    const [inside, outside] = (result.stdout.split("\n")[0] ?? "").trim().split(/\s+/);
    expect(Number(outside)).toBeGreaterThan(0);
    expect(inside).toBe(outside);
    expect(result.stdout).not.toContain("WROTE");
    expect(result.stderr).toMatch(/core_pattern: (Permission denied|Read-only file system)/);
    const workspace = await tenantWorkspace(a.tenant.id);
    expect(result.stdout).not.toContain(workspace);
    expect(statSync(path.join(workspace, "owned.txt")).uid).not.toBe(0);
    if (isRoot()) expect(statSync(path.join(workspace, "owned.txt")).uid).toBe(Number(outside));
  });

  it("files written by fs.* belong to the sandbox user alone, and the sandbox can change them", async () => {
    expect(await call(a, "fs.write", { path: "deep/er/note.txt", content: "from fs.write" })).toMatchObject({ status: "executed" });
    const workspace = await tenantWorkspace(a.tenant.id);
    const file = statSync(path.join(workspace, "deep/er/note.txt"));
    if (isRoot()) {
      expect(file.uid).not.toBe(0);
      expect(file.mode & 0o777).toBe(0o600);
      expect(statSync(path.join(workspace, "deep")).uid).toBe(file.uid);
    }
    const result = await shell(a, "echo changed >> deep/er/note.txt && cat deep/er/note.txt");
    expect(result.stdout).toBe("from fs.write" + "changed\n");
  });

  it("a fork bomb in one tenant's sandbox does not stop another tenant's command", async () => {
    process.env.SHELL_TIMEOUT_MS = "6000";
    try {
      const bomb = shell(a, "f(){ f|f& }; f; sleep 3");
      await new Promise((resolve) => setTimeout(resolve, 500));
      const started = Date.now();
      const other = await shell(b, "echo still-working");
      expect(other).toMatchObject({ exitCode: 0, stdout: "still-working\n" });
      expect(Date.now() - started).toBeLessThan(3_000);
      expect((await bomb).limitHit).toMatch(/^processes:/);
    } finally {
      delete process.env.SHELL_TIMEOUT_MS;
    }
  }, 30_000);

  it("a 2 GiB allocation is stopped with a clear error", async () => {
    await call(a, "fs.write", { path: "alloc.py", content: "a = bytearray(2 * 1024 * 1024 * 1024)\nprint(len(a))\n" });
    const result = await shell(a, "python3 alloc.py");
    expect(result.stdout).not.toContain("2147483648");
    expect(result.limitHit).toMatch(/^memory: the sandbox's 512 MiB memory limit/);
  });

  it("a disk-filling write is stopped by the workspace quota (or the file size limit)", async () => {
    const result = await shell(a, "head -c 200000000 /dev/zero > fill.bin; echo rc=$?");
    expect(result.stdout).not.toContain("rc=0");
    expect(result.limitHit).toMatch(isRoot() ? /^disk: the workspace's 64 MiB quota is full/ : /^(disk|file size):/);
    await shell(a, "rm fill.bin");
  });

  it("destructive commands run unheld (pack off) touch nothing outside the workspace", async () => {
    for (const command of [
      "rm -rf --no-preserve-root / 2>/dev/null",
      `rm -f ${canary}`,
      "kill -9 -1",
      "find / -type f -delete 2>/dev/null",
    ]) {
      await call(b, "shell.exec", { command });
      expect(readFileSync(canary, "utf8")).toBe("still here");
    }
    expect(execFileSync("/bin/sh", ["-c", "echo host-alive"]).toString()).toBe("host-alive\n");
  }, 60_000);
});

describe("shell-command-safety in the default composition", () => {
  let fx: TTenantFixture;
  beforeAll(async () => {
    fx = await createTenantFixture();
  });

  it.each(DESTRUCTIVE_FORMS.map(([command]) => [JSON.stringify(command), command]))(
    "%s is held or denied, never run",
    async (_, command) => {
      const outcome = await call(fx, "shell.exec", { command });
      expect(["held", "denied"], JSON.stringify(outcome.decision)).toContain(outcome.status);
      expect(outcome.decision.policies.some((policy) => policy.pack === "shell-command-safety")).toBe(true);
    },
  );

  it.each(BENIGN_COMMANDS.map((command) => [command]))("%s runs", async (command) => {
    const outcome = await call(fx, "shell.exec", { command });
    expect(outcome.status, JSON.stringify(outcome)).toBe(isSandboxAvailable() || isExpected ? "executed" : "failed");
  });
});
