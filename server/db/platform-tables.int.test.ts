// Platform tables (tenants, users, platform_audit, password_resets) under the
// app role, in raw SQL: without the platform runner nobody can make an
// operator, replace a password hash, create users or tenants, or read another
// person's row. The catalog part lists exactly what the app role may write and
// which SECURITY DEFINER functions it may call; each function refuses without
// its precondition.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createTenantFixture, createUser, type TTenantFixture } from "@/server/test/factories";

const BCRYPT = "$2b$12$X2enSsGj6Y0148S5QCljWOqOFhC9gV98Xuh8lj7REQUUJTDtsOqge";
const INSUFFICIENT_PRIVILEGE = "42501";

let app: pg.Client;
let a: TTenantFixture;
let b: TTenantFixture;

type TContext = { tenantId?: string; userId?: string; platform?: boolean };

async function inTransaction<T>(context: TContext, work: () => Promise<T>): Promise<T> {
  await app.query("BEGIN");
  try {
    await app.query(
      "SELECT set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true), set_config('app.platform', $3, true)",
      [context.tenantId ?? "", context.userId ?? "", context.platform ? "on" : ""],
    );
    return await work();
  } finally {
    await app.query("ROLLBACK");
  }
}

/** Refused: an insufficient-privilege error (no grant, RLS, or a function's precondition), or no row touched. */
async function refused(sql: string, params: unknown[] = []): Promise<boolean> {
  await app.query("SAVEPOINT attempt");
  try {
    const result = await app.query(sql, params);
    await app.query("RELEASE SAVEPOINT attempt");
    return result.rowCount === 0;
  } catch (error) {
    await app.query("ROLLBACK TO SAVEPOINT attempt");
    if ((error as { code?: string }).code === INSUFFICIENT_PRIVILEGE) return true;
    throw error;
  }
}

beforeAll(async () => {
  app = new pg.Client({ connectionString: inject("databaseUrl") });
  await app.connect();
  [a, b] = await Promise.all([createTenantFixture(), createTenantFixture()]);
});

afterAll(async () => {
  await app.end();
});

