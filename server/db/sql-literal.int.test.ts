// The gate's one-round-trip statements inline their values with sqlLiteral: any
// text must come back from PostgreSQL exactly as it went in, never as SQL.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createTenantFixture } from "@/server/test/factories";
import { sqlLiteral, withTenantOneTrip } from "./index";

const HOSTILE = [
  "'",
  "''",
  "\\",
  "\\'",
  "E'\\x27'",
  "'; DROP TABLE events; --",
  "$$; SELECT 1; $$",
  "\\'; SELECT pg_sleep(10); --",
  "🙂 naïve – ü",
  "line\nbreak\r\ttab",
  "\u2028\u2029",
];

describe("sqlLiteral", () => {
  it("round-trips hostile and arbitrary text exactly, inside a tenant transaction", async () => {
    const fx = await createTenantFixture();
    const echo = async (value: string) =>
      (await withTenantOneTrip<{ v: string }>(fx.tenant.id, `SELECT ${sqlLiteral(value)}::text AS v`, { readOnly: true })).rows[0]?.v;
    for (const value of HOSTILE) expect(await echo(value)).toBe(value);
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: "binary" }).filter((value) => !value.includes("\u0000")),
        async (value) => {
          expect(await echo(value)).toBe(value);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("refuses NUL (PostgreSQL cannot store it) and numbers that are not finite", () => {
    expect(() => sqlLiteral("a\u0000b")).toThrow();
    expect(() => sqlLiteral(Number.NaN)).toThrow();
    expect(sqlLiteral(null)).toBe("NULL");
    expect(sqlLiteral(42)).toBe("42");
  });

  it("a failing statement rolls back and leaves the connection usable", async () => {
    const fx = await createTenantFixture();
    await expect(withTenantOneTrip(fx.tenant.id, "SELECT 1/0")).rejects.toThrow(/division by zero/);
    expect((await withTenantOneTrip<{ n: number }>(fx.tenant.id, "SELECT 2 AS n")).rows[0]?.n).toBe(2);
  });
});
