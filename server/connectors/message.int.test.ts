// message.send through the gate against local fakes: the signed webhook (the fake
// verifies the HMAC), Slack's incoming webhook, and email through a fake SMTP
// server (credentials, envelope, headers and body as received); failures recorded
// as failed with nothing sent; sandbox delivery; routing on the webhook URL; and
// the connection checks.
import { createHmac, timingSafeEqual } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createCredential } from "@/server/credentials/service";
import { withTenant } from "@/server/db";
import { runGate } from "@/server/gate/pipeline";
import { answer, FakeApi, type TSeenRequest } from "@/server/test/fake-api";
import { FakeSmtp } from "@/server/test/fake-smtp";
import { callerFor, createTenantFixture, type TTenantFixture, createRun, connectorRecord } from "@/server/test/factories";

const SIGNING_SECRET = "whsec_planted_3f9a0c";
let fake: FakeApi;
let smtp: FakeSmtp;

async function tenant(options: { packs?: string[]; tenantPolicies?: string } = {}): Promise<TTenantFixture> {
  const fx = await createTenantFixture();
  await withTenant(fx.tenant.id, (db) =>
    db.policyComposition.create({
      data: {
        tenantId: fx.tenant.id,
        packs: (options.packs ?? ["baseline"]).map((name) => ({ name, version: 1 })),
        tenantPolicies: options.tenantPolicies ?? "",
      },
    }),
  );
  return fx;
}

const webhookCredential = (fx: TTenantFixture, url = `${fake.origin}/hooks/agent`) =>
  createCredential(fx.tenant.id, fx.users.admin.id, { provider: "webhook", label: "ops", fields: { url, signingSecret: SIGNING_SECRET } });
const slackCredential = (fx: TTenantFixture) =>
  createCredential(fx.tenant.id, fx.users.admin.id, {
    provider: "slack",
    label: "#deploys",
    fields: { webhookUrl: `${fake.origin}/services/T000/B000/XXXXXXXX` },
  });
const smtpCredential = (fx: TTenantFixture, password = "mail-pass") =>
  createCredential(fx.tenant.id, fx.users.admin.id, {
    provider: "smtp",
    label: "mail",
    fields: { host: "127.0.0.1", port: String(smtp.port), username: "mailer", password, from: "Agent <agent@acme.test>" },
  });

function send(fx: TTenantFixture, runId: string, args: unknown) {
  return runGate({
    tenantId: fx.tenant.id,
    runId,
    principal: { type: "User", id: fx.users.member.id, role: "member" },
    tool: "message.send",
    args,
  });
}

