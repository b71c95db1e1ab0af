// Foreign keys between tenant tables carry the tenant, so no row can point at
// another tenant's row even at SQL level, and the error for another tenant's id
// is the error for an id that does not exist. Keys are read from the catalog: a
// new table is covered without editing this file.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { setMemory } from "@/server/memory/service";
import { createTenantFixture } from "@/server/test/factories";

let owner: pg.Client;
let app: pg.Client;

beforeAll(async () => {
  // The catalog and other tenants' rows are read with full access (the owner too is under forced RLS).
  owner = new pg.Client({ connectionString: inject("superDatabaseUrl") });
  app = new pg.Client({ connectionString: inject("databaseUrl") });
  await Promise.all([owner.connect(), app.connect()]);
});

afterAll(async () => {
  await Promise.all([owner?.end(), app?.end()]);
});

type TForeignKey = {
  name: string;
  table: string;
  references: string;
  columns: string[];
  refColumns: string[];
  onDelete: string;
  setNullColumns: string[];
};

async function tenantForeignKeys(): Promise<TForeignKey[]> {
  const { rows } = await owner.query<TForeignKey>(`
    SELECT c.conname AS name, src.relname AS table, ref.relname AS references, c.confdeltype AS "onDelete",
           ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i)::text[] AS columns,
           ARRAY(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i)::text[] AS "refColumns",
           ARRAY(SELECT a.attname FROM unnest(coalesce(c.confdelsetcols, '{}')) k(n) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n)::text[] AS "setNullColumns"
      FROM pg_constraint c
      JOIN pg_class src ON src.oid = c.conrelid
      JOIN pg_class ref ON ref.oid = c.confrelid
      JOIN pg_namespace n ON n.oid = src.relnamespace AND n.nspname = current_schema()
     WHERE c.contype = 'f' AND ref.relname <> 'tenants'
       AND EXISTS (SELECT 1 FROM pg_attribute t WHERE t.attrelid = c.conrelid AND t.attname = 'tenant_id' AND NOT t.attisdropped)
       AND EXISTS (SELECT 1 FROM pg_attribute t WHERE t.attrelid = c.confrelid AND t.attname = 'tenant_id' AND NOT t.attisdropped)
     ORDER BY 2, 1`);
  return rows;
}

describe("foreign keys between tenant tables", () => {
  it("every one of them includes tenant_id on both sides, and SET NULL never nulls tenant_id", async () => {
    const keys = await tenantForeignKeys();
    // The schema has a dozen such keys (runs, memory, packs, schedules, skills, workflows, approvals, snapshots…).
    expect(keys.length).toBeGreaterThanOrEqual(12);
    const offenders = keys.filter((key) => key.columns[0] !== "tenant_id" || key.refColumns[0] !== "tenant_id" || key.columns.length !== 2);
    expect(offenders.map((key) => `${key.table}.${key.name} → ${key.references}`)).toEqual([]);
    const nulling = keys.filter(
      (key) => key.onDelete === "n" && (key.setNullColumns.length !== 1 || key.setNullColumns.includes("tenant_id")),
    );
    expect(nulling.map((key) => `${key.table}.${key.name}`)).toEqual([]);
  });

  it("a row cannot point at another tenant's row, and the error does not tell whether that id exists", async () => {
    const a = await createTenantFixture();
    const b = await createTenantFixture();
    await setMemory(b.tenant.id, "secret-plan", "v", "user:test");
    const bEntry = (await owner.query<{ id: string }>("SELECT id FROM memory_entries WHERE tenant_id = $1", [b.tenant.id])).rows[0]?.id;
    expect(bEntry).toBeTruthy();
    const attempt = async (entryId: string) => {
      await app.query("BEGIN");
      try {
        await app.query("SELECT set_config('app.tenant_id', $1, true)", [a.tenant.id]);
        await app.query(
          "INSERT INTO memory_versions (tenant_id, entry_id, key, value, version, actor) VALUES ($1, $2, 'k', 'v', 99, 'user:attacker')",
          [a.tenant.id, entryId],
        );
        return { code: "none", message: "" };
      } catch (error) {
        const { code, message, detail } = error as { code: string; message: string; detail?: string };
        return { code, message: `${message} ${detail ?? ""}`.replaceAll(entryId, "<id>") };
      } finally {
        await app.query("ROLLBACK");
      }
    };
    const otherTenants = await attempt(bEntry as string);
    const missing = await attempt(randomUUID());
    expect(otherTenants.code).toBe("23503");
    expect(otherTenants).toEqual(missing);
  });
});
