// A tenant-scoped runner over plain node-postgres, for the event log's hot and
// bulk paths (appends, verification, export), where Prisma's per-row overhead
// would dominate. Same rule as withTenant: one transaction, app.tenant_id set
// locally first, connected as the app role so RLS applies.
import pg from "pg";
import { isUuid } from "@/server/validation";

export type SqlClient = pg.PoolClient;

const globalForPool = globalThis as unknown as { agentFabricPool?: pg.Pool };
const SNAPSHOT = /^[0-9A-F]+-[0-9A-F]+(-[0-9A-F]+)?$/i;

// bigint columns (seq) come back as strings; numeric ids in this app fit in a
// double only up to 2^53, so callers convert explicitly where they need numbers.
function pool(): pg.Pool {
  if (!globalForPool.agentFabricPool) {
    // Raw, at first use: scripts (seed, dev, bench) set DATABASE_URL once their database is up, after imports.
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set.");
    const created = new pg.Pool({ connectionString: url, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) });
    // An idle connection dropped by the server must not crash the process.
    created.on("error", () => undefined);
    globalForPool.agentFabricPool = created;
  }
  return globalForPool.agentFabricPool;
}

/** The shared pool, for stores that run their own single statements (the sign-in throttle). */
export function sqlPool(): pg.Pool {
  return pool();
}

export async function withTenantSql<T>(
  tenantId: string,
  work: (client: SqlClient) => Promise<T>,
  options: { isolation?: "read committed" | "repeatable read"; readOnly?: boolean; snapshot?: string } = {},
): Promise<T> {
  if (!isUuid(tenantId)) throw new Error("tenantId must be a UUID");
  if (options.snapshot !== undefined && !SNAPSHOT.test(options.snapshot)) throw new Error("snapshot must be an exported snapshot id");
  const client = await pool().connect();
  try {
    const mode = `${options.isolation === "repeatable read" || options.snapshot ? " ISOLATION LEVEL REPEATABLE READ" : ""}${options.readOnly ? " READ ONLY" : ""}`;
    // Several readers can share one consistent view (pg_export_snapshot()).
    const snapshot = options.snapshot ? ` SET TRANSACTION SNAPSHOT '${options.snapshot}';` : "";
    // One round trip: the id is a validated UUID, so it is safe to inline.
    await client.query(`BEGIN${mode};${snapshot} SELECT set_config('app.tenant_id', '${tenantId}', true)`);
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

/**
 * Like withTenantSql, but the transaction's first statement (fixed SQL, no
 * parameters; values inlined by the caller must be validated) travels in the
 * same round trip as BEGIN and set_config, and the work may hand back a last
 * statement to send with COMMIT. For the event log's hot path: two round trips.
 */
export async function withTenantSqlLead<T>(
  tenantId: string,
  leadSql: string,
  work: (client: SqlClient, lead: pg.QueryResult) => Promise<{ result: T; closingSql?: string }>,
): Promise<T> {
  if (!isUuid(tenantId)) throw new Error("tenantId must be a UUID");
  const client = await pool().connect();
  try {
    const results = (await client.query(
      `BEGIN; SELECT set_config('app.tenant_id', '${tenantId}', true); ${leadSql}`,
    )) as unknown as pg.QueryResult[];
    const lead = results[2];
    if (!lead) throw new Error("the leading statement returned nothing");
    const { result, closingSql } = await work(client, lead);
    // A last statement (literals only) may travel with COMMIT in the same round trip.
    await client.query(closingSql ? `${closingSql}; COMMIT` : "COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * One statement in its own tenant transaction, in one round trip: BEGIN, set_config,
 * the statement and COMMIT travel in a single simple-protocol message. The statement
 * has no parameters: every value in it must be a validated id or go through
 * sqlLiteral. For the gate's hot path, where round trips are most of the cost.
 */
export async function withTenantSqlOneTrip<R extends pg.QueryResultRow>(
  tenantId: string,
  statement: string,
  options: { readOnly?: boolean } = {},
): Promise<pg.QueryResult<R>> {
  if (!isUuid(tenantId)) throw new Error("tenantId must be a UUID");
  const client = await pool().connect();
  try {
    const results = (await client.query(
      `BEGIN${options.readOnly ? " READ ONLY" : ""}; SELECT set_config('app.tenant_id', '${tenantId}', true); ${statement}; COMMIT`,
    )) as unknown as pg.QueryResult<R>[];
    const result = results[2];
    if (!result) throw new Error("the statement returned nothing");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** A value as an SQL literal (node-postgres' escaping: quotes doubled, E'' when there are backslashes). */
export function sqlLiteral(value: string | number | boolean | null): string {
  if (value === null) return "NULL";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error("not a finite number");
    return String(value);
  }
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (value.includes("\u0000")) throw new Error("text with NUL cannot be stored");
  return pg.escapeLiteral(value);
}

export async function closeSqlPool(): Promise<void> {
  await globalForPool.agentFabricPool?.end();
  globalForPool.agentFabricPool = undefined;
}
