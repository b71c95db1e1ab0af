// Integration tests run against a real PostgreSQL, connected as the app role so
// that Row Level Security applies. Without TEST_DATABASE_URL (app role) and
// TEST_DATABASE_OWNER_URL, a throwaway embedded PostgreSQL is started.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedDatabase } from "../../scripts/lib/embedded-db";
import { migrate } from "../../scripts/lib/migrate";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    ownerDatabaseUrl: string;
    /** Full database access, for tests that play an attacker (falls back to the owner). */
    superDatabaseUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.TEST_DATABASE_URL;
  if (given) {
    const owner = process.env.TEST_DATABASE_OWNER_URL;
    if (!owner) throw new Error("TEST_DATABASE_OWNER_URL must be set with TEST_DATABASE_URL.");
    await migrate({ appUrl: given, ownerUrl: owner }, { quiet: true });
    project.provide("databaseUrl", given);
    project.provide("ownerDatabaseUrl", owner);
    project.provide("superDatabaseUrl", process.env.TEST_DATABASE_SUPER_URL ?? owner);
    return async () => undefined;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), "fabric-it-"));
  const db = await startEmbeddedDatabase({ dataDir: path.join(dir, "pg"), quiet: true });
  await migrate(db, { quiet: true });
  project.provide("databaseUrl", db.appUrl);
  project.provide("ownerDatabaseUrl", db.ownerUrl);
  project.provide("superDatabaseUrl", db.superUrl);
  return async () => {
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
