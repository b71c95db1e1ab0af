// whatsapp.send through the gate against a local fake Cloud API: the exact
// request (path, bearer token, body) for text and template messages, the message
// id from messages[0].id, pii-strict holding it, sandbox delivery without a
// credential, API failures recorded as failed with nothing sent, and the check.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCredential } from "@/server/credentials/service";
import { withTenant } from "@/server/db";
import { runGate } from "@/server/gate/pipeline";
import { answer, FakeApi } from "@/server/test/fake-api";
import { callerFor, createTenantFixture, type TTenantFixture, createRun, connectorRecord } from "@/server/test/factories";
import { toolCatalog, type ToolCatalog } from "@/server/tools/catalog";

const TOKEN = "EAAG-planted-whatsapp-token-91c2";
const PHONE_NUMBER_ID = "106540352242922";
let fake: FakeApi;
let catalog: ToolCatalog;

async function tenantWith(options: { packs?: string[]; hasCredential?: boolean } = {}): Promise<TTenantFixture> {
  const fx = await createTenantFixture();
  if (options.packs)
    await withTenant(fx.tenant.id, (db) =>
      db.policyComposition.create({
        data: { tenantId: fx.tenant.id, packs: options.packs!.map((name) => ({ name, version: 1 })), tenantPolicies: "" },
      }),
    );
  if (options.hasCredential !== false)
    await createCredential(fx.tenant.id, fx.users.admin.id, {
      provider: "whatsapp",
      label: "main number",
      fields: { accessToken: TOKEN, phoneNumberId: PHONE_NUMBER_ID },
    });
  return fx;
}

function send(fx: TTenantFixture, runId: string, args: unknown) {
  return runGate({
    tenantId: fx.tenant.id,
    runId,
    principal: { type: "User", id: fx.users.member.id, role: "member" },
    tool: "whatsapp.send",
    args,
  });
}

beforeAll(async () => {
  fake = await FakeApi.start();
  process.env.WHATSAPP_API_BASE_URL = `${fake.origin}/v21.0`;
  catalog = await toolCatalog("saas");
});

afterAll(async () => {
  delete process.env.WHATSAPP_API_BASE_URL;
  await fake.close();
});

const ACCEPTED = {
  messaging_product: "whatsapp",
  contacts: [{ input: "15551234567", wa_id: "15551234567" }],
  messages: [{ id: "wamid.HBgL" }],
};

describe("whatsapp.send", () => {
  it("is registered in saas as an external side effect", () => {
    expect(catalog.get("whatsapp.send")).toMatchObject({ safetyClass: "external_side_effect", capability: "api" });
  });

  it("posts a text message to /{phone-number-id}/messages with the tenant's token and returns the message id", async () => {
    const fx = await tenantWith({ packs: ["baseline"] });
    fake.handle((_, response) => answer(response, 200, ACCEPTED));
    const runId = await createRun(fx);
    const outcome = await send(fx, runId, { to: "+1 555 123 4567", text: "Your order has shipped." });
    expect(outcome).toMatchObject({ status: "executed", result: { delivered: "whatsapp", messageId: "wamid.HBgL", to: "+15551234567" } });
    expect(fake.seen).toHaveLength(1);
    const [request] = fake.seen;
    expect(request).toMatchObject({ method: "POST", url: `/v21.0/${PHONE_NUMBER_ID}/messages` });
    expect(request?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(request?.body ?? "")).toEqual({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: "15551234567",
      type: "text",
      text: { body: "Your order has shipped." },
    });
    // The token is in no event.
    const events = await withTenant(fx.tenant.id, (db) => db.event.findMany({ where: { tenantId: fx.tenant.id } }));
    expect(events.map((event) => event.payload).join("\n")).not.toContain(TOKEN);
    expect((await connectorRecord(fx, runId)).outbox).toEqual([]);
  });

  it("posts a template message with its language and components", async () => {
    const fx = await tenantWith({ packs: ["baseline"] });
    fake.handle((_, response) => answer(response, 200, { messages: [{ id: "wamid.TPL" }] }));
    const template = {
      name: "order_update",
      language: "en_US",
      components: [{ type: "body", parameters: [{ type: "text", text: "A-1042" }] }],
    };
    const outcome = await send(fx, await createRun(fx), { to: "+15551234567", template });
    expect(outcome).toMatchObject({ status: "executed", result: { messageId: "wamid.TPL", type: "template" } });
    expect(JSON.parse(fake.seen[0]?.body ?? "")).toEqual({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: "15551234567",
      type: "template",
      template: { name: "order_update", language: { code: "en_US" }, components: template.components },
    });
  });

  it("is held by pii-strict in the default composition (a phone number leaves the tenant), and nothing is sent", async () => {
    const fx = await tenantWith();
    fake.handle((_, response) => answer(response, 200, ACCEPTED));
    const outcome = await send(fx, await createRun(fx), { to: "+15551234567", text: "hi" });
    expect(outcome).toMatchObject({ status: "held", decision: { policies: [{ id: "pii-strict@v1/outbound-pii" }] } });
    expect(fake.seen).toHaveLength(0);
  });
});