/** What a receiver does (docs/messaging.md): recompute the HMAC over timestamp.body and compare in constant time. */
function isSignedBy(secret: string, request: TSeenRequest): boolean {
  const timestamp = String(request.headers["x-fabric-timestamp"] ?? "");
  const given = String(request.headers["x-fabric-signature"] ?? "");
  const expected = `sha256=${createHmac("sha256", secret).update(`${timestamp}.${request.body}`).digest("hex")}`;
  const isFresh = Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
  return isFresh && given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

beforeAll(async () => {
  [fake, smtp] = await Promise.all([FakeApi.start(), FakeSmtp.start()]);
});

afterAll(async () => {
  await Promise.all([fake.close(), smtp.close()]);
});

// The fakes listen on 127.0.0.1, which the SSRF guard refuses unless exempted.
beforeEach(() => {
  process.env.SSRF_ALLOW_ADDRESSES = "127.0.0.1";
  smtp.reset();
});
afterEach(() => {
  delete process.env.SSRF_ALLOW_ADDRESSES;
  delete process.env.SMTP_ALLOW_INSECURE_LOCAL;
});

describe("message.send to the tenant's webhook", () => {
  it("posts the signed JSON body; the receiver's verification accepts it", async () => {
    const fx = await tenant();
    await webhookCredential(fx);
    fake.handle((request, response) => answer(response, isSignedBy(SIGNING_SECRET, request) ? 200 : 401, { ok: true }));
    const outcome = await send(fx, await createRun(fx), { channel: "webhook", to: "ops", subject: "Deploy", text: "v2 is live" });
    expect(outcome).toMatchObject({ status: "executed", result: { delivered: "webhook", status: 200, to: "ops" } });
    expect(fake.seen).toHaveLength(1);
    const [request] = fake.seen;
    expect(request).toMatchObject({ method: "POST", url: "/hooks/agent" });
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.headers["x-fabric-signature"]).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(request?.headers["x-fabric-delivery"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(request?.body ?? "")).toEqual({
      text: "v2 is live",
      subject: "Deploy",
      to: "ops",
      tenant: fx.tenant.slug,
      sentAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    // A receiver with another secret, or a body changed in transit, refuses it.
    expect(isSignedBy("another-secret", request!)).toBe(false);
    expect(isSignedBy(SIGNING_SECRET, { ...request!, body: request!.body.replace("v2", "v3") })).toBe(false);
  });

  it("refuses a webhook URL on a private address when it is not exempted (SSRF guard), and sends nothing", async () => {
    const fx = await tenant();
    await webhookCredential(fx);
    delete process.env.SSRF_ALLOW_ADDRESSES;
    fake.handle((_, response) => answer(response, 200, {}));
    const runId = await createRun(fx);
    const outcome = await send(fx, runId, { channel: "webhook", text: "hi" });
    expect(outcome).toMatchObject({
      status: "failed",
      error: expect.stringMatching(/webhook endpoint is not allowed: Refused: 127\.0\.0\.1 is a loopback/),
    });
    expect(fake.seen).toHaveLength(0);
    expect((await connectorRecord(fx, runId)).outbox).toEqual([]);
  });

  it("lets policies route on the webhook's URL", async () => {
    const fx = await tenant({
      tenantPolicies:
        '@id("no-collectors") forbid (principal, action == Action::"message.send", resource) when { context has url && context.url like "*collect*" };',
    });
    await webhookCredential(fx, `${fake.origin}/collect`);
    fake.handle((_, response) => answer(response, 200, {}));
    const outcome = await send(fx, await createRun(fx), { channel: "webhook", text: "hi" });
    expect(outcome).toMatchObject({
      status: "denied",
      decision: { step: "policy", policies: [{ id: expect.stringMatching(/no-collectors$/) }] },
    });
    expect(fake.seen).toHaveLength(0);
  });
});

describe("message.send to Slack", () => {
  it("posts { text } to the incoming webhook, the subject as a bold first line", async () => {
    const fx = await tenant();
    await slackCredential(fx);
    fake.handle((_, response) => {
      response.writeHead(200, { "content-type": "text/plain" });
      response.end("ok");
    });
    const outcome = await send(fx, await createRun(fx), { channel: "slack", subject: "Deploy", text: "v2 is live" });
    expect(outcome).toMatchObject({ status: "executed", result: { delivered: "slack", status: 200 } });
    expect(fake.seen).toMatchObject([
      { method: "POST", url: "/services/T000/B000/XXXXXXXX", headers: { "content-type": "application/json" } },
    ]);
    expect(JSON.parse(fake.seen[0]?.body ?? "")).toEqual({ text: "*Deploy*\nv2 is live" });
  });

  it("surfaces Slack's own error text", async () => {
    const fx = await tenant();
    await slackCredential(fx);
    fake.handle((_, response) => {
      response.writeHead(404, { "content-type": "text/plain" });
      response.end("no_service");
    });
    const runId = await createRun(fx);
    const outcome = await send(fx, runId, { channel: "slack", text: "hi" });
    expect(outcome).toMatchObject({ status: "failed", error: "Slack rejected the message (HTTP 404): no_service." });
    expect((await connectorRecord(fx, runId)).outbox).toEqual([]);
  });
});

describe("message.send by email", () => {
  it("sends through the tenant's SMTP server: AUTH, envelope, headers and body as given", async () => {
    const fx = await tenant();
    await smtpCredential(fx);
    process.env.SMTP_ALLOW_INSECURE_LOCAL = "1";
    const outcome = await send(fx, await createRun(fx), {
      channel: "email",
      to: "ana@example.com",
      subject: "Quarterly report",
      text: "The report is ready.\n.\nSee the portal.",
    });
    expect(outcome).toMatchObject({
      status: "executed",
      result: { delivered: "email", to: "ana@example.com", accepted: ["ana@example.com"] },
    });
    expect(smtp.messages).toHaveLength(1);
    const [session] = smtp.messages;
    expect(session?.auth).toMatchObject({ username: "mailer", password: "mail-pass", isAccepted: true });
    expect(session?.from).toBe("agent@acme.test");
    expect(session?.to).toEqual(["ana@example.com"]);
    const [headers = "", body = ""] = session?.data?.split("\r\n\r\n") ?? [];
    expect(headers).toMatch(/^From: Agent <agent@acme\.test>$/m);
    expect(headers).toMatch(/^To: ana@example\.com$/m);
    expect(headers).toMatch(/^Subject: Quarterly report$/m);
    expect(body.trim()).toBe("The report is ready.\r\n.\r\nSee the portal.");
  });

  it("is held by pii-strict when the composition has it (the address is personal data), and nothing is sent", async () => {
    const fx = await tenant({ packs: ["baseline", "pii-strict"] });
    await smtpCredential(fx);
    process.env.SMTP_ALLOW_INSECURE_LOCAL = "1";
    const outcome = await send(fx, await createRun(fx), { channel: "email", to: "ana@example.com", text: "hi" });
    expect(outcome).toMatchObject({ status: "held", decision: { policies: [{ id: "pii-strict@v1/outbound-pii" }] } });
    expect(smtp.sessions).toHaveLength(0);
  });

  it("a refused login fails the call clearly; nothing is recorded as sent", async () => {
    const fx = await tenant();
    await smtpCredential(fx, "wrong-password");
    process.env.SMTP_ALLOW_INSECURE_LOCAL = "1";
    const runId = await createRun(fx);
    const outcome = await send(fx, runId, { channel: "email", to: "ana@example.com", text: "hi" });
    expect(outcome).toMatchObject({
      status: "failed",
      error: expect.stringMatching(/SMTP server 127\.0\.0\.1 refused the tenant's username or password: 535 5\.7\.8/),
    });
    expect(smtp.messages).toHaveLength(0);
    const { outbox, results } = await connectorRecord(fx, runId);
    expect(outbox).toEqual([]);
    expect(results).toEqual([{ tool: "message.send", ok: false, error: expect.stringMatching(/refused the tenant's username/) }]);
  });

  it("insists on TLS unless the insecure local test switch is on: the password is never sent in clear", async () => {
    const fx = await tenant();
    await smtpCredential(fx);
    const outcome = await send(fx, await createRun(fx), { channel: "email", to: "ana@example.com", text: "hi" });
    expect(outcome).toMatchObject({ status: "failed", error: expect.stringMatching(/did not set up TLS \(STARTTLS\); nothing was sent/) });
    expect(smtp.sessions.flatMap((session) => session.commands)).toContain("STARTTLS");
    expect(smtp.sessions.every((session) => session.auth === null && session.data === null)).toBe(true);
  });

  it("refuses an SMTP host on a private address when it is not exempted", async () => {
    const fx = await tenant();
    await smtpCredential(fx);
    process.env.SMTP_ALLOW_INSECURE_LOCAL = "1";
    delete process.env.SSRF_ALLOW_ADDRESSES;
    const outcome = await send(fx, await createRun(fx), { channel: "email", to: "ana@example.com", text: "hi" });
    expect(outcome).toMatchObject({ status: "failed", error: expect.stringMatching(/SMTP server "127\.0\.0\.1" is not allowed/) });
    expect(smtp.sessions).toHaveLength(0);
  });
});

describe("webhook failures", () => {
  const cases: { name: string; respond: Parameters<FakeApi["handle"]>[0]; message: RegExp }[] = [
    {
      name: "a 4xx with the receiver's reason",
      respond: (_, response) => answer(response, 422, { error: "unknown recipient" }),
      message: /webhook endpoint rejected the message \(HTTP 422\): \{"error":"unknown recipient"\}/,
    },
    {
      name: "a 401 from the receiver",
      respond: (_, response) => answer(response, 401, { error: "bad signature" }),
      message: /webhook endpoint refused the delivery \(HTTP 401\)/,
    },
    {
      name: "a 5xx",
      respond: (_, response) => answer(response, 502, { error: "upstream down" }),
      message: /webhook endpoint failed \(HTTP 502\)/,
    },
    {
      name: "a 429 with Retry-After",
      respond: (_, response) => answer(response, 429, { error: "slow down" }, { "retry-after": "12" }),
      message: /webhook endpoint is rate limiting; retry after 12 s/,
    },
    {
      name: "a redirect",
      respond: (_, response) => answer(response, 307, {}, { location: "http://127.0.0.1:1/elsewhere" }),
      message: /answered with a redirect \(HTTP 307\); deliveries do not follow redirects/,
    },
  ];

  for (const item of cases) {
    it(`${item.name} fails the call clearly; nothing is recorded as sent`, async () => {
      const fx = await tenant();
      await webhookCredential(fx);
      fake.handle(item.respond);
      const runId = await createRun(fx);
      const outcome = await send(fx, runId, { channel: "webhook", text: "hi" });
      expect(outcome).toMatchObject({ status: "failed", error: expect.stringMatching(item.message) });
      expect(fake.seen).toHaveLength(1);
      const { outbox, results } = await connectorRecord(fx, runId);
      expect(outbox).toEqual([]);
      expect(results).toEqual([{ tool: "message.send", ok: false, error: expect.stringMatching(item.message) }]);
    });
  }

  it("a timeout fails the call and says the outcome is unknown", async () => {
    const fx = await tenant();
    await webhookCredential(fx);
    fake.handle(() => undefined);
    process.env.MESSAGE_TIMEOUT_MS = "300";
    try {
      const runId = await createRun(fx);
      const outcome = await send(fx, runId, { channel: "webhook", text: "hi" });
      expect(outcome).toMatchObject({
        status: "failed",
        error: expect.stringMatching(/did not answer within 300 ms\. It is not known whether the message arrived/),
      });
      const { outbox, results } = await connectorRecord(fx, runId);
      expect(outbox).toEqual([]);
      expect(results).toEqual([{ tool: "message.send", ok: false, error: expect.any(String) }]);
    } finally {
      delete process.env.MESSAGE_TIMEOUT_MS;
    }
  });
});

describe("without a credential for the channel", () => {
  it("delivers each channel's message to the sandbox outbox, labelled, and reaches nothing", async () => {
    const fx = await tenant();
    fake.handle((_, response) => answer(response, 200, {}));
    const runId = await createRun(fx);
    for (const args of [
      { channel: "webhook", to: "ops", text: "one" },
      { channel: "slack", text: "two" },
      { channel: "email", to: "ana@example.com", subject: "Three", text: "three" },
    ]) {
      const outcome = await send(fx, runId, args);
      expect(outcome).toMatchObject({
        status: "executed",
        result: { delivered: "sandbox_outbox", note: expect.stringContaining("sandbox") },
      });
    }
    expect(fake.seen).toHaveLength(0);
    expect(smtp.sessions).toHaveLength(0);
    const { outbox } = await connectorRecord(fx, runId);
    expect(outbox.map((row) => [row.provider, row.target, row.payload]).sort()).toEqual(
      [
        ["webhook", "ops", { channel: "webhook", to: "ops", text: "one" }],
        ["slack", "slack", { channel: "slack", text: "two" }],
        ["smtp", "ana@example.com", { channel: "email", to: "ana@example.com", subject: "Three", text: "three" }],
      ].sort(),
    );
  });
});

describe("connection checks", () => {
  it("webhook: a signed ping the receiver can verify; a failing endpoint is reported", async () => {
    const fx = await tenant();
    const credential = await webhookCredential(fx);
    const admin = callerFor(fx.users.admin);
    fake.handle((request, response) => answer(response, isSignedBy(SIGNING_SECRET, request) ? 204 : 401, {}));
    expect(await admin.credential.check({ tenantSlug: fx.tenant.slug, credentialId: credential.id })).toEqual({
      isOk: true,
      detail: "The endpoint accepted a signed ping (HTTP 204).",
    });
    expect(fake.seen).toMatchObject([{ method: "POST", url: "/hooks/agent", body: '{"type":"ping"}' }]);
    fake.handle((_, response) => answer(response, 500, { error: "down" }));
    expect(await admin.credential.check({ tenantSlug: fx.tenant.slug, credentialId: credential.id })).toMatchObject({
      isOk: false,
      detail: expect.stringMatching(/webhook endpoint failed \(HTTP 500\)/),
    });
  });

  it("slack: checks the URL's shape and posts nothing", async () => {
    const fx = await tenant();
    const admin = callerFor(fx.users.admin);
    const real = await createCredential(fx.tenant.id, fx.users.admin.id, {
      provider: "slack",
      label: "real",
      fields: { webhookUrl: "https://hooks.slack.com/services/T0001/B0001/abcdefABCDEF123456" },
    });
    const other = await slackCredential(fx);
    fake.handle((_, response) => answer(response, 200, {}));
    expect(await admin.credential.check({ tenantSlug: fx.tenant.slug, credentialId: real.id })).toMatchObject({
      isOk: true,
      detail: expect.stringMatching(/shape of a Slack incoming webhook.*Nothing was posted/),
    });
    expect(await admin.credential.check({ tenantSlug: fx.tenant.slug, credentialId: other.id })).toMatchObject({
      isOk: false,
      detail: expect.stringMatching(/not a Slack incoming-webhook URL/),
    });
    expect(fake.seen).toHaveLength(0);
  });

  it("smtp: logs in and sends nothing; a wrong password is reported", async () => {
    const fx = await tenant();
    process.env.SMTP_ALLOW_INSECURE_LOCAL = "1";
    const admin = callerFor(fx.users.admin);
    const good = await smtpCredential(fx);
    expect(await admin.credential.check({ tenantSlug: fx.tenant.slug, credentialId: good.id })).toEqual({
      isOk: true,
      detail: "Logged in to 127.0.0.1:" + smtp.port + " as mailer; no message was sent.",
    });
    expect(smtp.sessions.map((session) => session.auth?.isAccepted)).toEqual([true]);
    expect(smtp.messages).toHaveLength(0);
    const bad = await createCredential(fx.tenant.id, fx.users.admin.id, {
      provider: "smtp",
      label: "bad",
      fields: { host: "127.0.0.1", port: String(smtp.port), username: "mailer", password: "nope", from: "agent@acme.test" },
    });
    expect(await admin.credential.check({ tenantSlug: fx.tenant.slug, credentialId: bad.id })).toMatchObject({
      isOk: false,
      detail: expect.stringMatching(/refused the tenant's username or password/),
    });
  });
});
