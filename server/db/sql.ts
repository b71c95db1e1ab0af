// A tenant-scoped runner over plain node-postgres, for the event log's hot and
// bulk paths (appends, verification, export), where Prisma's per-row overhead
// would dominate. Same rule as withTenant: one transaction, app.tenant_id set
// locally first, connected as the app role so RLS applies.
import pg from "pg";

export type SqlClient = pg.PoolClient;

const globalForPool = globalThis as unknown as { agentFabricPool?: pg.Pool };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// bigint columns (seq) come back as strings; numeric ids in this app fit in a
// double only up to 2^53, so callers convert explicitly where they need numbers.
function pool(): pg.Pool {
  if (!globalForPool.agentFabricPool) {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set.");
    const created = new pg.Pool({ connectionString: url, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) });
    // An idle connection dropped by the server must not crash the process.
    created.on("error", () => undefined);
    globalForPool.agentFabricPool = created;
  }
  return globalForPool.agentFabricPool;
}

export async function withTenantSql<T>(
  tenantId: string,
  work: (client: SqlClient) => Promise<T>,
  options: { isolation?: "read committed" | "repeatable read"; readOnly?: boolean } = {},
): Promise<T> {
  if (!UUID.test(tenantId)) throw new Error("tenantId must be a UUID");
  const client = await pool().connect();
  try {
    const mode = `${options.isolation === "repeatable read" ? " ISOLATION LEVEL REPEATABLE READ" : ""}${options.readOnly ? " READ ONLY" : ""}`;
    // One round trip: the id is a validated UUID, so it is safe to inline.
    await client.query(`BEGIN${mode}; SELECT set_config('app.tenant_id', '${tenantId}', true)`);
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

export async function closeSqlPool(): Promise<void> {
  await globalForPool.agentFabricPool?.end();
  globalForPool.agentFabricPool = undefined;
}
