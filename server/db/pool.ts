// The process's one connection pool (node-postgres), connected as the app role:
// Prisma's clients run on it through their driver adapter, the raw-SQL paths take
// their connections from it, and the sign-in throttle stores through it.
import pg from "pg";

/** The server ends a transaction left idle this long. */
export const IDLE_TIMEOUT_MS = 30_000;

const globalForPool = globalThis as unknown as { agentFabricPool?: pg.Pool };

/** The pool (also exported as sqlPool, for stores that run their own single statements: the sign-in throttle). */
export function pool(): pg.Pool {
  if (!globalForPool.agentFabricPool) {
    // Raw, at first use: scripts (seed, dev, bench) set DATABASE_URL once their database is up, after imports.
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set.");
    const created = new pg.Pool({
      connectionString: url,
      max: Number(process.env.DATABASE_POOL_SIZE ?? 20),
      // A request waits at most this long for a connection, then fails clearly.
      connectionTimeoutMillis: 10_000,
      // The server ends a transaction left idle this long (and the connection with it), so
      // one held open across a model or outbound call fails instead of holding locks. Set
      // once per connection (startup message), not per transaction.
      idle_in_transaction_session_timeout: IDLE_TIMEOUT_MS,
    });
    // An idle connection dropped by the server must not crash the process.
    created.on("error", () => undefined);
    globalForPool.agentFabricPool = created;
  }
  return globalForPool.agentFabricPool;
}

export async function closePool(): Promise<void> {
  const current = globalForPool.agentFabricPool;
  globalForPool.agentFabricPool = undefined;
  await current?.end();
}
