// Inbound WhatsApp messages (the Cloud API's webhook) start agent runs.
//
//  GET  Meta's subscription check: hub.verify_token must equal the tenant
//       credential's verify token; the answer is hub.challenge.
//  POST X-Hub-Signature-256 must be the HMAC-SHA256 of the raw body with the
//       app secret (compared in constant time), checked before anything else;
//       refusals are counted per five-minute window, one audit row each. Each text
//       message is stored once per (tenant, provider, message id), Meta's
//       retries included, and a durable job runs one agent turn for it.
//
// The turn runs through the gate like any other, as the agent principal
// "whatsapp:<sender>", and the run is tainted from its start: the message is
// untrusted content, so the external-tools-untrusted pack holds whatever the
// turn would do outside. The job carries only the row's id; the text stays in
// the tenant's RLS-protected table until the run has it, then is cleared.
//
// Delivery to the agent is at most once: the job claims the row before the
// turn, so a retried job never runs a turn twice (a crash mid-turn leaves the
// row "processing" for people to see).
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { runAgentTurn } from "@/server/agent/loop";
import { plannerForTenant } from "@/server/agent/planner";
import { openSecretForVerification, recordCredentialUse } from "@/server/credentials/service";
import { withTenant } from "@/server/db";
import { tenantBySlug } from "@/server/tenants/service";
import { env } from "@/server/env";
import { enqueueJob } from "@/server/jobs/enqueue";
import { QUEUES } from "@/server/jobs/queues";
import { logger } from "@/server/logger";
import { toolCatalog } from "@/server/tools/catalog";
import { consume, limiter } from "@/server/net/rate-limit";
import { countRefusal } from "./webhook-refusals";
import { principalId } from "@/server/principals";

const PROVIDER = "whatsapp";
const MAX_MESSAGES = 100;
const MAX_TEXT = 4096;

export type TWebhookAnswer = { status: number; body: string; contentType: "text/plain" | "application/json"; retryAfterSeconds?: number };
export type TInboundText = { id: string; from: string; text: string };
export type TInboundJob = { tenantId: string; inboundMessageId: string };

const json = (status: number, body: unknown): TWebhookAnswer => ({ status, body: JSON.stringify(body), contentType: "application/json" });
const NOT_FOUND = json(404, { error: "Not found." });

/** True when the header is sha256=<hex HMAC-SHA256(appSecret, rawBody)>. Constant-time. Pure. */
export function isValidHubSignature(appSecret: string, rawBody: Buffer, header: string | null): boolean {
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header?.trim() ?? "");
  if (!match?.[1]) return false;
  const given = Buffer.from(match[1], "hex");
  const expected = createHmac("sha256", appSecret).update(rawBody).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The text messages in a webhook payload (entry[].changes[].value.messages[]); other kinds are skipped. Pure. */
export function textMessages(payload: unknown): { messages: TInboundText[]; skipped: number } {
  const messages: TInboundText[] = [];
  let skipped = 0;
  for (const entry of list(isRecord(payload) ? payload.entry : undefined)) {
    for (const change of list(isRecord(entry) ? entry.changes : undefined)) {
      const value = isRecord(change) && isRecord(change.value) ? change.value : undefined;
      for (const message of list(value?.messages)) {
        const text = isRecord(message) && isRecord(message.text) ? message.text.body : undefined;
        if (
          isRecord(message) &&
          message.type === "text" &&
          typeof message.id === "string" &&
          message.id.length > 0 &&
          message.id.length <= 256 &&
          typeof message.from === "string" &&
          /^[0-9]{5,20}$/.test(message.from) &&
          typeof text === "string" &&
          text.trim().length > 0 &&
          messages.length < MAX_MESSAGES
        )
          messages.push({ id: message.id, from: message.from, text: text.slice(0, MAX_TEXT).replaceAll("\u0000", "") });
        else skipped += 1;
      }
    }
  }
  return { messages, skipped };
}