describe("platform tables without the platform runner", () => {
  for (const [label, context] of [
    ["no context", {}],
    ["a tenant context", { tenantId: "TENANT_A" }],
    ["the user's own context", { userId: "SELF" }],
  ] as const) {
    it(`${label}: no operator flag, password hash, new user or tenant write`, async () => {
      const resolved: TContext = {
        ...("tenantId" in context ? { tenantId: a.tenant.id } : {}),
        ...("userId" in context ? { userId: a.users.member.id } : {}),
      };
      await inTransaction(resolved, async () => {
        const target = a.users.member.id;
        expect(await refused("UPDATE users SET is_operator = true WHERE id = $1", [target])).toBe(true);
        expect(await refused("UPDATE users SET password_hash = $2 WHERE id = $1", [target, BCRYPT])).toBe(true);
        expect(await refused("UPDATE users SET session_version = 0 WHERE id = $1", [target])).toBe(true);
        expect(await refused("INSERT INTO users (email, name, updated_at) VALUES ($1, 'x', now())", [`${randomUUID()}@evil.test`])).toBe(
          true,
        );
        expect(await refused("INSERT INTO tenants (slug, name, updated_at) VALUES ($1, 'x', now())", [`evil-${randomUUID()}`])).toBe(true);
        expect(await refused("UPDATE tenants SET name = 'pwned' WHERE id = $1", [a.tenant.id])).toBe(true);
        expect(await refused("SELECT password_hash FROM users")).toBe(true);
        expect(await refused("DELETE FROM platform_audit")).toBe(true);
        expect(await refused("UPDATE platform_audit SET action = 'x'")).toBe(true);
        expect(await refused("SELECT * FROM password_resets")).toBe(true);
      });
    });
  }

  it("users are visible to themselves, to their tenants, and to nobody else", async () => {
    const loner = await createUser();
    await inTransaction({}, async () => {
      expect((await app.query("SELECT email FROM users")).rowCount).toBe(0);
    });
    await inTransaction({ userId: loner.id }, async () => {
      expect((await app.query("SELECT id FROM users")).rows).toEqual([{ id: loner.id }]);
    });
    await inTransaction({ tenantId: a.tenant.id }, async () => {
      const ids = (await app.query<{ id: string }>("SELECT id FROM users")).rows.map((row) => row.id);
      expect(ids.sort()).toEqual(
        Object.values(a.users)
          .map((user) => user.id)
          .sort(),
      );
      expect(ids).not.toContain(b.users.owner.id);
      expect(ids).not.toContain(loner.id);
    });
  });

  it("the platform runner writes tenants but still not the secret columns, and every change is in platform_audit", async () => {
    await inTransaction({ platform: true }, async () => {
      await app.query("SELECT set_config('app.actor', 'user:test-operator', true)");
      const slug = `p-${randomUUID().slice(0, 8)}`;
      const { rows } = await app.query<{ id: string }>(
        "INSERT INTO tenants (slug, name, updated_at) VALUES ($1, 'P', now()) RETURNING id",
        [slug],
      );
      expect(await refused("UPDATE users SET is_operator = true WHERE id = $1", [a.users.member.id])).toBe(true);
      expect(await refused("UPDATE users SET password_hash = $2 WHERE id = $1", [a.users.member.id, BCRYPT])).toBe(true);
      const audit = await app.query("SELECT actor, action, data FROM platform_audit WHERE target_id = $1", [rows[0]?.id]);
      expect(audit.rows).toEqual([
        {
          actor: "user:test-operator",
          action: "tenants.insert",
          data: expect.objectContaining({ changed: expect.objectContaining({ slug }) }),
        },
      ]);
    });
  });

  it("a password change is audited without the hash", async () => {
    const person = await createUser();
    await app.query("BEGIN");
    await app.query("SELECT set_config('app.user_id', $1, true)", [person.id]);
    await app.query("SELECT account_set_password($1)", [BCRYPT]);
    await app.query("COMMIT");
    await inTransaction({ platform: true }, async () => {
      const { rows } = await app.query<{ actor: string; data: unknown }>(
        "SELECT actor, data FROM platform_audit WHERE target_id = $1 AND action = 'users.update'",
        [person.id],
      );
      expect(rows[0]?.actor).toBe(`user:${person.id}`);
      expect(JSON.stringify(rows)).not.toContain(BCRYPT);
      expect(JSON.stringify(rows)).toContain("(changed)");
    });
  });
});

describe("catalog: what the app role may write and call", () => {
  it("lists exactly the platform columns the app role may insert or update", async () => {
    const { rows } = await app.query<{ entry: string }>(
      `SELECT table_name || '.' || column_name || ':' || privilege_type AS entry
         FROM information_schema.column_privileges
        WHERE grantee = 'agent_fabric_app' AND privilege_type IN ('INSERT', 'UPDATE')
          AND table_name IN ('tenants', 'users', 'platform_audit', 'password_resets', 'accounts', 'sessions', 'verification_tokens')
        ORDER BY 1`,
    );
    const columns = (table: string, privilege: string, names: string[]) => names.map((name) => `${table}.${name}:${privilege}`);
    const tenantColumns = ["created_at", "id", "name", "slug", "status", "updated_at"];
    const auditColumns = ["action", "actor", "created_at", "data", "id", "target_id", "target_type"];
    expect(rows.map((row) => row.entry)).toEqual(
      [
        // Tenants: only under the platform runner (RLS), see above.
        ...columns("tenants", "INSERT", tenantColumns),
        ...columns("tenants", "UPDATE", tenantColumns),
        // Users: never is_operator, password_hash or session_version.
        ...columns("users", "UPDATE", ["email_verified", "name", "updated_at"]),
        ...columns("platform_audit", "INSERT", auditColumns),
      ].sort(),
    );
  });

  it("lists every SECURITY DEFINER function the app role may call", async () => {
    const { rows } = await app.query<{ fn: string }>(
      `SELECT p.oid::regprocedure::text AS fn FROM pg_proc p
        WHERE p.prosecdef AND p.pronamespace = 'public'::regnamespace
          AND has_function_privilege('agent_fabric_app', p.oid, 'EXECUTE')
        ORDER BY 1`,
    );
    expect(rows.map((row) => row.fn)).toEqual(
      [
        "account_end_sessions()",
        "account_password_hash()",
        "account_set_password(text)",
        "auth_credentials(text)",
        "invitation_account(text)",
        "invitation_create_account(text,text,text)",
        "password_reset_complete(text,text)",
        "password_reset_request(text,text,timestamp with time zone)",
        "platform_set_operator(uuid,boolean)",
        "platform_upsert_user(text,text,text,boolean)",
        "prune_expired_events(uuid,timestamp with time zone)",
      ].sort(),
    );
  });
});