describe("without a WhatsApp credential", () => {
  it("delivers the message to the sandbox outbox, labelled, and calls no API", async () => {
    const fx = await tenantWith({ packs: ["baseline"], hasCredential: false });
    fake.handle((_, response) => answer(response, 200, ACCEPTED));
    const runId = await createRun(fx);
    const outcome = await send(fx, runId, { to: "+15551234567", text: "hello" });
    expect(outcome).toMatchObject({
      status: "executed",
      result: { delivered: "sandbox_outbox", note: expect.stringContaining("sandbox") },
    });
    expect(fake.seen).toHaveLength(0);
    const { outbox } = await connectorRecord(fx, runId);
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({
      tool: "whatsapp.send",
      provider: "whatsapp",
      target: "+15551234567",
      payload: { to: "15551234567", type: "text", text: { body: "hello" } },
    });
  });
});

describe("Cloud API failures", () => {
  const graphError = (message: string, code: number) => ({ error: { message, type: "OAuthException", code, fbtrace_id: "AbC" } });
  const cases: { name: string; respond: Parameters<FakeApi["handle"]>[0]; message: RegExp }[] = [
    {
      name: "a 400 with the Graph API's message",
      respond: (_, response) => answer(response, 400, graphError("(#131030) Recipient phone number not in allowed list", 131030)),
      message: /WhatsApp Cloud API rejected the request \(HTTP 400\): \(#131030\) Recipient phone number not in allowed list/,
    },
    {
      name: "an expired token (401)",
      respond: (_, response) => answer(response, 401, graphError("Error validating access token: Session has expired", 190)),
      message: /refused the tenant's credentials \(HTTP 401\): Error validating access token: Session has expired/,
    },
    {
      name: "a 5xx",
      respond: (_, response) => answer(response, 500, graphError("An unknown error has occurred.", 1)),
      message: /WhatsApp Cloud API failed \(HTTP 500\): An unknown error has occurred\./,
    },
    {
      name: "a 429 with Retry-After",
      respond: (_, response) => answer(response, 429, graphError("(#130429) Rate limit hit", 130429), { "retry-after": "30" }),
      message: /rate limiting this tenant; retry after 30 s: \(#130429\) Rate limit hit/,
    },
    {
      name: "a 200 without a message id",
      respond: (_, response) => answer(response, 200, { messaging_product: "whatsapp" }),
      message: /returned no message id/,
    },
  ];

  for (const item of cases) {
    it(`${item.name} fails the call clearly; nothing is recorded as sent`, async () => {
      const fx = await tenantWith({ packs: ["baseline"] });
      fake.handle(item.respond);
      const runId = await createRun(fx);
      const outcome = await send(fx, runId, { to: "+15551234567", text: "hi" });
      expect(outcome).toMatchObject({ status: "failed", error: expect.stringMatching(item.message) });
      expect(fake.seen).toHaveLength(1);
      const { outbox, results } = await connectorRecord(fx, runId);
      expect(outbox).toEqual([]);
      expect(results).toEqual([{ tool: "whatsapp.send", ok: false, error: expect.stringMatching(item.message) }]);
    });
  }

  it("a timeout fails the call and says the outcome is unknown", async () => {
    const fx = await tenantWith({ packs: ["baseline"] });
    fake.handle(() => undefined);
    process.env.WHATSAPP_API_TIMEOUT_MS = "300";
    try {
      const runId = await createRun(fx);
      const outcome = await send(fx, runId, { to: "+15551234567", text: "hi" });
      expect(outcome).toMatchObject({
        status: "failed",
        error: expect.stringMatching(/did not answer within 300 ms; it is not known whether the call took effect/),
      });
      const { outbox, results } = await connectorRecord(fx, runId);
      expect(outbox).toEqual([]);
      expect(results).toEqual([{ tool: "whatsapp.send", ok: false, error: expect.any(String) }]);
    } finally {
      delete process.env.WHATSAPP_API_TIMEOUT_MS;
    }
  });
});

describe("connection check", () => {
  it("reads the phone number's record with the token, and reports a refused token", async () => {
    const fx = await tenantWith({ packs: ["baseline"], hasCredential: false });
    const admin = callerFor(fx.users.admin);
    const credential = await admin.credential.create({
      tenantSlug: fx.tenant.slug,
      provider: "whatsapp",
      label: "main number",
      fields: { accessToken: TOKEN, phoneNumberId: PHONE_NUMBER_ID },
    });
    fake.handle((_, response) => answer(response, 200, { display_phone_number: "+1 555-010-0000", verified_name: "Acme Support" }));
    expect(await admin.credential.check({ tenantSlug: fx.tenant.slug, credentialId: credential.id })).toEqual({
      isOk: true,
      detail: "Connected to WhatsApp number +1 555-010-0000 (Acme Support).",
    });
    expect(fake.seen).toMatchObject([{ method: "GET", url: `/v21.0/${PHONE_NUMBER_ID}`, headers: { authorization: `Bearer ${TOKEN}` } }]);
    fake.handle((_, response) =>
      answer(response, 401, { error: { message: "Invalid OAuth access token", type: "OAuthException", code: 190 } }),
    );
    expect(await admin.credential.check({ tenantSlug: fx.tenant.slug, credentialId: credential.id })).toEqual({
      isOk: false,
      detail: "The WhatsApp Cloud API refused the tenant's credentials (HTTP 401): Invalid OAuth access token.",
    });
  });
});
