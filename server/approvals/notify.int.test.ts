// Approval notifications against local fakes on 127.0.0.1: the signed webhook (the
// receiver's HMAC check), email through a fake SMTP server, retries with backoff until
// failed (with a clear error and no secret), SLA warnings once per tier, settings that
// only take the tenant's own credentials of the right kind, and tenant isolation.
import { createHmac, timingSafeEqual } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createCredential } from "@/server/credentials/service";
import { withTenant } from "@/server/db";
import { answer, FakeApi, type TSeenRequest } from "@/server/test/fake-api";
import { FakeSmtp } from "@/server/test/fake-smtp";
import { callerFor, callPath, createRun, createTenantFixture, type TTenantFixture } from "@/server/test/factories";
import { deliverDueNotifications, enqueueApprovalNotifications, enqueueSlaWarnings, MAX_ATTEMPTS, type TNotificationEvent } from "./notify";

const SIGNING_SECRET = "whsec_notify_planted_8d2e";
const MINUTE = 60_000;
let fake: FakeApi;
let smtp: FakeSmtp;

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

const webhookCredential = (fx: TTenantFixture) =>
  createCredential(fx.tenant.id, fx.users.admin.id, {
    provider: "webhook",
    label: "approvals hook",
    fields: { url: `${fake.origin}/hooks/approvals`, signingSecret: SIGNING_SECRET },
  });
const smtpCredential = (fx: TTenantFixture) =>
  createCredential(fx.tenant.id, fx.users.admin.id, {
    provider: "smtp",
    label: "mail",
    fields: { host: "127.0.0.1", port: String(smtp.port), username: "mailer", password: "mail-pass", from: "Fabric <fabric@acme.test>" },
  });

async function configure(
  fx: TTenantFixture,
  settings: { webhookCredentialId?: string | null; emailCredentialId?: string | null; emailTo?: string[]; events?: TNotificationEvent[] },
) {
  return callerFor(fx.users.admin).approvalNotification.saveSettings({
    tenantSlug: fx.tenant.slug,
    webhookCredentialId: settings.webhookCredentialId ?? null,
    emailCredentialId: settings.emailCredentialId ?? null,
    emailTo: settings.emailTo ?? [],
    events: settings.events ?? ["requested", "sla_warning", "decided"],
  });
}

/** A pending approval request of the tenant (a transfer), optionally with a warning time. */
async function heldRequest(fx: TTenantFixture, times: { warnAt?: Date; deadlineAt?: Date } = {}): Promise<string> {
  const runId = await createRun(fx);
  return withTenant(fx.tenant.id, async (db) => {
    const request = await db.approvalRequest.create({
      data: {
        tenantId: fx.tenant.id,
        runId,
        tool: "payments.transfer",
        args: { amount: 150_000, currency: "USD", to: "ACME Ltd" },
        digest: "digest",
        decision: { effect: "require_approval", step: "policy", explanation: "held", policies: [], tags: [] },
        requestedBy: `user:${fx.users.member.id}`,
        amount: 150_000n,
        currency: "USD",
        counterparty: "ACME Ltd",
        deadlineAt: times.deadlineAt ?? new Date(Date.now() + 60 * MINUTE),
        warnAt: times.warnAt ?? null,
      },
    });
    return request.id;
  });
}

function enqueueRequested(fx: TTenantFixture, requestId: string) {
  return withTenant(fx.tenant.id, (db) =>
    enqueueApprovalNotifications(db, fx.tenant.id, {
      requestId,
      kind: "requested",
      summary: {
        tool: "payments.transfer",
        amount: 150_000n,
        currency: "USD",
        counterparty: "ACME Ltd",
        status: "pending",
        deadlineAt: new Date("2030-01-01T12:00:00Z"),
      },
    }),
  );
}

function notificationsOf(fx: TTenantFixture) {
  return withTenant(fx.tenant.id, (db) =>
    db.approvalNotification.findMany({ where: { tenantId: fx.tenant.id }, orderBy: { createdAt: "asc" } }),
  );
}