/**
 * Per source and per tenant, before anything is opened: anyone can call a webhook
 * URL. Meta delivers in bursts and retries a 429 later; these bounds are far above
 * a real number's traffic. The source is the client address behind the trusted
 * proxies (TRUSTED_PROXY_HOPS), unknown without them (then per tenant only).
 */
export const WEBHOOK_LIMITS = { perSourcePerMinute: 120, perTenantPerMinute: 600 } as const;

function tooMany(retryAfterSeconds: number): TWebhookAnswer {
  return { ...json(429, { error: "Too many requests; retry later." }), retryAfterSeconds };
}

async function throttled(source: string | null, tenantId: string | null): Promise<TWebhookAnswer | null> {
  if (source) {
    const key = createHash("sha256").update(source).digest("hex");
    const wait = await consume(limiter("webhook-source", WEBHOOK_LIMITS.perSourcePerMinute, 60), key);
    if (wait !== null) return tooMany(wait);
  }
  if (tenantId) {
    const wait = await consume(limiter("webhook-tenant", WEBHOOK_LIMITS.perTenantPerMinute, 60), `${PROVIDER}:${tenantId}`);
    if (wait !== null) return tooMany(wait);
  }
  return null;
}

async function activeTenant(slug: string): Promise<{ id: string; slug: string } | null> {
  const tenant = await tenantBySlug(slug);
  return tenant && tenant.status === "active" ? { id: tenant.id, slug: tenant.slug } : null;
}

const WEBHOOK_USE = { tool: "whatsapp.webhook", runId: null, principal: "whatsapp:webhook" } as const;

/** GET: Meta's subscription handshake. Only the verify token is opened; a wrong one is counted, not audited. */
export async function verifySubscription(slug: string, query: URLSearchParams, source: string | null = null): Promise<TWebhookAnswer> {
  const early = await throttled(source, null);
  if (early) return early;
  const tenant = await activeTenant(slug);
  if (!tenant) return NOT_FOUND;
  const limited = await throttled(null, tenant.id);
  if (limited) return limited;
  const secret = await openSecretForVerification(tenant.id, PROVIDER, "verifyToken");
  if (!secret) return NOT_FOUND;
  const given = query.get("hub.verify_token") ?? "";
  const challenge = query.get("hub.challenge") ?? "";
  const isMatch =
    secret.value.length > 0 &&
    Buffer.byteLength(given) === Buffer.byteLength(secret.value) &&
    timingSafeEqual(Buffer.from(given), Buffer.from(secret.value));
  if (query.get("hub.mode") !== "subscribe" || !isMatch || !challenge || challenge.length > 200) {
    await countRefusal(tenant.id, PROVIDER, "subscription check with a wrong verify token");
    return json(403, { error: "Forbidden." });
  }
  await recordCredentialUse(tenant.id, secret, PROVIDER, WEBHOOK_USE);
  return { status: 200, body: challenge, contentType: "text/plain" };
}

async function refuse(tenantId: string, reason: string): Promise<TWebhookAnswer> {
  await countRefusal(tenantId, PROVIDER, reason);
  return json(401, { error: "Invalid signature." });
}

/**
 * POST: a signed delivery from Meta. Answers quickly; the turns run in jobs.
 * The signature is checked first, with the app secret alone: an unsigned or
 * wrongly signed POST opens nothing else, writes no message and no audit row
 * (it is counted into the window's one row).
 */
