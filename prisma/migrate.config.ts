// Prisma 6 CLI configuration for migrations, offline.
//
// Prisma 7's CLI downloads a native schema engine to migrate, which fails on
// air-gapped machines. Prisma 6.19's CLI ships a WebAssembly schema engine that
// runs through a driver adapter instead. scripts/lib/migrate.ts derives the schema
// it reads (MIGRATE_SCHEMA) and sets MIGRATE_DATABASE_URL to the owner role.
import { randomUUID } from "node:crypto";
import path from "node:path";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { defineConfig } from "prisma6/config";

// Introspection reads catalog columns of type "char" (OID 18), which the adapter
// does not map; they are plain one-character text, so report them as text (25).
const CHAR_OID = 18;
const TEXT_OID = 25;
type Field = { dataTypeID: number };
function asText(result: unknown): unknown {
  const fields = (result as { fields?: Field[] } | undefined)?.fields;
  for (const field of fields ?? []) if (field.dataTypeID === CHAR_OID) field.dataTypeID = TEXT_OID;
  return result;
}
type QueryFn = (...args: unknown[]) => unknown;
const originalQuery = pg.Client.prototype.query as unknown as QueryFn;
(pg.Client.prototype as unknown as { query: QueryFn }).query = function patchedQuery(this: unknown, ...args: unknown[]) {
  const last = args[args.length - 1];
  if (typeof last === "function") {
    args[args.length - 1] = (error: unknown, result: unknown) => (last as QueryFn)(error, asText(result));
    return originalQuery.apply(this, args);
  }
  const returned = originalQuery.apply(this, args);
  return returned instanceof Promise ? returned.then(asText) : returned;
};

function connection() {
  const raw = process.env.MIGRATE_DATABASE_URL;
  if (!raw) throw new Error("MIGRATE_DATABASE_URL is not set (run migrations through `npm run db:migrate`).");
  const url = new URL(raw);
  // Discrete fields, not a connection string: the adapter's shadow database hook
  // overrides `database`, which a connection string would silently win over.
  return {
    host: url.hostname,
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: url.pathname.replace(/^\//, ""),
    ssl: url.searchParams.get("sslmode") === "require" ? { rejectUnauthorized: false } : undefined,
  };
}

// The adapter splits a migration script on every ";", which breaks function
// bodies and DO blocks. Send each script whole instead: PostgreSQL's simple query
// protocol runs it as one implicit transaction, so a migration applies entirely
// or not at all.
type ScriptAdapter = {
  executeScript: (script: string) => Promise<void>;
  underlyingDriver: () => { query: (sql: string) => Promise<unknown> };
  onError: (error: unknown) => never;
};
function wholeScripts<T>(adapter: T): T {
  const target = adapter as unknown as ScriptAdapter;
  target.executeScript = async (script: string) => {
    try {
      await target.underlyingDriver().query(script);
    } catch (error) {
      target.onError(error);
    }
  };
  return adapter;
}
class MigrationAdapter extends PrismaPg {
  override async connect() {
    return wholeScripts(await super.connect());
  }
  // The adapter's own hook drops the shadow database before closing its pool to
  // it, which PostgreSQL refuses. Close first, then drop.
  override async connectToShadowDb() {
    const main = await this.connect();
    const database = `prisma_migrate_shadow_db_${randomUUID()}`;
    await main.executeScript(`CREATE DATABASE "${database}"`);
    const shadow = wholeScripts(await new PrismaPg({ ...connection(), database }).connect());
    const closeShadow = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      await closeShadow();
      await main.executeScript(`DROP DATABASE "${database}"`);
      await main.dispose();
    };
    return shadow;
  }
}

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: process.env.MIGRATE_SCHEMA ?? path.resolve("prisma/schema.prisma"),
  migrations: { path: path.resolve("prisma/migrations") },
  // The adapter types of Prisma 7.10 and the Prisma 6 CLI differ only nominally.
  adapter: async () => new MigrationAdapter(connection()) as never,
});