/** What a receiver does (docs/messaging.md): recompute the HMAC over timestamp.body and compare in constant time. */
function isSignedBy(secret: string, request: TSeenRequest): boolean {
  const timestamp = String(request.headers["x-fabric-timestamp"] ?? "");
  const given = String(request.headers["x-fabric-signature"] ?? "");
  const expected = `sha256=${createHmac("sha256", secret).update(`${timestamp}.${request.body}`).digest("hex")}`;
  const isFresh = Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
  return isFresh && given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

/** A quoted-printable body as text (nodemailer folds long lines such as the link). */
function decodeQuotedPrintable(text: string): string {
  return text.replace(/=\r\n/g, "").replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

const soon = () => new Date(Date.now() + 1_000);

describe("approval notifications by webhook", () => {
  it("a requested event reaches the webhook, signed, with the request and the link", async () => {
    const fx = await createTenantFixture();
    const credential = await webhookCredential(fx);
    await configure(fx, { webhookCredentialId: credential.id });
    const requestId = await heldRequest(fx);
    expect(await enqueueRequested(fx, requestId)).toBe(1);
    fake.handle((request, response) => answer(response, isSignedBy(SIGNING_SECRET, request) ? 200 : 401, { ok: true }));

    expect(await deliverDueNotifications(fx.tenant.id, soon())).toEqual({ sent: 1, retrying: 0, failed: 0 });
    expect(fake.seen).toHaveLength(1);
    const [seen] = fake.seen;
    expect(seen).toMatchObject({ method: "POST", url: "/hooks/approvals" });
    expect(isSignedBy(SIGNING_SECRET, seen!)).toBe(true);
    expect(isSignedBy("another-secret", seen!)).toBe(false);
    expect(JSON.parse(seen!.body)).toEqual({
      type: "approval.requested",
      tenant: fx.tenant.slug,
      request: {
        id: requestId,
        tool: "payments.transfer",
        amount: 150_000,
        currency: "USD",
        counterparty: "ACME Ltd",
        deadlineAt: "2030-01-01T12:00:00.000Z",
        status: "pending",
      },
      link: `${(process.env.NEXTAUTH_URL ?? "http://localhost:3000").replace(/\/+$/, "")}/t/${fx.tenant.slug}/approvals?request=${requestId}`,
    });
    const [row] = await notificationsOf(fx);
    // The delivery id is the notification's: a receiver can drop a retried duplicate.
    expect(seen?.headers["x-fabric-delivery"]).toBe(row?.id);
    expect(row).toMatchObject({ channel: "webhook", target: new URL(fake.origin).host, status: "sent", attempts: 1, lastError: null });
    expect(row?.sentAt).toBeInstanceOf(Date);
    // Sent is final: nothing goes out twice.
    expect(await deliverDueNotifications(fx.tenant.id, new Date(Date.now() + 120 * MINUTE))).toEqual({ sent: 0, retrying: 0, failed: 0 });
    expect(fake.seen).toHaveLength(1);
  });

  it("a failing webhook (HTTP 500) is retried after 1, 5, 15 and 60 minutes, then shows as failed with the error and no secret", async () => {
    const fx = await createTenantFixture();
    const credential = await webhookCredential(fx);
    await configure(fx, { webhookCredentialId: credential.id });
    await enqueueRequested(fx, await heldRequest(fx));
    // An endpoint that echoes what it was given, the secret included.
    fake.handle((_, response) => answer(response, 500, { error: `internal error (secret ${SIGNING_SECRET})` }));

    const t0 = soon();
    const at = (minutes: number) => new Date(t0.getTime() + minutes * MINUTE);
    expect(await deliverDueNotifications(fx.tenant.id, t0)).toEqual({ sent: 0, retrying: 1, failed: 0 });
    let [row] = await notificationsOf(fx);
    expect(row).toMatchObject({ status: "pending", attempts: 1 });
    expect(row?.nextAttemptAt).toEqual(at(1));
    expect(row?.lastError).toMatch(/The webhook endpoint failed \(HTTP 500\)/);

    // Not due yet: nothing is sent before the backoff.
    expect(await deliverDueNotifications(fx.tenant.id, at(0.9))).toEqual({ sent: 0, retrying: 0, failed: 0 });
    expect(fake.seen).toHaveLength(1);

    const schedule = [
      { now: 1, next: 1 + 5 },
      { now: 6, next: 6 + 15 },
      { now: 21, next: 21 + 60 },
    ];
    for (const [index, step] of schedule.entries()) {
      expect(await deliverDueNotifications(fx.tenant.id, at(step.now))).toEqual({ sent: 0, retrying: 1, failed: 0 });
      [row] = await notificationsOf(fx);
      expect(row).toMatchObject({ status: "pending", attempts: index + 2 });
      expect(row?.nextAttemptAt).toEqual(at(step.next));
    }
    expect(await deliverDueNotifications(fx.tenant.id, at(81))).toEqual({ sent: 0, retrying: 0, failed: 1 });
    expect(await deliverDueNotifications(fx.tenant.id, at(10_000))).toEqual({ sent: 0, retrying: 0, failed: 0 });
    expect(fake.seen).toHaveLength(MAX_ATTEMPTS);

    // Visible to members, with the reason; the secret the endpoint echoed is scrubbed.
    const log = await callerFor(fx.users.member).approvalNotification.list({ tenantSlug: fx.tenant.slug });
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ status: "failed", attempts: MAX_ATTEMPTS, nextAttemptAt: null, channel: "webhook", kind: "requested" });
    expect(log[0]?.lastError).toMatch(/HTTP 500.*\[secret\]/);
    expect(JSON.stringify(log)).not.toContain(SIGNING_SECRET);
    [row] = await notificationsOf(fx);
    expect(JSON.stringify(row)).not.toContain(SIGNING_SECRET);
  });

  it("a removed credential fails the delivery with a clear error instead of sending nothing silently", async () => {
    const fx = await createTenantFixture();
    const credential = await webhookCredential(fx);
    await configure(fx, { webhookCredentialId: credential.id });
    await enqueueRequested(fx, await heldRequest(fx));
    await callerFor(fx.users.admin).credential.remove({ tenantSlug: fx.tenant.slug, credentialId: credential.id });
    fake.handle((_, response) => answer(response, 200, {}));
    expect(await deliverDueNotifications(fx.tenant.id, soon())).toEqual({ sent: 0, retrying: 1, failed: 0 });
    const [row] = await notificationsOf(fx);
    expect(row?.lastError).toMatch(/No Webhook credential with that id in this tenant/);
    expect(fake.seen).toHaveLength(0);
  });
});

