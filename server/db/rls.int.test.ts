// The database itself refuses cross-tenant access, even when application code
// is wrong. Tables are found from the catalog, so a new tenant table is covered
// (and must be given RLS) without editing this file.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createTenantFixture, type TTenantFixture } from "@/server/test/factories";

const appUrl = () => inject("databaseUrl");
const ownerUrl = () => inject("ownerDatabaseUrl");

let app: pg.Client;
let owner: pg.Client;
let tenantTables: string[] = [];
let a: TTenantFixture;
let b: TTenantFixture;

async function inTransaction<T>(client: pg.Client, tenantId: string | null, work: () => Promise<T>): Promise<T> {
  await client.query("BEGIN");
  try {
    if (tenantId) await client.query("SELECT set_config('app.tenant_id', $1, true)", [tenantId]);
    return await work();
  } finally {
    await client.query("ROLLBACK");
  }
}

const INSUFFICIENT_PRIVILEGE = "42501"; // RLS "new row violates row-level security policy", or no grant

/**
 * True when the statement is refused by the database's access rules: an
 * insufficient-privilege error, or no row touched. Any other error (a unique
 * violation, say) is not a refusal and fails the test.
 */
async function refused(client: pg.Client, sql: string, params: unknown[] = []): Promise<boolean> {
  await client.query("SAVEPOINT attempt");
  try {
    const result = await client.query(sql, params);
    await client.query("RELEASE SAVEPOINT attempt");
    return result.rowCount === 0;
  } catch (error) {
    await client.query("ROLLBACK TO SAVEPOINT attempt");
    if ((error as { code?: string }).code === INSUFFICIENT_PRIVILEGE) return true;
    throw error;
  }
}

async function uniqueColumns(table: string, types: string[]): Promise<string[]> {
  const { rows } = await owner.query<{ column: string }>(
    `SELECT a.attname AS column
       FROM pg_index i
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
      WHERE i.indrelid = $1::regclass AND i.indisunique AND NOT i.indisprimary
        AND format_type(a.atttypid, a.atttypmod) = ANY($2) AND a.attname <> 'tenant_id'`,
    [`"${table}"`, types],
  );
  return rows.map((row) => row.column);
}
const uniqueTextColumns = (table: string) => uniqueColumns(table, ["text"]);
const uniqueUuidColumns = (table: string) => uniqueColumns(table, ["uuid"]);

beforeAll(async () => {
  app = new pg.Client({ connectionString: appUrl() });
  owner = new pg.Client({ connectionString: ownerUrl() });
  await Promise.all([app.connect(), owner.connect()]);
  const { rows } = await owner.query<{ table_name: string }>(
    "SELECT DISTINCT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'tenant_id' ORDER BY table_name",
  );
  tenantTables = rows.map((row) => row.table_name);
  [a, b] = await Promise.all([createTenantFixture({ withEventLog: true }), createTenantFixture({ withEventLog: true })]);
});

afterAll(async () => {
  await Promise.all([app?.end(), owner?.end()]);
});

describe("catalog", () => {
  it("finds the tenant tables", () => {
    expect(tenantTables).toEqual(
      expect.arrayContaining([
        "memberships",
        "invitations",
        "audit_logs",
        "events",
        "event_chains",
        "checkpoints",
        "signing_keys",
        "budgets",
        "budget_versions",
        "budget_counters",
        "budget_reservations",
        "tenant_settings",
        "approval_workflows",
      ]),
    );
  });

  it("every table with tenant_id has RLS enabled, forced, and a policy on app.tenant_id", async () => {
    const { rows } = await owner.query<{
      relname: string;
      relrowsecurity: boolean;
      relforcerowsecurity: boolean;
      policies: string[] | null;
    }>(
      `SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
              array_agg(pg_get_expr(p.polqual, p.polrelid)) FILTER (WHERE p.polname IS NOT NULL) AS policies
         FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
         LEFT JOIN pg_policy p ON p.polrelid = c.oid
        WHERE c.relname = ANY($1) GROUP BY c.relname, c.relrowsecurity, c.relforcerowsecurity`,
      [tenantTables],
    );
    expect(rows).toHaveLength(tenantTables.length);
    for (const row of rows) {
      expect({ table: row.relname, enabled: row.relrowsecurity, forced: row.relforcerowsecurity }).toEqual({
        table: row.relname,
        enabled: true,
        forced: true,
      });
      expect(
        row.policies?.some((policy) => policy.includes("current_tenant_id()")),
        `${row.relname} has a tenant policy`,
      ).toBe(true);
    }
  });

  it("the app role is no superuser, cannot bypass RLS and owns no table", async () => {
    const { rows } = await app.query<{ rolsuper: boolean; rolbypassrls: boolean; owned: string }>(
      `SELECT r.rolsuper, r.rolbypassrls,
              (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public' AND c.relowner = r.oid)::text AS owned
         FROM pg_roles r WHERE r.rolname = current_user`,
    );
    expect(rows[0]).toEqual({ rolsuper: false, rolbypassrls: false, owned: "0" });
  });
});

