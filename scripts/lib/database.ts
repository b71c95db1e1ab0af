// Which database a script talks to: the one in DATABASE_URL (with the owner in
// DATABASE_OWNER_URL), or, when DATABASE_URL is unset, the embedded PostgreSQL
// whose data lives in .data/postgres (git-ignored).
import path from "node:path";
import { startEmbeddedDatabase, type DatabaseUrls } from "./embedded-db";

// AGENT_FABRIC_DATA_DIR moves it (the end-to-end test of `npm run dev` uses a temporary one).
export const DEV_DATA_DIR = path.join(process.env.AGENT_FABRIC_DATA_DIR ?? path.join(process.cwd(), ".data"), "postgres");
const DEV_PORT = 54329;

/** dataDir: where the embedded server's data really is (null with DATABASE_URL). */
export type ResolvedDatabase = DatabaseUrls & { isEmbedded: boolean; dataDir: string | null; stop: () => Promise<void> };

export async function resolveDatabase(): Promise<ResolvedDatabase> {
  const appUrl = process.env.DATABASE_URL;
  if (appUrl) {
    const ownerUrl = process.env.DATABASE_OWNER_URL;
    if (!ownerUrl) {
      throw new Error(
        "DATABASE_OWNER_URL is not set: migrations run as the role that owns the tables, separate from the app role in DATABASE_URL.",
      );
    }
    return { appUrl, ownerUrl, isEmbedded: false, dataDir: null, stop: async () => undefined };
  }
  const db = await startEmbeddedDatabase({ dataDir: DEV_DATA_DIR, port: Number(process.env.EMBEDDED_DB_PORT ?? DEV_PORT), quiet: true });
  return { appUrl: db.appUrl, ownerUrl: db.ownerUrl, isEmbedded: true, dataDir: db.dataDir, stop: db.stop };
}
