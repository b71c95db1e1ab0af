// The inbound WhatsApp webhook, through the route handler itself: Meta's GET
// verification, signed deliveries that start tainted runs through the durable
// worker, refused signatures (401, counted into one audit row per window, nothing
// opened but the app secret), duplicates processed once, and
// failures that never show internals.
import { createHash, createHmac } from "node:crypto";
import type PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { GET, POST } from "@/app/api/v1/webhooks/whatsapp/[tenant]/route";
import { createCredential } from "@/server/credentials/service";
import { withTenant } from "@/server/db";
import { stopJobProducer } from "@/server/jobs/enqueue";
import { limiter } from "@/server/net/rate-limit";
import { startWorker } from "@/server/jobs/worker";
import { createTenantFixture, type TTenantFixture } from "@/server/test/factories";
import { auditClosedWindows, REFUSAL_WINDOW_MS } from "./webhook-refusals";
import { processInboundMessage, receiveDelivery, WEBHOOK_LIMITS } from "./whatsapp-inbound";

const APP_SECRET = "meta-app-secret-planted-77d1";
const VERIFY_TOKEN = "verify-token-planted-2b6e";
const SENDER = "15550001111";
let worker: PgBoss;

async function tenantWithWhatsapp(fields: Record<string, string> = { appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN }) {
  const fx = await createTenantFixture();
  await createCredential(fx.tenant.id, fx.users.admin.id, {
    provider: "whatsapp",
    label: "main number",
    fields: { accessToken: "EAAG-token", phoneNumberId: "106540352242922", ...fields },
  });
  return fx;
}

function delivery(messages: unknown[]): string {
  return JSON.stringify({
    object: "whatsapp_business_account",
    entry: [
      {
        id: "102290129340398",
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: "15550100000", phone_number_id: "106540352242922" },
              contacts: [{ profile: { name: "Ana" }, wa_id: SENDER }],
              messages,
            },
          },
        ],
      },
    ],
  });
}

const textMessage = (id: string, body: string) => ({ from: SENDER, id, timestamp: "1700000000", type: "text", text: { body } });
const sign = (body: string, secret = APP_SECRET) => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
const context = (slug: string) => ({ params: Promise.resolve({ tenant: slug }) });

function post(slug: string, body: string, signature?: string) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (signature !== undefined) headers["x-hub-signature-256"] = signature;
  return POST(new Request(`http://localhost/api/v1/webhooks/whatsapp/${slug}`, { method: "POST", body, headers }), context(slug));
}

function get(slug: string, query: Record<string, string>) {
  return GET(new Request(`http://localhost/api/v1/webhooks/whatsapp/${slug}?${new URLSearchParams(query)}`), context(slug));
}

const inboundRows = (fx: TTenantFixture) =>
  withTenant(fx.tenant.id, (db) => db.inboundMessage.findMany({ where: { tenantId: fx.tenant.id }, orderBy: { receivedAt: "asc" } }));
const runsOf = (fx: TTenantFixture) => withTenant(fx.tenant.id, (db) => db.run.findMany({ where: { tenantId: fx.tenant.id } }));
const refusals = (fx: TTenantFixture) =>
  withTenant(fx.tenant.id, (db) => db.auditLog.findMany({ where: { tenantId: fx.tenant.id, action: "whatsapp.webhook_refused" } }));
const refusalWindows = (fx: TTenantFixture) =>
  withTenant(fx.tenant.id, (db) => db.webhookRefusal.findMany({ where: { tenantId: fx.tenant.id } }));
const credentialUses = (fx: TTenantFixture) =>
  withTenant(fx.tenant.id, (db) => db.auditLog.count({ where: { tenantId: fx.tenant.id, action: "credential.used" } }));
/** The window's audit row, as the sweep writes it once the window has closed. */
const auditAfterWindow = (fx: TTenantFixture) => auditClosedWindows(fx.tenant.id, new Date(Date.now() + REFUSAL_WINDOW_MS));

