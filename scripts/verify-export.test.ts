// npm run verify-export works offline, on a machine with none of the app's variables:
// the verifier must not load the app's environment (server/env.ts validates it).
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

describe("npm run verify-export", () => {
  it("runs with an empty environment and says what is wrong with a file", () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), "fabric-verify-")), "export.ndjson");
    writeFileSync(file, '{"kind":"header"}\n{"kind":"trailer"}\n');
    const answer = spawnSync(process.execPath, [path.join("node_modules", "tsx", "dist", "cli.mjs"), "scripts/verify-export.ts", file], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", NODE_ENV: "production" },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(answer.stderr).not.toContain("Invalid environment variables");
    expect(answer.stderr).toContain("NOT verified");
    expect(answer.status).toBe(1);
  }, 90_000);
});