export async function receiveDelivery(
  slug: string,
  rawBody: Buffer,
  signature: string | null,
  source: string | null = null,
): Promise<TWebhookAnswer> {
  const early = await throttled(source, null);
  if (early) return early;
  const tenant = await activeTenant(slug);
  if (!tenant) return NOT_FOUND;
  const limited = await throttled(null, tenant.id);
  if (limited) return limited;
  const secret = await openSecretForVerification(tenant.id, PROVIDER, "appSecret");
  if (!secret) return NOT_FOUND;
  if (!secret.value) return refuse(tenant.id, "the WhatsApp credential has no app secret, so no delivery can be verified");
  if (!signature) return refuse(tenant.id, "missing X-Hub-Signature-256");
  if (!isValidHubSignature(secret.value, rawBody, signature)) return refuse(tenant.id, "X-Hub-Signature-256 does not match");
  await recordCredentialUse(tenant.id, secret, PROVIDER, WEBHOOK_USE);

  let payload: unknown;
  try {
    payload = JSON.parse(rawBody.toString("utf8"));
  } catch {
    return json(400, { error: "The body is not JSON." });
  }
  const { messages, skipped } = textMessages(payload);
  const tenantId = tenant.id;
  // Store each message once; those not yet queued (new, or an earlier delivery whose enqueue failed) get a job.
  const pending = await withTenant(tenantId, async (db) => {
    if (messages.length === 0) return [];
    await db.inboundMessage.createMany({
      data: messages.map((message) => ({ tenantId, provider: PROVIDER, externalId: message.id, sender: message.from, body: message.text })),
      skipDuplicates: true,
    });
    return db.inboundMessage.findMany({
      where: { tenantId, provider: PROVIDER, externalId: { in: messages.map((message) => message.id) }, status: "received", jobId: null },
      select: { id: true },
    });
  });
  try {
    for (const row of pending) {
      // Singleton per tenant: a tenant's messages run one at a time, in order; tenants run in parallel.
      const jobId = await enqueueJob(QUEUES.whatsappInbound.name, { tenantId, inboundMessageId: row.id } satisfies TInboundJob, {
        singletonKey: tenantId,
        retryLimit: 3,
        retryDelay: 5,
      });
      await withTenant(tenantId, (db) =>
        db.inboundMessage.updateMany({ where: { id: row.id, tenantId, status: "received" }, data: { status: "queued", jobId } }),
      );
    }
  } catch (error) {
    logger.error({ err: error, tenantId }, "inbound WhatsApp messages could not be queued");
    // Meta retries a delivery that did not get a 200; the rows still waiting are queued then.
    return json(503, { error: "The messages could not be queued; retry later." });
  }
  return json(200, { received: messages.length, queued: pending.length, duplicates: messages.length - pending.length, skipped });
}

/** The job: one agent turn for one inbound message, at most once. */
export async function processInboundMessage(job: TInboundJob): Promise<{ runId: string | null; status: string }> {
  const { tenantId, inboundMessageId } = job;
  const claimed = await withTenant(tenantId, async (db) => {
    const { count } = await db.inboundMessage.updateMany({
      where: { id: inboundMessageId, tenantId, status: { in: ["received", "queued"] } },
      data: { status: "processing" },
    });
    return count === 1 ? db.inboundMessage.findUnique({ where: { id: inboundMessageId } }) : null;
  });
  if (!claimed) return { runId: null, status: "skipped" };
  try {
    const catalog = await toolCatalog(env.DEPLOYMENT_MODE);
    const { planner, name } = await plannerForTenant(tenantId, catalog);
    const sender = principalId({ kind: "inbound", channel: "whatsapp", sender: claimed.sender });
    const result = await runAgentTurn(catalog, planner, {
      tenantId,
      principal: { type: "Agent", id: sender, label: sender },
      message: claimed.body,
      title: `WhatsApp +${claimed.sender}: ${claimed.body}`,
      plannerName: name,
      isTainted: true,
    });
    await withTenant(tenantId, (db) =>
      db.inboundMessage.update({
        where: { id: inboundMessageId },
        // The run's event log now holds the text (under the tenant's retention); no second copy is kept.
        data: { status: "processed", runId: result.runId, body: "", processedAt: new Date() },
      }),
    );
    return { runId: result.runId, status: "processed" };
  } catch (error) {
    logger.error({ err: error, tenantId, inboundMessageId }, "an inbound WhatsApp message could not be processed");
    const reason = error instanceof Error ? error.message.slice(0, 300) : "unknown error";
    await withTenant(tenantId, (db) =>
      db.inboundMessage.update({ where: { id: inboundMessageId }, data: { status: "failed", error: reason, processedAt: new Date() } }),
    );
    return { runId: null, status: "failed" };
  }
}