async function until(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

beforeAll(async () => {
  worker = await startWorker(inject("databaseUrl"));
});

afterAll(async () => {
  await worker?.stop({ graceful: false, wait: true });
  await stopJobProducer();
});

describe("GET: Meta's subscription check", () => {
  it("answers the challenge as text when the verify token matches, 403 otherwise", async () => {
    const fx = await tenantWithWhatsapp();
    const good = await get(fx.tenant.slug, { "hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444" });
    expect(good.status).toBe(200);
    expect(good.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await good.text()).toBe("1158201444");
    const refusedQueries: Record<string, string>[] = [
      { "hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1" },
      { "hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1" },
      { "hub.mode": "subscribe", "hub.challenge": "1" },
    ];
    for (const query of refusedQueries) {
      const refused = await get(fx.tenant.slug, query);
      expect(refused.status, JSON.stringify(query)).toBe(403);
      expect(await refused.text()).not.toContain("1");
    }
    expect(await refusalWindows(fx)).toMatchObject([{ count: 3, reasons: { "subscription check with a wrong verify token": 3 } }]);
  });

  it("answers 404 for an unknown tenant and for a tenant without a WhatsApp credential", async () => {
    const bare = await createTenantFixture();
    const query = { "hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "42" };
    expect((await get("no-such-tenant-here", query)).status).toBe(404);
    expect((await get(bare.tenant.slug, query)).status).toBe(404);
    expect((await get("../../etc", query)).status).toBe(404);
  });
});

describe("POST: signed deliveries", () => {
  it("a good signature queues a durable job that runs a tainted turn as whatsapp:<sender>; its outside calls are held", async () => {
    const fx = await tenantWithWhatsapp();
    const body = delivery([textMessage("wamid.A1", "send the launch date to ops")]);
    const response = await post(fx.tenant.slug, body, sign(body));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: 1, queued: 1, duplicates: 0, skipped: 0 });

    await until(async () => (await inboundRows(fx))[0]?.status === "processed");
    const [row] = await inboundRows(fx);
    expect(row).toMatchObject({ provider: "whatsapp", externalId: "wamid.A1", sender: SENDER, body: "", jobId: expect.any(String) });
    const runs = await runsOf(fx);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ id: row?.runId, principal: `whatsapp:${SENDER}`, isTainted: true, status: "waiting_approval" });
    const events = await withTenant(fx.tenant.id, (db) =>
      db.event.findMany({ where: { tenantId: fx.tenant.id, runId: row?.runId ?? "" }, orderBy: { seq: "asc" } }),
    );
    const byType = (type: string) => events.filter((event) => event.type === type).map((event) => JSON.parse(event.payload) as unknown);
    expect(byType("message.user")).toEqual([{ text: "send the launch date to ops" }]);
    // The message is untrusted from the start: the external call it asked for waits for a person.
    expect(byType("policy.decision")).toMatchObject([
      { tool: "message.send", status: "held", policies: [{ id: "external-tools-untrusted@v1/tainted-external" }] },
    ]);
  });

  it("processes a message id once, however often Meta delivers it", async () => {
    const fx = await tenantWithWhatsapp();
    const body = delivery([textMessage("wamid.D1", "remember that the launch is Friday")]);
    const first = await post(fx.tenant.slug, body, sign(body));
    const again = await post(fx.tenant.slug, body, sign(body));
    expect(await first.json()).toMatchObject({ received: 1, queued: 1 });
    expect(await again.json()).toMatchObject({ received: 1, queued: 0, duplicates: 1 });
    await until(async () => (await inboundRows(fx))[0]?.status === "processed");
    const rows = await inboundRows(fx);
    expect(rows).toHaveLength(1);
    // A retried or duplicated job finds the message already claimed.
    expect(await processInboundMessage({ tenantId: fx.tenant.id, inboundMessageId: rows[0]!.id })).toEqual({
      runId: null,
      status: "skipped",
    });
    const late = await post(fx.tenant.slug, body, sign(body));
    expect(await late.json()).toMatchObject({ queued: 0, duplicates: 1 });
    expect(await runsOf(fx)).toHaveLength(1);
  });

  it("a missing or wrong signature is refused with 401 before anything else is opened; refusals are counted, one audit row per window", async () => {
    const fx = await tenantWithWhatsapp();
    const usesBefore = await credentialUses(fx);
    const body = delivery([textMessage("wamid.B1", "transfer everything")]);
    const cases = [
      { signature: undefined, reason: "missing X-Hub-Signature-256" },
      { signature: sign(body, "not-the-app-secret"), reason: "X-Hub-Signature-256 does not match" },
      { signature: sign(`${body} `), reason: "X-Hub-Signature-256 does not match" },
      { signature: "sha256=zz", reason: "X-Hub-Signature-256 does not match" },
    ];
    for (let round = 0; round < 10; round += 1) {
      for (const item of cases) {
        const response = await post(fx.tenant.slug, body, item.signature);
        expect(response.status).toBe(401);
        expect(await response.json()).toEqual({ error: "Invalid signature." });
      }
    }
    // 40 anonymous refusals: no credential use recorded, no audit row yet, one counter.
    expect(await credentialUses(fx)).toBe(usesBefore);
    expect(await refusals(fx)).toEqual([]);
    expect(await refusalWindows(fx)).toMatchObject([
      { source: "whatsapp", count: 40, reasons: { "missing X-Hub-Signature-256": 10, "X-Hub-Signature-256 does not match": 30 } },
    ]);
    // The closed window becomes exactly one audit row with the count, once.
    expect(await auditAfterWindow(fx)).toBe(1);
    expect(await auditAfterWindow(fx)).toBe(0);
    const audit = await refusals(fx);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ targetType: "webhook", actorUserId: null, data: { count: 40 } });
    expect(await inboundRows(fx)).toEqual([]);
    expect(await runsOf(fx)).toEqual([]);
    // A delivery that verifies is the credential's one recorded use.
    const good = await post(fx.tenant.slug, body, sign(body));
    expect(good.status).toBe(200);
    expect(await credentialUses(fx)).toBe(usesBefore + 1);
  });

  it("is rate-limited per tenant and per source before anything is opened: 429 with Retry-After, other tenants unaffected", async () => {
    const fx = await tenantWithWhatsapp();
    const other = await tenantWithWhatsapp();
    const body = delivery([textMessage("wamid.R1", "hello")]);
    // Spend the tenant's minute as a burst of unsigned calls would.
    await limiter("webhook-tenant", WEBHOOK_LIMITS.perTenantPerMinute, 60).consume(
      `whatsapp:${fx.tenant.id}`,
      WEBHOOK_LIMITS.perTenantPerMinute,
    );
    const limited = await post(fx.tenant.slug, body, "sha256=00");
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await get(fx.tenant.slug, { "hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "5" })).status).toBe(
      429,
    );
    // Throttled calls open nothing and count nothing.
    expect(await refusalWindows(fx)).toEqual([]);
    expect((await post(other.tenant.slug, body, sign(body))).status).toBe(200);
    // One source spending its minute is stopped even for a tenant it has not called yet.
    const source = `203.0.113.${Math.floor(Math.random() * 200) + 1}`;
    const sourceKey = createHash("sha256").update(source).digest("hex");
    await limiter("webhook-source", WEBHOOK_LIMITS.perSourcePerMinute, 60).consume(sourceKey, WEBHOOK_LIMITS.perSourcePerMinute);
    const fromSource = await receiveDelivery(other.tenant.slug, Buffer.from(body), sign(body), source);
    expect(fromSource).toMatchObject({ status: 429 });
    expect((await receiveDelivery(other.tenant.slug, Buffer.from(body), sign(body), "198.51.100.7")).status).toBe(200);
  });

  it("refuses every delivery when the credential has no app secret (nothing could be verified)", async () => {
    const fx = await tenantWithWhatsapp({ verifyToken: VERIFY_TOKEN });
    const body = delivery([textMessage("wamid.C1", "hello")]);
    const response = await post(fx.tenant.slug, body, sign(body));
    expect(response.status).toBe(401);
    await auditAfterWindow(fx);
    expect((await refusals(fx)).map((entry) => (entry.data as { reasons: Record<string, number> }).reasons)).toEqual([
      { "the WhatsApp credential has no app secret, so no delivery can be verified": 1 },
    ]);
    expect(await inboundRows(fx)).toEqual([]);
  });

  it("answers 404 for an unknown tenant or one without a credential, 400 for a signed body that is not JSON", async () => {
    const bare = await createTenantFixture();
    const body = delivery([textMessage("wamid.E1", "hello")]);
    expect((await post("no-such-tenant-here", body, sign(body))).status).toBe(404);
    expect((await post(bare.tenant.slug, body, sign(body))).status).toBe(404);
    const fx = await tenantWithWhatsapp();
    const garbage = "{not json";
    const response = await post(fx.tenant.slug, garbage, sign(garbage));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: "The body is not JSON." });
  });

  it("when the queue is down: 503 without internals, and Meta's retry queues the stored message", async () => {
    const fx = await tenantWithWhatsapp();
    const body = delivery([textMessage("wamid.Q1", "remember that the queue came back")]);
    const databaseUrl = process.env.DATABASE_URL;
    await stopJobProducer();
    process.env.DATABASE_URL = "postgresql://nobody:nothing@127.0.0.1:1/none";
    let failed: Response;
    try {
      failed = await post(fx.tenant.slug, body, sign(body));
    } finally {
      process.env.DATABASE_URL = databaseUrl;
    }
    expect(failed.status).toBe(503);
    const text = await failed.text();
    expect(JSON.parse(text)).toEqual({ error: "The messages could not be queued; retry later." });
    expect(text).not.toMatch(/ECONNREFUSED|at .*\.ts|127\.0\.0\.1:1/);
    expect(await inboundRows(fx)).toMatchObject([{ externalId: "wamid.Q1", status: "received", jobId: null }]);

    const retried = await post(fx.tenant.slug, body, sign(body));
    expect(await retried.json()).toMatchObject({ received: 1, queued: 1, duplicates: 0 });
    await until(async () => (await inboundRows(fx))[0]?.status === "processed");
    expect(await runsOf(fx)).toHaveLength(1);
  });
});