describe("approval notifications by email", () => {
  it("the recipients get a plain-text email with the link through the tenant's SMTP server", async () => {
    const fx = await createTenantFixture();
    const credential = await smtpCredential(fx);
    await configure(fx, { emailCredentialId: credential.id, emailTo: ["Approvers@Acme.test", "cfo@acme.test"] });
    const requestId = await heldRequest(fx);
    await enqueueRequested(fx, requestId);
    process.env.SMTP_ALLOW_INSECURE_LOCAL = "1";

    expect(await deliverDueNotifications(fx.tenant.id, soon())).toEqual({ sent: 1, retrying: 0, failed: 0 });
    expect(smtp.messages).toHaveLength(1);
    const [session] = smtp.messages;
    expect(session?.auth).toMatchObject({ username: "mailer", isAccepted: true });
    expect(session?.to).toEqual(["approvers@acme.test", "cfo@acme.test"]);
    const data = session?.data ?? "";
    const headers = data.slice(0, data.indexOf("\r\n\r\n"));
    const body = data.slice(data.indexOf("\r\n\r\n") + 4);
    expect(headers).toMatch(/^Subject: Approval needed: payments\.transfer \$1,500\.00 to ACME Ltd$/m);
    const text = decodeQuotedPrintable(body);
    expect(text).toContain(`/t/${fx.tenant.slug}/approvals?request=${requestId}`);
    expect(text).toContain("Counterparty: ACME Ltd");
    const [row] = await notificationsOf(fx);
    expect(row).toMatchObject({ channel: "email", target: "approvers@acme.test, cfo@acme.test", status: "sent" });
  });

  it("an SMTP server that refuses the login leaves a retryable error without the password", async () => {
    const fx = await createTenantFixture();
    const credential = await createCredential(fx.tenant.id, fx.users.admin.id, {
      provider: "smtp",
      label: "wrong",
      fields: { host: "127.0.0.1", port: String(smtp.port), username: "mailer", password: "wrong-pass-77", from: "f@acme.test" },
    });
    await configure(fx, { emailCredentialId: credential.id, emailTo: ["ops@acme.test"] });
    await enqueueRequested(fx, await heldRequest(fx));
    process.env.SMTP_ALLOW_INSECURE_LOCAL = "1";
    expect(await deliverDueNotifications(fx.tenant.id, soon())).toEqual({ sent: 0, retrying: 1, failed: 0 });
    const [row] = await notificationsOf(fx);
    expect(row?.lastError).toMatch(/refused the tenant's username or password/);
    expect(row?.lastError).not.toContain("wrong-pass-77");
    expect(smtp.messages).toHaveLength(0);
  });
});

describe("which events, and SLA warnings", () => {
  it("only the events the tenant chose are queued, one row per configured channel", async () => {
    const fx = await createTenantFixture();
    const [hook, mail] = await Promise.all([webhookCredential(fx), smtpCredential(fx)]);
    await configure(fx, { webhookCredentialId: hook.id, emailCredentialId: mail.id, emailTo: ["ops@acme.test"], events: ["decided"] });
    const requestId = await heldRequest(fx);
    expect(await enqueueRequested(fx, requestId)).toBe(0);
    const queued = await withTenant(fx.tenant.id, (db) =>
      enqueueApprovalNotifications(db, fx.tenant.id, {
        requestId,
        kind: "decided",
        summary: { tool: "payments.transfer", status: "approved" },
      }),
    );
    expect(queued).toBe(2);
    expect((await notificationsOf(fx)).map((row) => [row.kind, row.channel]).sort()).toEqual([
      ["decided", "email"],
      ["decided", "webhook"],
    ]);
  });

  it("a tenant without settings queues nothing", async () => {
    const fx = await createTenantFixture();
    expect(await enqueueRequested(fx, await heldRequest(fx))).toBe(0);
  });

  it("a request past its warning time gets one sla_warning, however often the sweep runs", async () => {
    const fx = await createTenantFixture();
    const credential = await webhookCredential(fx);
    await configure(fx, { webhookCredentialId: credential.id });
    const now = new Date();
    const warned = await heldRequest(fx, { warnAt: new Date(now.getTime() - MINUTE), deadlineAt: new Date(now.getTime() + 10 * MINUTE) });
    await heldRequest(fx, { warnAt: new Date(now.getTime() + 5 * MINUTE), deadlineAt: new Date(now.getTime() + 10 * MINUTE) });
    const [first, second] = await Promise.all([enqueueSlaWarnings(fx.tenant.id, now), enqueueSlaWarnings(fx.tenant.id, now)]);
    expect(first + second).toBe(1);
    expect(await enqueueSlaWarnings(fx.tenant.id, now)).toBe(0);
    const rows = await notificationsOf(fx);
    expect(rows.map((row) => [row.kind, row.requestId])).toEqual([["sla_warning", warned]]);

    fake.handle((_, response) => answer(response, 200, {}));
    await deliverDueNotifications(fx.tenant.id, soon());
    expect(JSON.parse(fake.seen[0]?.body ?? "{}")).toMatchObject({
      type: "approval.sla_warning",
      request: { id: warned, status: "pending" },
    });
  });
});

describe("settings", () => {
  it("an admin saves and reads them; recipients are normalised and events ordered", async () => {
    const fx = await createTenantFixture();
    const credential = await smtpCredential(fx);
    const caller = callerFor(fx.users.admin).approvalNotification;
    expect(await caller.settings({ tenantSlug: fx.tenant.slug })).toMatchObject({
      webhookCredentialId: null,
      emailCredentialId: null,
      events: ["requested", "sla_warning", "decided"],
    });
    await configure(fx, { emailCredentialId: credential.id, emailTo: ["A@acme.test", "a@acme.test"], events: ["decided", "requested"] });
    expect(await caller.settings({ tenantSlug: fx.tenant.slug })).toMatchObject({
      emailCredentialId: credential.id,
      emailTo: ["a@acme.test"],
      events: ["requested", "decided"],
      updatedBy: `user:${fx.users.admin.id}`,
    });
  });

  it("refuses another tenant's credential (NOT_FOUND), a credential of the wrong kind, and email without recipients", async () => {
    const [fx, other] = await Promise.all([createTenantFixture(), createTenantFixture()]);
    const [theirs, mine] = await Promise.all([webhookCredential(other), smtpCredential(fx)]);
    await expect(configure(fx, { webhookCredentialId: theirs.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(configure(fx, { webhookCredentialId: mine.id })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/"mail" is a Email \(SMTP\) credential; webhook notifications need a Webhook credential/),
    });
    await expect(configure(fx, { emailCredentialId: mine.id, emailTo: [] })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/at least one recipient/),
    });
    // Nothing was saved.
    expect(await callerFor(fx.users.admin).approvalNotification.settings({ tenantSlug: fx.tenant.slug })).toMatchObject({
      webhookCredentialId: null,
      emailCredentialId: null,
    });
  });

  it("members cannot read or change them", async () => {
    const fx = await createTenantFixture();
    expect(await callPath(fx.users.member, "approvalNotification.settings", { tenantSlug: fx.tenant.slug })).toBe("FORBIDDEN");
    expect(
      await callPath(fx.users.member, "approvalNotification.saveSettings", {
        tenantSlug: fx.tenant.slug,
        webhookCredentialId: null,
        emailCredentialId: null,
        emailTo: [],
        events: [],
      }),
    ).toBe("FORBIDDEN");
  });
});

