// The embedded PostgreSQL runs batch-scheduled where the machine allows it
// (postgres-server.ts, batchScheduling): its backends share the CPU with the app
// but do not preempt the app process whose message woke them.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { startEmbeddedDatabase, type EmbeddedDatabase } from "./embedded-db";
import { batchScheduling } from "./postgres-server";
import { findProgram } from "./system-packages";

const SCHED_OTHER = 0;
const SCHED_BATCH = 3;

/** A process's scheduling policy: field 41 of /proc/<pid>/stat (after the parenthesized name). */
function policyOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[38]);
}

describe.runIf(process.platform === "linux")("the embedded database's scheduling", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "fabric-sched-"));
  let db: EmbeddedDatabase | null = null;

  afterAll(async () => {
    await db?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs its backends batch-scheduled where chrt can, and normally where it cannot", async () => {
    db = await startEmbeddedDatabase({ dataDir: path.join(dir, "pg"), quiet: true });
    const client = new pg.Client({ connectionString: db.superUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      expect(policyOf(rows[0]?.pid ?? 0)).toBe(batchScheduling() ? SCHED_BATCH : SCHED_OTHER);
      // Where util-linux's chrt is installed (Debian: essential), it is used.
      if (findProgram("chrt") && process.env.EMBEDDED_DB_BATCH !== "0") expect(batchScheduling()).not.toBeNull();
    } finally {
      await client.end();
    }
  }, 120_000);
});
