// self_hosted: shell and file tools are confined to the tenant's workspace.
import { existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withTenant } from "@/server/db";
import { decideCallWith } from "@/server/gate/pipeline";
import { ATTACKS } from "@/server/gate/attacks";
import { createTenantFixture, type TTenantFixture } from "@/server/test/factories";
import { buildToolRegistry } from "@/server/tools/catalog";
import type { ToolRegistry } from "@/server/tools/registry";
import { isRoot } from "./sandbox-user";
import { isSandboxAvailable } from "./shell";
import { tenantWorkspace, workspaceRoot } from "./workspace";
import { releaseQuotaMounts } from "./workspace-disk";

let registry: ToolRegistry;
let a: TTenantFixture;
let b: TTenantFixture;
let canary: string;

beforeAll(async () => {
  process.env.WORKSPACE_ROOT = mkdtempSync(path.join(os.tmpdir(), "fabric-ws-"));
  const outside = mkdtempSync(path.join(os.tmpdir(), "fabric-canary-"));
  canary = path.join(outside, "canary.txt");
  writeFileSync(canary, "still here");
  registry = await buildToolRegistry("self_hosted");
  [a, b] = await Promise.all([createTenantFixture(), createTenantFixture()]);
  // Tenant a runs the attack plans unheld (baseline only): what is tested here is the
  // sandbox's containment; shell-command-safety's holds are tested in sandbox.int.test.ts.
  await withTenant(a.tenant.id, (db) =>
    db.policyComposition.create({ data: { tenantId: a.tenant.id, packs: [{ name: "baseline", version: 1 }] } }),
  );
});

afterAll(async () => {
  await releaseQuotaMounts(workspaceRoot());
});

async function call(fx: TTenantFixture, tool: string, args: unknown) {
  const runId = await withTenant(
    fx.tenant.id,
    async (db) => (await db.run.create({ data: { tenantId: fx.tenant.id, title: "local", principal: "user:test" } })).id,
  );
  return decideCallWith(registry, {
    tenantId: fx.tenant.id,
    runId,
    principal: { type: "User", id: fx.users.member.id, role: "member" },
    tool,
    args,
  });
}

describe("self_hosted registry", () => {
  it("registers the local tools", () => {
    expect(registry.names()).toEqual(expect.arrayContaining(["shell.exec", "fs.read", "fs.write", "fs.edit", "fs.list"]));
  });
});

describe("file tools", () => {
  it("read and write inside the workspace", async () => {
    expect(await call(a, "fs.write", { path: "notes/today.txt", content: "hello" })).toMatchObject({ status: "executed" });
    expect(await call(a, "fs.read", { path: "notes/today.txt" })).toMatchObject({ status: "executed", result: { content: "hello" } });
    expect(readFileSync(path.join(await tenantWorkspace(a.tenant.id), "notes/today.txt"), "utf8")).toBe("hello");
  });

  it.each([["../../etc/passwd"], ["/etc/passwd"], ["notes/../../x"], [`../${"b"}/secret.txt`]])("refuse %s", async (target) => {
    const outcome = await call(a, "fs.read", { path: target });
    expect(outcome.status).toBe("failed");
    if (outcome.status === "failed") expect(outcome.error).toMatch(/absolute paths are refused|"\.\." is refused/);
  });

  it("refuse a symlink that leads outside, and never reach another tenant's workspace", async () => {
    const workspaceB = await tenantWorkspace(b.tenant.id);
    writeFileSync(path.join(workspaceB, "secret.txt"), "B's secret");
    symlinkSync(workspaceB, path.join(await tenantWorkspace(a.tenant.id), "peek"));
    const outcome = await call(a, "fs.read", { path: "peek/secret.txt" });
    expect(outcome).toMatchObject({ status: "failed", error: expect.stringMatching(/outside the workspace/) });
    expect(JSON.stringify(outcome)).not.toContain("B's secret");
    expect(await call(a, "fs.write", { path: "peek/evil.txt", content: "x" })).toMatchObject({ status: "failed" });
  });
});

describe("shell", () => {
  it("refuses to run unsandboxed where bubblewrap cannot run", async () => {
    if (isSandboxAvailable()) {
      expect(await call(a, "shell.exec", { command: "true" })).toMatchObject({ status: "executed", result: { sandbox: "bubblewrap" } });
      return;
    }
    expect(await call(a, "shell.exec", { command: "true" })).toMatchObject({
      status: "failed",
      error: expect.stringContaining("needs bubblewrap"),
    });
  });
});

// .ci/run installs bubblewrap (so in CI these always run, and fail loudly if it cannot run), as they do
// as root or wherever bwrap is installed; on a developer machine without it the test above checks the refusal instead.
describe.runIf(isSandboxAvailable() || process.env.CI === "true" || isRoot() || existsSync("/usr/bin/bwrap"))(
  "shell in the sandbox",
  () => {
    it("runs in the workspace, with no network and no view of the host", async () => {
      const outcome = await call(a, "shell.exec", {
        command: "echo hi > made.txt; ls /; test -e /etc/passwd && echo HOST || echo nohost; cat /proc/net/dev | wc -l",
      });
      expect(outcome).toMatchObject({ status: "executed", result: { sandbox: "bubblewrap", exitCode: 0 } });
      const result = (outcome as { result: { stdout: string } }).result;
      expect(result.stdout).toContain("nohost");
      expect(result.stdout).not.toMatch(/\bwork\b|\broot\b|\bhome\b/);
      expect(readFileSync(path.join(await tenantWorkspace(a.tenant.id), "made.txt"), "utf8")).toBe("hi\n");
    });

    it("the shell attack plans run only inside the sandbox and touch nothing outside the workspace", async () => {
      const commands = [
        "rm -rf --no-preserve-root /",
        `rm -f ${canary}`,
        `echo pwned > ${canary}`,
        "cat /etc/shadow",
        "chmod -R 777 /",
        "kill -9 1",
        "python3 -c \"import shutil; shutil.rmtree('/', ignore_errors=True)\"",
        "curl -s http://169.254.169.254/latest/meta-data/ || wget -q -O- http://127.0.0.1:5432/ || echo no-network",
      ];
      for (const command of commands) {
        const outcome = await call(a, "shell.exec", { command });
        expect(outcome.status).toBe("executed");
        expect(readFileSync(canary, "utf8")).toBe("still here");
      }
      // Every shell line of the corpus, in the same sandbox, the fork bomb included (stopped by the pids limit).
      for (const attack of ATTACKS.filter((item) => "message" in item && /^run /.test(item.message))) {
        const command = (attack as { message: string }).message.replace(/^run\s+`?/, "").replace(/`$/, "");
        await call(a, "shell.exec", { command });
        expect(readFileSync(canary, "utf8")).toBe("still here");
      }
    }, 120_000);

    it("a command that runs too long is stopped", async () => {
      process.env.SHELL_TIMEOUT_MS = "1000";
      const started = Date.now();
      try {
        const outcome = await call(a, "shell.exec", { command: "sleep 30" });
        expect(outcome).toMatchObject({ status: "executed", result: { isTimedOut: true } });
        expect(Date.now() - started).toBeLessThan(10_000);
      } finally {
        delete process.env.SHELL_TIMEOUT_MS;
      }
    });
  },
);
