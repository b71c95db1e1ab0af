// Statements in one round trip (runPipeline): values travel as parameters and come back
// exactly as they went in; a named statement is prepared once per connection; after an
// error the rest does not run, and the connection stays usable.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { createTenantFixture, type TTenantFixture } from "@/server/test/factories";
import { runPipeline } from "./pipeline";
import { pool } from "./pool";
import { withTenant, withTenantOneTrip } from "./tenant";

const HOSTILE = [
  "'",
  "''",
  "\\",
  "\\'",
  "E'\\x27'",
  "'; DROP TABLE events; --",
  "$$; SELECT 1; $$",
  "\\'; SELECT pg_sleep(10); --",
  '{"a","b"}',
  "NULL",
  "a,b",
  '"',
  "{}",
  "🙂 naïve – ü",
  "line\nbreak\r\ttab",
  "\u2028\u2029",
];

let fx: TTenantFixture;

beforeAll(async () => {
  fx = await createTenantFixture();
});

/** A connection of its own, for what PostgreSQL prepared on it. */
async function onOneConnection<T>(work: (client: import("pg").PoolClient) => Promise<T>): Promise<T> {
  const client = await pool().connect();
  try {
    return await work(client);
  } finally {
    client.release(true);
  }
}

const prepared = async (client: import("pg").PoolClient) =>
  (await client.query<{ name: string }>("SELECT name FROM pg_prepared_statements ORDER BY name")).rows.map((row) => row.name);

describe("runPipeline", () => {
  it("hands back text and arrays of text exactly as they went in, hostile or arbitrary", async () => {
    const echo = async (value: string) => {
      const { rows } = await withTenantOneTrip<{ v: string; a: (string | null)[] }>(
        fx.tenant.id,
        { name: "test_echo", text: "SELECT $1::text AS v, $2::text[] AS a", values: [value, [value, null, value]] },
        { readOnly: true },
      );
      return rows[0];
    };
    for (const value of HOSTILE) expect(await echo(value)).toEqual({ v: value, a: [value, null, value] });
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: "binary" }).filter((value) => !value.includes("\u0000")),
        async (value) => {
          expect(await echo(value)).toEqual({ v: value, a: [value, null, value] });
        },
      ),
      { numRuns: 200 },
    );
  });

  it("answers one result per statement, in order, from one round trip", async () => {
    await onOneConnection(async (client) => {
      const results = await runPipeline(client, [
        { text: "SELECT $1::int AS n", values: [1] },
        { text: "SELECT 'two' AS s" },
        { text: "SELECT generate_series(1, $1::int) AS i", values: [3] },
      ]);
      expect(results.map((result) => result.rows)).toEqual([[{ n: 1 }], [{ s: "two" }], [{ i: 1 }, { i: 2 }, { i: 3 }]]);
    });
  });

  it("prepares a named statement once per connection and reuses it", async () => {
    await onOneConnection(async (client) => {
      const statement = { name: "test_prepared_once", text: "SELECT $1::int * 2 AS n" };
      expect(await prepared(client)).not.toContain("test_prepared_once");
      for (const n of [1, 2, 3]) {
        const [result] = await runPipeline(client, [
          { ...statement, values: [n] },
          { ...statement, values: [n + 10] },
        ]);
        expect(result?.rows).toEqual([{ n: n * 2 }]);
      }
      expect(await prepared(client)).toEqual(expect.arrayContaining(["test_prepared_once"]));
      // Prepared once: PostgreSQL counts the executions of the one statement it holds.
      const { rows } = await client.query<{ generic_plans: string; custom_plans: string }>(
        "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = 'test_prepared_once'",
      );
      expect(Number(rows[0]?.generic_plans) + Number(rows[0]?.custom_plans)).toBe(6);
    });
  });

  it("refuses one name for two texts", async () => {
    await onOneConnection(async (client) => {
      await runPipeline(client, [{ name: "test_one_name", text: "SELECT 1 AS n" }]);
      await expect(runPipeline(client, [{ name: "test_one_name", text: "SELECT 2 AS n" }])).rejects.toThrow(/another text/);
      expect((await client.query("SELECT 3 AS n")).rows).toEqual([{ n: 3 }]);
    });
  });

  it("a value that cannot be sent fails the call before anything is written, and the connection stays usable", async () => {
    await onOneConnection(async (client) => {
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      await expect(
        runPipeline(client, [{ text: "SELECT 1 AS n" }, { text: "SELECT $1::jsonb AS v", values: [circular as unknown as string] }]),
      ).rejects.toThrow(/circular/i);
      expect((await runPipeline(client, [{ text: "SELECT 2 AS n" }]))[0]?.rows).toEqual([{ n: 2 }]);
    });
  });

  it("stops at the first error: what follows does not run, and a statement it skipped is prepared next time", async () => {
    const title = `after-error-${crypto.randomUUID()}`;
    const insert = {
      name: "test_after_error_insert",
      text: "INSERT INTO conversations (tenant_id, user_id, title) VALUES ($1, $2, $3)",
      values: [fx.tenant.id, fx.users.owner.id, title],
    };
    await expect(withTenantOneTrip(fx.tenant.id, [{ text: "SELECT 1/0" }, insert])).rejects.toThrow(/division by zero/);
    const count = () =>
      withTenantOneTrip<{ n: string }>(fx.tenant.id, { text: "SELECT count(*) AS n FROM conversations WHERE title = $1", values: [title] });
    expect((await count()).rows[0]?.n).toBe("0");
    // The same statement on the same pool: prepared now, and it runs.
    await withTenantOneTrip(fx.tenant.id, insert);
    expect((await count()).rows[0]?.n).toBe("1");
  });

  it("a failing statement rolls the tenant transaction back and leaves the connection usable", async () => {
    await expect(withTenantOneTrip(fx.tenant.id, { text: "SELECT 1/0" })).rejects.toThrow(/division by zero/);
    expect((await withTenantOneTrip<{ n: number }>(fx.tenant.id, { text: "SELECT 2 AS n" })).rows[0]?.n).toBe(2);
    // A lead that fails ends withTenant before its work runs.
    let ran = false;
    await expect(
      withTenant(
        fx.tenant.id,
        async () => {
          ran = true;
        },
        { lead: [{ text: "SELECT 1/0" }] },
      ),
    ).rejects.toThrow(/division by zero/);
    expect(ran).toBe(false);
  });
});
