// The tenant runner: the one way tenant-owned rows are read or written.
//
//  withTenant(tenantId, (db, tx) => …)   one tenant transaction. `db` is Prisma and
//                                         `tx.sql` raw SQL, both on the same connection
//                                         and in the same transaction, so they commit
//                                         or roll back together.
//  withTenantOneTrip(tenantId, statements) statements in their own tenant transaction,
//                                         in one round trip (the gate's hot path).
//
// Both open a connection from the process's one pool, send BEGIN and
// set_config('app.tenant_id', $1, true) in the same round trip as their first
// statements (one pipeline of prepared statements, ./pipeline.ts), and are connected
// as the app role: Row Level Security decides what the transaction sees. Settings are
// transaction-local, so they never leak to the next user of a pooled connection. Never
// hold one open across an LLM or outbound HTTP call: the server ends a transaction left
// idle for IDLE_TIMEOUT_MS (./pool.ts).
//
// How Prisma joins the transaction: the tenant Prisma client runs on a pool that
// owns no connection; every query it sends goes to the connection of the
// withTenant call it runs under (AsyncLocalStorage), and a transaction Prisma opens
// itself (nested writes) becomes a savepoint of that transaction. Outside a
// withTenant call, or after it ended, the tenant client refuses to run.
import { AsyncLocalStorage } from "node:async_hooks";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { isUuid } from "@/server/validation";
import { PrismaClient, type Prisma } from "./generated/client";
import { runPipeline, type TSql } from "./pipeline";
import { pool } from "./pool";

export type { TSql, TSqlValue } from "./pipeline";

export { IDLE_TIMEOUT_MS } from "./pool";

/** Prisma inside a tenant transaction. */
export type TenantDb = Prisma.TransactionClient;
export type SqlClient = pg.PoolClient;

/** The raw side of a tenant transaction. */
export type TTenantTx = {
  /** The transaction's connection: raw SQL, same transaction as `db`. */
  sql: SqlClient;
  /** The result of the first statement of `options.lead`, when one was sent with BEGIN. */
  lead: pg.QueryResult | undefined;
  /**
   * Last statements to send in the same round trip as COMMIT; their results, in order,
   * are handed to `onCommitted` once committed.
   */
  commitWith(statements: readonly TSql[], onCommitted?: (results: pg.QueryResult[]) => void): void;
};

export type TTenantOptions = {
  isolation?: "read committed" | "repeatable read";
  readOnly?: boolean;
  /** Share another transaction's consistent view (pg_export_snapshot()). */
  snapshot?: string;
  /** First statements, sent in the same round trip as BEGIN. */
  lead?: readonly TSql[];
};

const SNAPSHOT = /^[0-9A-F]+-[0-9A-F]+(-[0-9A-F]+)?$/i;

type TOpenTransaction = { client: pg.PoolClient; isOpen: boolean; savepoints: number; turn: Promise<unknown> };

// Process-wide, like the tenant Prisma client below: Next.js may load this module once
// per bundle layer, and a client made by one copy must see the transactions the other
// copy opens.
const globalForTransactions = globalThis as unknown as { agentFabricTenantTransactions?: AsyncLocalStorage<TOpenTransaction> };
const current = (globalForTransactions.agentFabricTenantTransactions ??= new AsyncLocalStorage<TOpenTransaction>());

function openTransaction(): TOpenTransaction {
  const open = current.getStore();
  if (!open) throw new Error("The tenant Prisma client runs only inside withTenant(tenantId, work).");
  if (!open.isOpen) throw new Error("A query ran after its tenant transaction ended (a promise outlived withTenant's work).");
  return open;
}

type TQueryConfig = pg.QueryConfig & { text: string };

/**
 * The tenant Prisma client's queries, one at a time on the transaction's connection:
 * Prisma sends independent reads at once, and node-postgres deprecates (and pg@9 drops)
 * queuing a query behind one still running. Each waits for the one before to settle.
 */
function inTurn<T>(open: TOpenTransaction, send: () => Promise<T>): Promise<T> {
  const mine = open.turn.then(send);
  open.turn = mine.catch(() => undefined);
  return mine;
}

/**
 * A transaction Prisma opens inside ours (a nested write) runs as a savepoint:
 * Prisma's BEGIN, COMMIT and ROLLBACK become SAVEPOINT, RELEASE and ROLLBACK TO.
 */
function nestedConnection(open: TOpenTransaction) {
  const name = `prisma_nested_${++open.savepoints}`;
  const translate = (text: string): string | null => {
    const statement = text.trim().toUpperCase();
    if (statement === "BEGIN") return `SAVEPOINT ${name}`;
    if (statement === "COMMIT") return `RELEASE SAVEPOINT ${name}`;
    if (statement === "ROLLBACK") return `ROLLBACK TO SAVEPOINT ${name}; RELEASE SAVEPOINT ${name}`;
    // The isolation level is the outer transaction's.
    if (statement.startsWith("SET TRANSACTION ISOLATION LEVEL")) return null;
    return text;
  };
  return {
    query(config: TQueryConfig, values?: unknown[]) {
      const transaction = openTransaction();
      const text = translate(config.text);
      if (text === null) return Promise.resolve({ rows: [], fields: [], rowCount: 0, command: "SET", oid: 0 });
      if (text !== config.text && text.includes(";")) return inTurn(transaction, () => transaction.client.query(text));
      return inTurn(transaction, () => transaction.client.query({ ...config, text }, values));
    },
    release() {},
    on() {},
    removeListener() {},
  };
}