describe("as the app role, with tenant A set", () => {
  it("no tenant table returns a row of tenant B", async () => {
    await inTransaction(app, a.tenant.id, async () => {
      for (const table of tenantTables) {
        const foreign = await app.query(`SELECT count(*)::int AS n FROM "${table}" WHERE tenant_id <> $1`, [a.tenant.id]);
        expect({ table, foreignRows: foreign.rows[0].n }).toEqual({ table, foreignRows: 0 });
        const own = await app.query(`SELECT count(*)::int AS n FROM "${table}" WHERE tenant_id = $1`, [a.tenant.id]);
        expect(own.rows[0].n, `${table} shows tenant A its own rows`).toBeGreaterThan(0);
      }
    });
  });

  it("inserting a row with tenant B's id fails in every tenant table", async () => {
    for (const table of tenantTables) {
      // Take a real row of B (read as B, by the owner) and try to insert a copy as A.
      const sample = await inTransaction(owner, b.tenant.id, () => owner.query(`SELECT row_to_json(t) AS row FROM "${table}" t LIMIT 1`));
      expect(sample.rows.length, `fixture has a row of ${table}; extend createTenantFixture for new tables`).toBe(1);
      // Fresh values for unique columns, so that only RLS can refuse the copy.
      const copy = { ...sample.rows[0].row, id: crypto.randomUUID() } as Record<string, unknown>;
      for (const column of await uniqueTextColumns(table)) copy[column] = `copy-${crypto.randomUUID()}`;
      for (const column of await uniqueUuidColumns(table)) copy[column] = crypto.randomUUID();
      await inTransaction(app, a.tenant.id, async () => {
        const isRefused = await refused(app, `INSERT INTO "${table}" SELECT * FROM json_populate_record(NULL::"${table}", $1)`, [
          JSON.stringify(copy),
        ]);
        expect({ table, isRefused }).toEqual({ table, isRefused: true });
      });
    }
  });

  it("moving a row to tenant B, or changing or deleting B's rows, fails in every tenant table", async () => {
    await inTransaction(app, a.tenant.id, async () => {
      for (const table of tenantTables) {
        expect({
          table,
          move: await refused(app, `UPDATE "${table}" SET tenant_id = $1 WHERE tenant_id = $2`, [b.tenant.id, a.tenant.id]),
        }).toEqual({ table, move: true });
        expect({
          table,
          update: await refused(app, `UPDATE "${table}" SET tenant_id = tenant_id WHERE tenant_id = $1`, [b.tenant.id]),
        }).toEqual({ table, update: true });
        expect({ table, remove: await refused(app, `DELETE FROM "${table}" WHERE tenant_id = $1`, [b.tenant.id]) }).toEqual({
          table,
          remove: true,
        });
      }
    });
    // B's rows are all still there.
    await inTransaction(owner, b.tenant.id, async () => {
      const { rows } = await owner.query("SELECT count(*)::int AS n FROM memberships");
      expect(rows[0].n).toBe(5);
    });
  });
});

describe("as the app role, with no tenant set", () => {
  it("every tenant table reads empty", async () => {
    await inTransaction(app, null, async () => {
      for (const table of tenantTables) {
        const { rows } = await app.query(`SELECT count(*)::int AS n FROM "${table}"`);
        expect({ table, rows: rows[0].n }).toEqual({ table, rows: 0 });
      }
    });
  });

  it("an empty tenant setting (after a transaction ends) still reads empty", async () => {
    await app.query("BEGIN");
    await app.query("SELECT set_config('app.tenant_id', $1, true)", [a.tenant.id]);
    await app.query("COMMIT");
    for (const table of tenantTables) {
      const { rows } = await app.query(`SELECT count(*)::int AS n FROM "${table}"`);
      expect({ table, rows: rows[0].n }).toEqual({ table, rows: 0 });
    }
  });
});