describe("tenant isolation", () => {
  it("a tenant sees and delivers only its own notifications", async () => {
    const [a, b] = await Promise.all([createTenantFixture(), createTenantFixture()]);
    const credential = await webhookCredential(a);
    await configure(a, { webhookCredentialId: credential.id });
    await enqueueRequested(a, await heldRequest(a));
    fake.handle((_, response) => answer(response, 200, {}));

    // B's deliverer does not see A's pending row; B's members do not see A's log.
    expect(await deliverDueNotifications(b.tenant.id, soon())).toEqual({ sent: 0, retrying: 0, failed: 0 });
    expect(fake.seen).toHaveLength(0);
    expect(await callerFor(b.users.owner).approvalNotification.list({ tenantSlug: b.tenant.slug })).toEqual([]);
    expect(await callPath(b.users.owner, "approvalNotification.list", { tenantSlug: a.tenant.slug })).toBe("NOT_FOUND");
    // The database refuses too: B's scoped transaction finds no row of A's.
    expect(await withTenant(b.tenant.id, (db) => db.approvalNotification.count({ where: { tenantId: a.tenant.id } }))).toBe(0);

    expect(await deliverDueNotifications(a.tenant.id, soon())).toEqual({ sent: 1, retrying: 0, failed: 0 });
    expect(await callerFor(a.users.member).approvalNotification.list({ tenantSlug: a.tenant.slug })).toHaveLength(1);
  });
});
