// npm test: every suite, on a machine with nothing installed by hand.
//   lint and typecheck → unit (Vitest) → integration (Vitest, real PostgreSQL as
//   the app role) → end-to-end (Playwright in Chromium against a production build,
//   plus the README's dev command).
// Closes with one line: "N passed, N failed", summed over every suite.
//
// `tsx scripts/test.ts unit|integration|e2e|static` runs only those suites.
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { findChromium } from "./lib/chromium";
import { freePort, startEmbeddedDatabase } from "./lib/embedded-db";
import { migrate } from "./lib/migrate";
import { ensureSandboxPrograms } from "./lib/system-packages";

type Tally = { suite: string; passed: number; failed: number };

/** What the server needs at start and the build must do without (see server/env.ts). */
const RUNTIME_VARIABLES = ["DATABASE_URL", "DATABASE_OWNER_URL", "NEXTAUTH_SECRET", "NEXTAUTH_URL", "MASTER_KEYS", "SKIP_ENV_VALIDATION"];

const ROOT = process.cwd();
const RESULTS = path.join(ROOT, ".tmp", "test-results");
const BIN = (name: string, ...rest: string[]) => path.join(ROOT, "node_modules", name, ...rest);

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: "inherit", env, cwd: ROOT });
    child.on("close", (code) => resolve(code ?? 1));
    child.on("error", () => resolve(1));
  });
}

function banner(title: string): void {
  process.stdout.write(`\n━━━ ${title} ━━━\n`);
}

async function staticChecks(): Promise<Tally[]> {
  banner("lint");
  const lint = await run(process.execPath, [BIN("eslint", "bin", "eslint.js"), "--max-warnings=0", "."]);
  banner("typecheck");
  const types = await run(process.execPath, [BIN("typescript", "bin", "tsc"), "--noEmit"]);
  return [
    { suite: "lint", passed: lint === 0 ? 1 : 0, failed: lint === 0 ? 0 : 1 },
    { suite: "typecheck", passed: types === 0 ? 1 : 0, failed: types === 0 ? 0 : 1 },
  ];
}

async function vitest(project: "unit" | "integration"): Promise<Tally> {
  banner(`${project} tests`);
  const report = path.join(RESULTS, `${project}.json`);
  rmSync(report, { force: true });
  const code = await run(process.execPath, [
    BIN("vitest", "vitest.mjs"),
    "run",
    "--project",
    project,
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${report}`,
  ]);
  if (!existsSync(report)) return { suite: project, passed: 0, failed: 1 };
  const json = JSON.parse(readFileSync(report, "utf8")) as { numPassedTests: number; numFailedTests: number; numTotalTests: number };
  // A run that crashed outside a test (setup, collection) counts as one failure.
  const failed = json.numFailedTests + (code !== 0 && json.numFailedTests === 0 ? 1 : 0);
  return { suite: project, passed: json.numPassedTests, failed };
}

async function e2e(): Promise<Tally> {
  banner("end-to-end tests");
  let chromiumPath: string;
  try {
    chromiumPath = findChromium();
  } catch (error) {
    process.stdout.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return { suite: "e2e", passed: 0, failed: 1 };
  }
  const scratch = mkdtempSync(path.join(os.tmpdir(), "fabric-e2e-"));
  // As root, PostgreSQL runs as the "postgres" user, which must reach its data folder.
  chmodSync(scratch, 0o755);
  const db = await startEmbeddedDatabase({ dataDir: path.join(scratch, "app", "postgres"), quiet: true });
  try {
    await migrate(db, { quiet: true });
    const seedCode = await run(process.execPath, [BIN("tsx", "dist", "cli.mjs"), "scripts/db-seed.ts"], {
      ...process.env,
      DATABASE_URL: db.appUrl,
      DATABASE_OWNER_URL: db.ownerUrl,
    });
    if (seedCode !== 0) return { suite: "e2e", passed: 0, failed: 1 };

    // Built once with no runtime variable at all, as an image would be; the
    // server started by Playwright gets them, and validates them, at start.
    banner("production build");
    const buildEnv: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
    for (const name of RUNTIME_VARIABLES) delete buildEnv[name];
    const buildCode = await run(process.execPath, [BIN("next", "dist", "bin", "next"), "build"], buildEnv);
    if (buildCode !== 0) return { suite: "e2e", passed: 0, failed: 1 };

    const report = path.join(RESULTS, "e2e.json");
    rmSync(report, { force: true });
    const [appPort, devPort] = [await freePort(), await freePort()];
    const code = await run(process.execPath, [BIN("@playwright", "test", "cli.js"), "test"], {
      ...process.env,
      CHROMIUM_PATH: chromiumPath,
      E2E_APP_PORT: String(appPort),
      E2E_DEV_PORT: String(devPort),
      E2E_DEV_DATA_DIR: path.join(scratch, "dev"),
      E2E_DATABASE_URL: db.appUrl,
      PLAYWRIGHT_JSON_OUTPUT_NAME: report,
      NEXT_TELEMETRY_DISABLED: "1",
    });
    if (!existsSync(report)) return { suite: "e2e", passed: 0, failed: 1 };
    const json = JSON.parse(readFileSync(report, "utf8")) as { stats: { expected: number; unexpected: number; flaky: number } };
    const failed = json.stats.unexpected + json.stats.flaky + (code !== 0 && json.stats.unexpected === 0 ? 1 : 0);
    return { suite: "e2e", passed: json.stats.expected, failed };
  } finally {
    await db.stop().catch(() => undefined);
    // The dev server's embedded PostgreSQL lives under scratch; make sure none outlives the run.
    await run("pkill", ["-f", scratch]).catch(() => undefined);
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const wanted = new Set(process.argv.slice(2));
  const all = wanted.size === 0;
  mkdirSync(RESULTS, { recursive: true });
  const tallies: Tally[] = [];
  if (all || wanted.has("static")) tallies.push(...(await staticChecks()));
  if (all || wanted.has("unit")) tallies.push(await vitest("unit"));
  if (all || wanted.has("integration")) {
    ensureSandboxPrograms();
    tallies.push(await vitest("integration"));
  }
  if (all || wanted.has("e2e")) tallies.push(await e2e());

  banner("summary");
  for (const tally of tallies) process.stdout.write(`  ${tally.suite.padEnd(12)} ${tally.passed} passed, ${tally.failed} failed\n`);
  const passed = tallies.reduce((sum, tally) => sum + tally.passed, 0);
  const failed = tallies.reduce((sum, tally) => sum + tally.failed, 0);
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((error: unknown) => {
  process.stderr.write(`npm test failed to run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.stdout.write("0 passed, 1 failed\n");
  process.exit(1);
});