describe("each SECURITY DEFINER function refuses without its precondition", () => {
  const hash = "a".repeat(64);

  it("auth_credentials: one exact, normalised address; no patterns, no listing", async () => {
    await inTransaction({}, async () => {
      const exact = await app.query("SELECT user_id FROM auth_credentials($1)", [a.users.owner.email]);
      expect(exact.rows).toEqual([{ user_id: a.users.owner.id }]);
      for (const probe of ["%", "", a.users.owner.email.toUpperCase(), ` ${a.users.owner.email}`, `${a.users.owner.email.slice(0, -1)}_`]) {
        expect((await app.query("SELECT * FROM auth_credentials($1)", [probe])).rowCount).toBe(0);
      }
    });
  });

  it("account_password_hash, account_set_password, account_end_sessions: only in the user's own context", async () => {
    await inTransaction({}, async () => {
      expect(await refused("SELECT account_password_hash()")).toBe(true);
      expect(await refused("SELECT account_set_password($1)", [BCRYPT])).toBe(true);
      expect(await refused("SELECT account_end_sessions()")).toBe(true);
    });
    await inTransaction({ tenantId: a.tenant.id, platform: true }, async () => {
      expect(await refused("SELECT account_end_sessions()")).toBe(true);
    });
  });

  it("password_reset_request: stores nothing for an unknown address; password_reset_complete: nothing without a live token", async () => {
    await inTransaction({}, async () => {
      const unknown = await app.query("SELECT password_reset_request($1, $2, now() + interval '1 hour') AS stored", [
        `${randomUUID()}@nobody.test`,
        hash,
      ]);
      expect(unknown.rows[0].stored).toBe(false);
      const done = await app.query("SELECT password_reset_complete($1, $2) AS user_id", ["b".repeat(64), BCRYPT]);
      expect(done.rows[0].user_id).toBeNull();
    });
  });

  it("invitation_account, invitation_create_account: only with a usable invitation of the current tenant", async () => {
    await inTransaction({ tenantId: a.tenant.id }, async () => {
      expect(await refused("SELECT * FROM invitation_account($1)", [hash])).toBe(true);
      expect(await refused("SELECT invitation_create_account($1, 'Eve', $2)", [hash, BCRYPT])).toBe(true);
    });
  });

  it("platform_upsert_user, platform_set_operator: only under the platform runner", async () => {
    for (const context of [{}, { tenantId: a.tenant.id }, { userId: a.users.owner.id }]) {
      await inTransaction(context, async () => {
        expect(await refused("SELECT platform_upsert_user($1, 'Eve', $2, true)", [`${randomUUID()}@evil.test`, BCRYPT])).toBe(true);
        expect(await refused("SELECT platform_set_operator($1, true)", [a.users.member.id])).toBe(true);
      });
    }
  });
});