/** The tenant Prisma client's pool: no connections of its own, only the caller's transaction. */
class TransactionPool extends pg.Pool {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- pg's overloads; Prisma's adapter sends a config object
  override query(config: any, values?: any): any {
    const open = openTransaction();
    return inTurn(open, () => open.client.query(config, values));
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- pg's overloads; Prisma's adapter awaits the promise form
  override connect(): any {
    return Promise.resolve(nestedConnection(openTransaction()));
  }
}

const globalForTenant = globalThis as unknown as { agentFabricTenantPrisma?: PrismaClient };

function tenantPrisma(): TenantDb {
  globalForTenant.agentFabricTenantPrisma ??= new PrismaClient({
    adapter: new PrismaPg(new TransactionPool({ max: 1 })),
    // The app role has no SELECT on password_hash: never ask for it.
    omit: { user: { passwordHash: true } },
  });
  return globalForTenant.agentFabricTenantPrisma;
}

export async function disconnectTenantPrisma(): Promise<void> {
  await globalForTenant.agentFabricTenantPrisma?.$disconnect();
  globalForTenant.agentFabricTenantPrisma = undefined;
}

function beginStatements(tenantId: string, options: TTenantOptions): TSql[] {
  if (!isUuid(tenantId)) throw new Error("tenantId must be a UUID");
  if (options.snapshot !== undefined && !SNAPSHOT.test(options.snapshot)) throw new Error("snapshot must be an exported snapshot id");
  const isRepeatable = options.isolation === "repeatable read" || options.snapshot !== undefined;
  const begin = `BEGIN${isRepeatable ? " ISOLATION LEVEL REPEATABLE READ" : ""}${options.readOnly ? " READ ONLY" : ""}`;
  return [
    { name: `fabric_${begin.toLowerCase().replaceAll(" ", "_")}`, text: begin },
    // A utility statement takes no parameters; the id is checked against SNAPSHOT above.
    ...(options.snapshot ? [{ text: `SET TRANSACTION SNAPSHOT '${options.snapshot}'` }] : []),
    { name: "fabric_set_tenant", text: "SELECT set_config('app.tenant_id', $1, true)", values: [tenantId] },
  ];
}

const COMMIT: TSql = { name: "fabric_commit", text: "COMMIT" };

/** One tenant transaction: Prisma (`db`) and raw SQL (`tx.sql`) inside it, committed together. */
export async function withTenant<T>(
  tenantId: string,
  work: (db: TenantDb, tx: TTenantTx) => Promise<T>,
  options: TTenantOptions = {},
): Promise<T> {
  const begin = beginStatements(tenantId, options);
  const client = await pool().connect();
  const open: TOpenTransaction = { client, isOpen: true, savepoints: 0, turn: Promise.resolve() };
  try {
    const results = await runPipeline(client, [...begin, ...(options.lead ?? [])]);
    const lead = options.lead?.length ? results[begin.length] : undefined;
    let closing: readonly TSql[] = [];
    let onClosed: ((results: pg.QueryResult[]) => void) | undefined;
    const tx: TTenantTx = {
      sql: client,
      lead,
      commitWith(statements, onCommitted) {
        closing = statements;
        onClosed = onCommitted;
      },
    };
    // Awaited inside run(): a Prisma query is lazy and starts when awaited, so the
    // await must happen where the transaction is the current one.
    const result = await current.run(open, async () => await work(tenantPrisma(), tx));
    open.isOpen = false;
    if (closing.length === 0) {
      await client.query("COMMIT");
      return result;
    }
    const committed = await runPipeline(client, [...closing, COMMIT]);
    onClosed?.(committed.slice(0, closing.length));
    return result;
  } catch (error) {
    open.isOpen = false;
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Statements in their own tenant transaction, in one round trip: BEGIN, set_config, the
 * statements and COMMIT travel as one pipeline. The result is the last statement's.
 */
export async function withTenantOneTrip<R extends pg.QueryResultRow>(
  tenantId: string,
  statements: TSql | readonly TSql[],
  options: { readOnly?: boolean } = {},
): Promise<pg.QueryResult<R>> {
  const begin = beginStatements(tenantId, { readOnly: options.readOnly });
  const work = "text" in statements ? [statements] : statements;
  if (work.length === 0) throw new Error("withTenantOneTrip needs a statement");
  const client = await pool().connect();
  try {
    const results = await runPipeline(client, [...begin, ...work, COMMIT]);
    const result = results[results.length - 2];
    if (!result) throw new Error("the statement returned nothing");
    return result as pg.QueryResult<R>;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
