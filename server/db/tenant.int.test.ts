// The tenant runner: Prisma and raw SQL in one transaction, committed or rolled
// back together, scoped by RLS to the runner's tenant, and nothing that outlives it.
import { beforeAll, describe, expect, it, vi } from "vitest";
import { createTenantFixture, type TTenantFixture } from "@/server/test/factories";
import { IDLE_TIMEOUT_MS, withTenant, withTenantOneTrip } from "./tenant";

let a: TTenantFixture;
let b: TTenantFixture;

beforeAll(async () => {
  [a, b] = await Promise.all([createTenantFixture(), createTenantFixture()]);
});

const titled = (title: string) =>
  withTenant(a.tenant.id, async (db, { sql }) => ({
    prisma: await db.conversation.count({ where: { title } }),
    raw: Number((await sql.query<{ n: string }>("SELECT count(*) AS n FROM conversations WHERE title = $1", [title])).rows[0]?.n),
  }));

describe("withTenant", () => {
  it("runs Prisma and raw SQL in one transaction: each sees the other's writes, and both commit", async () => {
    const title = `both-${crypto.randomUUID()}`;
    const seen = await withTenant(a.tenant.id, async (db, { sql }) => {
      await db.conversation.create({ data: { tenantId: a.tenant.id, userId: a.users.owner.id, title } });
      await sql.query("INSERT INTO conversations (tenant_id, user_id, title) VALUES ($1, $2, $3)", [a.tenant.id, a.users.member.id, title]);
      const viaRaw = (await sql.query("SELECT 1 FROM conversations WHERE title = $1", [title])).rowCount;
      return { viaRaw, viaPrisma: await db.conversation.count({ where: { title } }) };
    });
    expect(seen).toEqual({ viaRaw: 2, viaPrisma: 2 });
    expect(await titled(title)).toEqual({ prisma: 2, raw: 2 });
  });

  it("rolls both back when the work fails", async () => {
    const title = `rollback-${crypto.randomUUID()}`;
    await expect(
      withTenant(a.tenant.id, async (db, { sql }) => {
        await db.conversation.create({ data: { tenantId: a.tenant.id, userId: a.users.owner.id, title } });
        await sql.query("INSERT INTO conversations (tenant_id, user_id, title) VALUES ($1, $2, $3)", [
          a.tenant.id,
          a.users.owner.id,
          title,
        ]);
        throw new Error("the work failed");
      }),
    ).rejects.toThrow("the work failed");
    expect(await titled(title)).toEqual({ prisma: 0, raw: 0 });
  });

  it("sees only its tenant's rows, through Prisma and raw SQL alike, even when asked for another's", async () => {
    const title = `mine-${crypto.randomUUID()}`;
    await withTenant(b.tenant.id, (db) => db.conversation.create({ data: { tenantId: b.tenant.id, userId: b.users.owner.id, title } }));
    const fromA = await withTenant(a.tenant.id, async (db, { sql }) => ({
      prisma: await db.conversation.count({ where: { tenantId: b.tenant.id } }),
      raw: (await sql.query("SELECT 1 FROM conversations WHERE tenant_id = $1", [b.tenant.id])).rowCount,
      setting: (await sql.query<{ id: string }>("SELECT current_setting('app.tenant_id') AS id")).rows[0]?.id,
    }));
    expect(fromA).toEqual({ prisma: 0, raw: 0, setting: a.tenant.id });
    // A write for another tenant is refused by RLS, not silently stored.
    await expect(
      withTenant(a.tenant.id, (db) => db.conversation.create({ data: { tenantId: b.tenant.id, userId: b.users.owner.id, title } })),
    ).rejects.toThrow();
  });

  it("keeps a nested runner for another tenant apart, and the outer one scoped after it returns", async () => {
    const settings = await withTenant(a.tenant.id, async (_db, { sql }) => {
      const inner = await withTenant(b.tenant.id, async (db) =>
        (await db.membership.findMany({ select: { tenantId: true } })).map((m) => m.tenantId),
      );
      const outer = (await sql.query<{ id: string }>("SELECT current_setting('app.tenant_id') AS id")).rows[0]?.id;
      return { inner: [...new Set(inner)], outer };
    });
    expect(settings).toEqual({ inner: [b.tenant.id], outer: a.tenant.id });
  });

  it("refuses a Prisma query that outlives the transaction, instead of running it outside", async () => {
    let late: Promise<unknown> | undefined;
    await withTenant(a.tenant.id, async (db) => {
      late = new Promise((resolve) => setTimeout(resolve, 20)).then(() => db.conversation.count());
    });
    await expect(late).rejects.toThrow(/after its tenant transaction ended/);
  });

  it("runs Prisma's own transactions (an upsert opens one) as savepoints of the runner's transaction", async () => {
    const kept = `upsert-kept-${crypto.randomUUID()}`;
    const dropped = `upsert-dropped-${crypto.randomUUID()}`;
    const upsert = (db: Parameters<Parameters<typeof withTenant>[1]>[0], title: string) =>
      db.conversation.upsert({
        where: { id: crypto.randomUUID() },
        create: { tenantId: a.tenant.id, userId: a.users.owner.id, title },
        update: {},
      });
    const seenInside = await withTenant(a.tenant.id, async (db, { sql }) => {
      await upsert(db, kept);
      return (await sql.query("SELECT 1 FROM conversations WHERE title = $1", [kept])).rowCount;
    });
    expect(seenInside).toBe(1);
    expect(await titled(kept)).toEqual({ prisma: 1, raw: 1 });
    await expect(
      withTenant(a.tenant.id, async (db) => {
        await upsert(db, dropped);
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    expect(await titled(dropped)).toEqual({ prisma: 0, raw: 0 });
  });

  it("sends a lead statement with BEGIN and a closing statement with COMMIT", async () => {
    const title = `closing-${crypto.randomUUID()}`;
    const lead = await withTenant(
      a.tenant.id,
      async (_db, tx) => {
        tx.commitWith([
          {
            text: "INSERT INTO conversations (tenant_id, user_id, title) VALUES ($1, $2, $3)",
            values: [a.tenant.id, a.users.owner.id, title],
          },
        ]);
        return tx.lead?.rows[0];
      },
      { lead: [{ text: "SELECT $1::int + 1 AS answer", values: [41] }] },
    );
    expect(lead).toEqual({ answer: 42 });
    expect(await titled(title)).toEqual({ prisma: 1, raw: 1 });
  });

  it("ends a transaction left idle by the server, and refuses a tenant id that is not a UUID", async () => {
    const timeout = await withTenant(
      a.tenant.id,
      async (_db, { sql }) =>
        (await sql.query<{ t: string }>("SELECT current_setting('idle_in_transaction_session_timeout') AS t")).rows[0]?.t,
    );
    expect(timeout).toBe(`${IDLE_TIMEOUT_MS / 1000}s`);
    await expect(withTenant("x'; SELECT 1; --", async () => 1)).rejects.toThrow("tenantId must be a UUID");
  });
});

describe("two copies of the runner's module", () => {
  it("share their transactions, as Next.js's bundle layers each load the module once", async () => {
    const first = await import("./tenant");
    vi.resetModules();
    const second = await import("./tenant");
    expect(second).not.toBe(first);
    // The tenant Prisma client is process-wide: made by whichever copy ran first, it must
    // follow transactions the other copy opens.
    for (const copy of [first, second, first])
      expect(
        await copy.withTenant(a.tenant.id, async (db) => (await db.membership.findMany({ select: { tenantId: true } }))[0]?.tenantId),
      ).toBe(a.tenant.id);
  });
});

describe("withTenantOneTrip", () => {
  it("runs one statement in its own tenant transaction and returns its rows", async () => {
    const { rows } = await withTenantOneTrip<{ id: string }>(
      a.tenant.id,
      { text: "SELECT current_setting('app.tenant_id') AS id" },
      { readOnly: true },
    );
    expect(rows).toEqual([{ id: a.tenant.id }]);
    await expect(
      withTenantOneTrip(a.tenant.id, {
        text: "INSERT INTO conversations (tenant_id, user_id, title) VALUES (gen_random_uuid(), gen_random_uuid(), 'x')",
      }),
    ).rejects.toThrow();
  });
});
