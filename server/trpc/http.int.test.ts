// What a client sees over HTTP: bad input is a 400 with a message naming the
// field; an internal failure is a 500 with a generic message and no stack, SQL
// or internal detail.
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import superjson from "superjson";
import { beforeAll, describe, expect, it } from "vitest";
import type { TSessionUser } from "@/server/auth/users";
import { createTenantFixture, type TTenantFixture } from "@/server/test/factories";
import { createTRPCRouter, publicProcedure } from "./init";
import { appRouter } from "./root";

let fx: TTenantFixture;

beforeAll(async () => {
  fx = await createTenantFixture();
});

async function post(
  router: typeof appRouter | ReturnType<typeof createTRPCRouter>,
  path: string,
  input: unknown,
  user: TSessionUser | null,
) {
  const response = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req: new Request(`http://127.0.0.1/api/trpc/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(superjson.serialize(input)),
    }),
    router,
    createContext: () => ({ user }),
  });
  const body = (await response.json()) as { error?: { json: { message: string; data: Record<string, unknown> } } };
  return { status: response.status, error: body.error?.json };
}

describe("over HTTP", () => {
  it("bad input is a 400 whose message names the field and what it must be", async () => {
    const { status, error } = await post(
      appRouter,
      "member.invite",
      { tenantSlug: fx.tenant.slug, email: "not-an-email", role: "member" },
      fx.users.admin,
    );
    expect(status).toBe(400);
    expect(error?.message).toBe("email: must be an email address");
    expect(JSON.stringify(error)).not.toMatch(/stack|at Object|node_modules/);
  });

  it("an unknown tenant is a 404 and says so", async () => {
    const { status, error } = await post(
      appRouter,
      "member.invite",
      { tenantSlug: "no-such-tenant", email: "a@b.test", role: "member" },
      fx.users.admin,
    );
    expect(status).toBe(404);
    expect(error?.message).toBe("Tenant not found.");
  });

  it("an internal failure is a 500 with a generic message, nothing internal", async () => {
    const failing = createTRPCRouter({
      boom: publicProcedure.mutation(() => {
        throw new Error('duplicate key value violates unique constraint "users_email_key" SELECT password_hash FROM users');
      }),
    });
    const { status, error } = await post(failing, "boom", undefined, null);
    expect(status).toBe(500);
    expect(error?.message).toBe("Something went wrong on our side. It has been logged; please try again.");
    const text = JSON.stringify(error);
    expect(text).not.toMatch(/users_email_key|password_hash|stack|\.ts:/);
  });
});
