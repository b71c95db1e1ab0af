// payments.transfer through the gate against a local fake payments API: the exact
// request (key, idempotency key, body), treasury routing on amount and known
// counterparties, sandbox delivery without a credential, and API failures that
// the gate records as failed with nothing sent.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCredential } from "@/server/credentials/service";
import { withTenant } from "@/server/db";
import { callDigest, runGate } from "@/server/gate/pipeline";
import { answer, FakeApi } from "@/server/test/fake-api";
import { callerFor, createTenantFixture, type TTenantFixture, createRun, connectorRecord } from "@/server/test/factories";
import { toolCatalog, type ToolCatalog } from "@/server/tools/catalog";

const API_KEY = "pay_live_planted_5b7e91";
let fake: FakeApi;
let catalog: ToolCatalog;

async function tenantWith(options: { packs: string[]; knownCounterparties?: string; hasCredential?: boolean }): Promise<TTenantFixture> {
  const fx = await createTenantFixture();
  await withTenant(fx.tenant.id, (db) =>
    db.policyComposition.create({
      data: { tenantId: fx.tenant.id, packs: options.packs.map((name) => ({ name, version: 1 })), tenantPolicies: "" },
    }),
  );
  if (options.hasCredential !== false)
    await createCredential(fx.tenant.id, fx.users.admin.id, {
      provider: "payments",
      label: "bank",
      fields: { apiKey: API_KEY, ...(options.knownCounterparties ? { knownCounterparties: options.knownCounterparties } : {}) },
    });
  return fx;
}

function transfer(fx: TTenantFixture, runId: string, args: unknown) {
  return runGate({
    tenantId: fx.tenant.id,
    runId,
    principal: { type: "User", id: fx.users.member.id, role: "member" },
    tool: "payments.transfer",
    args,
  });
}

beforeAll(async () => {
  fake = await FakeApi.start();
  process.env.PAYMENTS_API_BASE_URL = `${fake.origin}/v1`;
  catalog = await toolCatalog("saas");
});

afterAll(async () => {
  delete process.env.PAYMENTS_API_BASE_URL;
  await fake.close();
});

