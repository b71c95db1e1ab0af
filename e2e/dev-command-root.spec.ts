// The README's `npm run dev` where newcomers really run it: as root, in a checkout
// under a 0700 folder (/root on a fresh server or in a container). PostgreSQL runs
// as the postgres user there, which can reach neither node_modules nor .data/, so
// the binaries and the data must be placed where it can (scripts/lib/postgres-server.ts).
// And a taken port is said before anything starts, with how to choose another.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";

const ROOT = process.cwd();
// Not copied: rebuilt or re-created by the run itself, or large and irrelevant.
const SKIPPED = new Set(["node_modules", ".next", ".git", ".data", ".tmp", "test-results", "playwright-report", "coverage"]);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (address && typeof address === "object" ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** The runner's environment without anything a newcomer would not have set. */
function newcomerEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...extra };
  for (const name of ["DATABASE_URL", "DATABASE_OWNER_URL", "AGENT_FABRIC_DATA_DIR", "NEXTAUTH_URL", "NEXTAUTH_SECRET", "MASTER_KEYS"])
    delete env[name];
  return env;
}

/** A copy of the checkout under `parent`. node_modules is hard-linked: Turbopack will not follow a symlink out of the project. */
function copyCheckout(parent: string): string {
  const checkout = path.join(parent, "agent-fabric");
  cpSync(ROOT, checkout, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (source) => !SKIPPED.has(path.basename(source)) || path.dirname(source) !== ROOT,
  });
  const linked = spawnSync("cp", ["-al", path.join(ROOT, "node_modules"), path.join(checkout, "node_modules")], { stdio: "inherit" });
  expect(linked.status, "hard-linking node_modules (same file system)").toBe(0);
  // Files written in place under node_modules would be written into the original too;
  // and a stray node_modules/node_modules link would resolve packages from the original.
  rmSync(path.join(checkout, "node_modules", ".cache"), { recursive: true, force: true });
  rmSync(path.join(checkout, "node_modules", "node_modules"), { recursive: true, force: true });
  return checkout;
}

test.describe("npm run dev, as a newcomer runs it", () => {
  test("says a taken port is taken, and how to choose another, before starting anything", async () => {
    const blocker = net.createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => blocker.listen(port, "127.0.0.1", resolve));
    try {
      const result = spawnSync("npm", ["run", "--silent", "dev"], {
        cwd: ROOT,
        env: newcomerEnv({ PORT: String(port) }),
        encoding: "utf8",
        timeout: 60_000,
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`Port ${port} is taken`);
      expect(result.stderr).toMatch(/PORT=\d+ npm run dev/);
      expect(result.stdout + result.stderr).not.toContain("embedded PostgreSQL");
      expect(result.stdout + result.stderr).not.toMatch(/\n\s+at /);
    } finally {
      blocker.close();
    }
  });

  test("as root, from a checkout under a 0700 folder, starts the database and reaches ready", async () => {
    test.skip(process.getuid?.() !== 0, "only root hands PostgreSQL to another user");
    const closed = mkdtempSync(path.join(os.tmpdir(), "fabric-root-"));
    expect(statSync(closed).mode & 0o777).toBe(0o700);
    let location: string | null = null;
    const checkout = copyCheckout(closed);
    const [port, dbPort] = [await freePort(), await freePort()];
    const dev = spawn("npm", ["run", "dev"], {
      cwd: checkout,
      detached: true,
      env: newcomerEnv({ PORT: String(port), EMBEDDED_DB_PORT: String(dbPort) }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    dev.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    dev.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    const exited = new Promise<number | null>((resolve) => dev.once("exit", resolve));
    try {
      const ready = await Promise.race([
        expect
          .poll(() => /Ready in/.test(output), { timeout: 200_000, intervals: [1_000] })
          .toBe(true)
          .then(() => true),
        exited.then(() => false),
      ]);
      expect(ready, `npm run dev exited early:\n${output}`).toBe(true);
      expect(output).not.toContain("EACCES");
      const pointer = path.join(checkout, ".data", "postgres.location");
      location = readFileSync(pointer, "utf8").trim();
      expect(output).toContain(`Started the embedded PostgreSQL (data in ${location}`);
      expect(location.startsWith(closed)).toBe(false);
      const postgresUid = Number(spawnSync("id", ["-u", "postgres"], { encoding: "utf8" }).stdout.trim());
      expect(statSync(location).uid).toBe(postgresUid);
      const response = await fetch(`http://127.0.0.1:${port}/api/auth/csrf`, { signal: AbortSignal.timeout(120_000) });
      expect(response.status).toBe(200);
    } finally {
      if (dev.exitCode === null && dev.pid) process.kill(-dev.pid, "SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20_000))]);
      if (dev.exitCode === null && dev.pid) process.kill(-dev.pid, "SIGKILL");
      if (location && existsSync(location)) rmSync(path.dirname(location), { recursive: true, force: true });
      rmSync(closed, { recursive: true, force: true });
    }
  });
});
