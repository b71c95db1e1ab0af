// Planted secrets never come out: not in API answers, log lines, events, exports,
// audit entries or the outbox, even when the service behind a connector echoes
// the token in its error or a secret is a URL.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { withTenant } from "@/server/db";
import { exportLines } from "@/server/events/export";
import { runGate } from "@/server/gate/pipeline";
import { logger } from "@/server/logger";
import { answer, FakeApi } from "@/server/test/fake-api";
import { callerFor, createRun, createTenantFixture, type TTenantFixture } from "@/server/test/factories";

const PLANTED = {
  whatsappToken: "PLANTED-wa-token-7c1d",
  whatsappAppSecret: "PLANTED-wa-appsecret-2b9e",
  hookSecret: "PLANTED-hook-secret-5a0f",
  slackPath: "PLANTED-slack-path-81e3",
  paymentsKey: "PLANTED-pay-key-44d2",
  sheetsToken: "PLANTED-sheets-token-9f07",
  braveKey: "PLANTED-brave-key-30aa",
};

let fake: FakeApi;
let fx: TTenantFixture;
const logged: string[] = [];
const answered: unknown[] = [];

function json(value: unknown): string {
  return JSON.stringify(value, (_, item: unknown) => (typeof item === "bigint" ? item.toString() : item));
}

beforeAll(async () => {
  fake = await FakeApi.start();
  // A hostile or careless service: every error echoes the credentials it was sent.
  fake.handle((request, response) =>
    answer(response, request.url.includes("/account") ? 401 : 500, {
      error: {
        message: `bad credentials: ${request.headers.authorization ?? ""} ${request.headers["x-subscription-token"] ?? ""} ${request.url}`,
      },
    }),
  );
  process.env.WHATSAPP_API_BASE_URL = `${fake.origin}/v21.0`;
  process.env.PAYMENTS_API_BASE_URL = `${fake.origin}/v1`;
  process.env.SHEETS_API_BASE_URL = `${fake.origin}/v4`;
  process.env.BRAVE_SEARCH_BASE_URL = `${fake.origin}/brave`;
  process.env.SSRF_ALLOW_ADDRESSES = "127.0.0.1";
  fx = await createTenantFixture();
  const admin = callerFor(fx.users.admin);
  const tenantSlug = fx.tenant.slug;
  const add = async (provider: string, fields: Record<string, string>) =>
    answered.push(await admin.credential.create({ tenantSlug, provider: provider as "webhook", label: provider, fields }));
  await add("whatsapp", { accessToken: PLANTED.whatsappToken, phoneNumberId: "1555000", appSecret: PLANTED.whatsappAppSecret });
  await add("webhook", { url: `${fake.origin}/hook`, signingSecret: PLANTED.hookSecret });
  await add("slack", { webhookUrl: `${fake.origin}/services/T0/B0/${PLANTED.slackPath}` });
  await add("payments", { apiKey: PLANTED.paymentsKey, knownCounterparties: "Northwind" });
  await add("google_sheets", { accessToken: PLANTED.sheetsToken });
  await add("web_search", { engine: "brave", apiKey: PLANTED.braveKey });
});

afterAll(async () => {
  delete process.env.SSRF_ALLOW_ADDRESSES;
  await fake.close();
});

describe("planted secrets", () => {
  it("never appear in answers, logs, events, exports, audit or outbox, whatever the services answer", async () => {
    const previousLevel = logger.level;
    logger.level = "trace";
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      logged.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      return true;
    });
    try {
      // Every connector, through the gate, against a service that echoes what it got.
      const calls: [string, unknown][] = [
        ["whatsapp.send", { to: "+15550001111", text: "hello" }],
        ["message.send", { channel: "webhook", text: "hello" }],
        ["message.send", { channel: "slack", text: "hello" }],
        ["payments.transfer", { amount: 500, currency: "EUR", counterparty: "Northwind" }],
        ["sheets.read", { spreadsheetId: "sheet-1234567890", range: "A1:B2" }],
        ["web.search", { query: "agent fabric" }],
      ];
      // A composition that holds nothing, so every call reaches its service.
      await withTenant(fx.tenant.id, (db) =>
        db.policyComposition.upsert({
          where: { tenantId: fx.tenant.id },
          create: { tenantId: fx.tenant.id, packs: [{ name: "baseline", version: 1 }] },
          update: { packs: [{ name: "baseline", version: 1 }], tenantPolicies: "" },
        }),
      );
      for (const [tool, args] of calls) {
        const outcome = await runGate({
          tenantId: fx.tenant.id,
          runId: await createRun(fx),
          principal: { type: "User", id: fx.users.member.id, role: "member" },
          tool,
          args,
        });
        answered.push(outcome);
        expect({ tool, status: outcome.status }).toEqual({ tool, status: "failed" });
      }
      expect(fake.seen.length).toBeGreaterThanOrEqual(calls.length);
      // The services did get the secrets (so there was something to leak).
      expect(json(fake.seen)).toContain(PLANTED.whatsappToken);
      expect(json(fake.seen)).toContain(PLANTED.paymentsKey);

      // Connection checks, whose failures are shown to the admin.
      const admin = callerFor(fx.users.admin);
      for (const credential of await admin.credential.list({ tenantSlug: fx.tenant.slug })) {
        answered.push(await admin.credential.check({ tenantSlug: fx.tenant.slug, credentialId: credential.id }));
      }
      answered.push(await admin.credential.list({ tenantSlug: fx.tenant.slug }));
      answered.push(await admin.audit.list({ tenantSlug: fx.tenant.slug, limit: 100 }));
      answered.push(await callerFor(fx.users.member).outbox.list({ tenantSlug: fx.tenant.slug, limit: 100 }));
      logger.error({ err: new Error("a failure with a credential object"), credential: { accessToken: PLANTED.sheetsToken } }, "test line");
    } finally {
      spy.mockRestore();
      logger.level = previousLevel;
    }

    let exported = "";
    for await (const line of exportLines({ id: fx.tenant.id, slug: fx.tenant.slug }, {})) exported += line;
    const stored = await withTenant(fx.tenant.id, async (db) =>
      json([
        await db.event.findMany({ where: { tenantId: fx.tenant.id } }),
        await db.auditLog.findMany({ where: { tenantId: fx.tenant.id } }),
        await db.outboxMessage.findMany({ where: { tenantId: fx.tenant.id } }),
        await db.credential.findMany({ where: { tenantId: fx.tenant.id } }),
      ]),
    );
    expect(logged.join("").length).toBeGreaterThan(0);
    expect(exported).toContain("tool.result");
    for (const [name, secret] of Object.entries(PLANTED)) {
      for (const [where, text] of Object.entries({ answers: json(answered), logs: logged.join(""), events: stored, export: exported })) {
        expect({ secret: name, where, found: text.includes(secret) }).toEqual({ secret: name, where, found: false });
      }
    }
    // The errors still say what went wrong, with the secret replaced.
    expect(json(answered)).toContain("[secret]");
  });
});