describe("payments.transfer", () => {
  it("is registered in saas as a financial api tool", () => {
    expect(catalog.get("payments.transfer")).toMatchObject({ safetyClass: "financial", capability: "api" });
  });

  it("posts the exact transfer with the tenant's key and an idempotency key bound to run, tool and arguments", async () => {
    const fx = await tenantWith({ packs: ["baseline", "treasury"], knownCounterparties: "Acme GmbH, Globex" });
    fake.handle((_, response) => answer(response, 201, { id: "tr_123", status: "pending" }));
    const runId = await createRun(fx);
    const args = { amount: 5000, currency: "EUR", counterparty: "acme gmbh", reference: "Invoice 42" };
    const outcome = await transfer(fx, runId, args);
    expect(outcome).toMatchObject({ status: "executed", result: { transferId: "tr_123", status: "pending" } });
    expect(fake.seen).toHaveLength(1);
    const [request] = fake.seen;
    expect(request).toMatchObject({ method: "POST", url: "/v1/transfers" });
    expect(request?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.headers["idempotency-key"]).toBe(callDigest({ runId, tool: "payments.transfer", args }));
    expect(JSON.parse(request?.body ?? "")).toEqual({ amount: 5000, currency: "EUR", counterparty: "acme gmbh", reference: "Invoice 42" });
    // The key never reaches the event log.
    const stored = await withTenant(fx.tenant.id, (db) => db.event.findMany({ where: { tenantId: fx.tenant.id } }));
    expect(stored.map((event) => event.payload).join("\n")).not.toContain(API_KEY);
  });

  it("sends the same idempotency key when the same call is retried, and another for other arguments", async () => {
    const fx = await tenantWith({ packs: ["baseline", "treasury"], knownCounterparties: "Globex" });
    fake.handle((request, response) => answer(response, 200, { transferId: `tr_${request.headers["idempotency-key"]}`, status: "done" }));
    const runId = await createRun(fx);
    const first = await transfer(fx, runId, { amount: 1200, currency: "USD", counterparty: "Globex" });
    const retry = await transfer(fx, runId, { amount: 1200, currency: "USD", counterparty: "Globex" });
    const other = await transfer(fx, runId, { amount: 1300, currency: "USD", counterparty: "Globex" });
    const keys = fake.seen.map((request) => request.headers["idempotency-key"]);
    expect(keys[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).not.toBe(keys[0]);
    expect(first).toMatchObject({ status: "executed" });
    expect(retry).toMatchObject({ status: "executed", result: (first as { result: unknown }).result });
    expect(other).toMatchObject({ status: "executed" });
  });
});

describe("treasury routing (baseline + treasury)", () => {
  it("executes 50.00 to a known counterparty, holds 5,000.00 and any amount to an unknown counterparty", async () => {
    const fx = await tenantWith({ packs: ["baseline", "treasury"], knownCounterparties: " Acme GmbH ,Globex" });
    fake.handle((_, response) => answer(response, 201, { id: "tr_small", status: "pending" }));
    const small = await transfer(fx, await createRun(fx), { amount: 5000, currency: "EUR", counterparty: "  ACME gmbh " });
    expect(small).toMatchObject({ status: "executed", result: { transferId: "tr_small" } });
    expect(fake.seen).toHaveLength(1);

    fake.handle((_, response) => answer(response, 201, { id: "tr_never", status: "pending" }));
    const large = await transfer(fx, await createRun(fx), { amount: 500_000, currency: "EUR", counterparty: "Acme GmbH" });
    expect(large).toMatchObject({ status: "held", decision: { step: "approval", policies: [{ id: "treasury@v1/large-transfer" }] } });
    const unknown = await transfer(fx, await createRun(fx), { amount: 1000, currency: "EUR", counterparty: "Unknown Shell Ltd" });
    expect(unknown).toMatchObject({
      status: "held",
      decision: { step: "approval", policies: [{ id: "treasury@v1/unknown-counterparty" }] },
    });
    expect(fake.seen).toHaveLength(0);
    const requests = await withTenant(fx.tenant.id, (db) => db.approvalRequest.findMany({ where: { tenantId: fx.tenant.id } }));
    expect(requests.map((request) => request.tool)).toEqual(["payments.transfer", "payments.transfer"]);
  });

  it("treats every counterparty as unknown when the tenant has no payments credential", async () => {
    const fx = await tenantWith({ packs: ["baseline", "treasury"], hasCredential: false });
    const outcome = await transfer(fx, await createRun(fx), { amount: 100, currency: "EUR", counterparty: "Acme GmbH" });
    expect(outcome).toMatchObject({ status: "held", decision: { policies: [{ id: "treasury@v1/unknown-counterparty" }] } });
  });

  it("refuses amounts that are not positive whole minor units below the cap, and currencies that are not ISO codes", async () => {
    const fx = await tenantWith({ packs: ["baseline"] });
    fake.handle((_, response) => answer(response, 201, { id: "tr_never", status: "pending" }));
    for (const args of [
      { amount: 50.5, currency: "EUR", counterparty: "Acme" },
      { amount: 0, currency: "EUR", counterparty: "Acme" },
      { amount: 2_000_000_000, currency: "EUR", counterparty: "Acme" },
      { amount: 100, currency: "eur", counterparty: "Acme" },
      { amount: 100, currency: "EUR", counterparty: "Acme", tenantId: fx.tenant.id },
    ])
      expect(await transfer(fx, await createRun(fx), args)).toMatchObject({ status: "denied", decision: { step: "registry" } });
    expect(fake.seen).toHaveLength(0);
  });
});

describe("without a payments credential", () => {
  it("delivers the transfer to the sandbox outbox, labelled, and calls no API", async () => {
    const fx = await tenantWith({ packs: ["baseline"], hasCredential: false });
    fake.handle((_, response) => answer(response, 201, { id: "tr_never", status: "pending" }));
    const runId = await createRun(fx);
    const args = { amount: 700, currency: "GBP", counterparty: "Initech" };
    const outcome = await transfer(fx, runId, args);
    expect(outcome).toMatchObject({
      status: "executed",
      result: { delivered: "sandbox_outbox", note: expect.stringContaining("sandbox") },
    });
    expect(fake.seen).toHaveLength(0);
    const { outbox } = await connectorRecord(fx, runId);
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({
      tool: "payments.transfer",
      provider: "payments",
      target: "Initech",
      payload: { ...args, idempotencyKey: callDigest({ runId, tool: "payments.transfer", args }) },
    });
  });
});

describe("API failures", () => {
  const cases: { name: string; respond: (response: Parameters<Parameters<FakeApi["handle"]>[0]>[1]) => void; message: RegExp }[] = [
    {
      name: "a 4xx with the provider's reason",
      respond: (response) => answer(response, 422, { error: { code: 422, message: "insufficient funds", status: "FAILED_PRECONDITION" } }),
      message: /payments API rejected the request \(HTTP 422\): insufficient funds/,
    },
    {
      name: "a revoked key (401)",
      respond: (response) => answer(response, 401, { error: { message: "invalid api key" } }),
      message: /refused the tenant's credentials \(HTTP 401\): invalid api key/,
    },
    {
      name: "a 5xx",
      respond: (response) => answer(response, 503, { error: { message: "maintenance" } }),
      message: /payments API failed \(HTTP 503\): maintenance/,
    },
    {
      name: "a 429 with Retry-After",
      respond: (response) => answer(response, 429, { error: { message: "slow down" } }, { "retry-after": "7" }),
      message: /rate limiting this tenant; retry after 7 s: slow down/,
    },
    {
      name: "a 2xx without a transfer id",
      respond: (response) => answer(response, 200, { ok: true }),
      message: /did not answer with a transfer id and status: check with the provider before retrying/,
    },
  ];

  for (const item of cases) {
    it(`${item.name} fails the call clearly; nothing is recorded as sent`, async () => {
      const fx = await tenantWith({ packs: ["baseline", "treasury"], knownCounterparties: "Acme" });
      fake.handle((_, response) => item.respond(response));
      const runId = await createRun(fx);
      const outcome = await transfer(fx, runId, { amount: 100, currency: "EUR", counterparty: "Acme" });
      expect(outcome).toMatchObject({ status: "failed", error: expect.stringMatching(item.message) });
      expect(fake.seen).toHaveLength(1);
      const { outbox, results } = await connectorRecord(fx, runId);
      expect(outbox).toEqual([]);
      expect(results).toEqual([{ tool: "payments.transfer", ok: false, error: expect.stringMatching(item.message) }]);
    });
  }

  it("a timeout fails the call and says the outcome is unknown", async () => {
    const fx = await tenantWith({ packs: ["baseline", "treasury"], knownCounterparties: "Acme" });
    fake.handle(() => undefined);
    process.env.PAYMENTS_API_TIMEOUT_MS = "300";
    try {
      const runId = await createRun(fx);
      const outcome = await transfer(fx, runId, { amount: 100, currency: "EUR", counterparty: "Acme" });
      expect(outcome).toMatchObject({
        status: "failed",
        error: expect.stringMatching(/did not answer within 300 ms; it is not known whether the call took effect/),
      });
      const { outbox, results } = await connectorRecord(fx, runId);
      expect(outbox).toEqual([]);
      expect(results[0]).toMatchObject({ ok: false });
    } finally {
      delete process.env.PAYMENTS_API_TIMEOUT_MS;
    }
  });
});

describe("connection check", () => {
  it("calls GET /account with the key, and reports a refused key", async () => {
    const fx = await tenantWith({ packs: ["baseline"], hasCredential: false });
    const admin = callerFor(fx.users.admin);
    const credential = await admin.credential.create({
      tenantSlug: fx.tenant.slug,
      provider: "payments",
      label: "bank",
      fields: { apiKey: API_KEY },
    });
    fake.handle((_, response) => answer(response, 200, { id: "acct_1", name: "Acme Treasury" }));
    expect(await admin.credential.check({ tenantSlug: fx.tenant.slug, credentialId: credential.id })).toEqual({
      isOk: true,
      detail: "The payments API accepted the key (account Acme Treasury).",
    });
    expect(fake.seen).toMatchObject([{ method: "GET", url: "/v1/account", headers: { authorization: `Bearer ${API_KEY}` } }]);
    fake.handle((_, response) => answer(response, 401, { error: { message: "invalid api key" } }));
    expect(await admin.credential.check({ tenantSlug: fx.tenant.slug, credentialId: credential.id })).toEqual({
      isOk: false,
      detail: "The payments API refused the tenant's credentials (HTTP 401): invalid api key.",
    });
  });
});
