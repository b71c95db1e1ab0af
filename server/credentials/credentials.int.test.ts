import { describe, expect, it } from "vitest";
import { withTenant } from "@/server/db";
import { callerFor, createTenantFixture } from "@/server/test/factories";
import { openCredentialForCall } from "./service";

const PLANTED = "whsec-planted-credential-91c4e2";
const json = (value: unknown) => JSON.stringify(value, (_, item: unknown) => (typeof item === "bigint" ? item.toString() : item));

describe("credentials", () => {
  it("are write-only: the API answers metadata and the last four characters, the database holds them sealed", async () => {
    const fx = await createTenantFixture();
    const admin = callerFor(fx.users.admin);
    const tenantSlug = fx.tenant.slug;
    const created = await admin.credential.create({
      tenantSlug,
      provider: "webhook",
      label: "ops",
      fields: { url: "https://hooks.example.test/in", signingSecret: PLANTED },
    });
    expect(created).toMatchObject({
      provider: "webhook",
      label: "ops",
      config: { url: "https://hooks.example.test/in" },
      last4: PLANTED.slice(-4),
    });
    const listed = await admin.credential.list({ tenantSlug });
    const stored = await withTenant(fx.tenant.id, async (db) => ({
      rows: await db.credential.findMany({ where: { tenantId: fx.tenant.id } }),
      audit: await db.auditLog.findMany({ where: { tenantId: fx.tenant.id } }),
      events: await db.event.findMany({ where: { tenantId: fx.tenant.id } }),
    }));
    for (const value of [created, listed, stored]) expect(json(value)).not.toContain(PLANTED);
    expect(stored.audit.map((entry) => entry.action)).toContain("credential.created");

    // Rotation replaces the secret; the old one is gone from every answer too.
    const rotated = await admin.credential.rotate({
      tenantSlug,
      credentialId: created.id,
      fields: { url: "https://hooks.example.test/in", signingSecret: "rotated-secret-0000" },
    });
    expect(rotated).toMatchObject({ version: 2, last4: "0000" });
    const opened = await openCredentialForCall(fx.tenant.id, "webhook", { tool: "message.send", runId: null, principal: "agent:test" });
    expect(opened?.secrets.signingSecret).toBe("rotated-secret-0000");
    const audit = await withTenant(fx.tenant.id, (db) =>
      db.auditLog.findMany({ where: { tenantId: fx.tenant.id, action: "credential.used" } }),
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]?.data).toMatchObject({ tool: "message.send", principal: "agent:test" });
  });

  it("bad input is a clear 400: unknown provider fields, missing required ones, a duplicate label is a 409", async () => {
    const fx = await createTenantFixture();
    const admin = callerFor(fx.users.admin);
    const tenantSlug = fx.tenant.slug;
    await expect(
      admin.credential.create({
        tenantSlug,
        provider: "webhook",
        label: "x",
        fields: { url: "https://a.test", nope: "1", signingSecret: "s3cret-value" },
      }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("nope") });
    await expect(
      admin.credential.create({ tenantSlug, provider: "webhook", label: "x", fields: { url: "https://a.test" } }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("Signing secret"),
    });
    await admin.credential.create({ tenantSlug, provider: "slack", label: "x", fields: { webhookUrl: "https://hooks.slack.test/T/B/C" } });
    await expect(
      admin.credential.create({ tenantSlug, provider: "slack", label: "x", fields: { webhookUrl: "https://hooks.slack.test/T/B/D" } }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("a connector URL is checked at save with the rules it meets at use; the answer never repeats it", async () => {
    const fx = await createTenantFixture();
    const admin = callerFor(fx.users.admin);
    const tenantSlug = fx.tenant.slug;
    const refused: [string, RegExp][] = [
      ["javascript:alert(document.cookie)", /Only http and https URLs are allowed, not javascript:/],
      ["file:///etc/passwd", /not file:/],
      ["https://user:hunter2@hooks.example.test/x", /credentials in them/],
      ["http://169.254.169.254/latest/meta-data", /Refused: /],
      ["http://localhost:8080/hook", /localhost/],
      ["not a url at all", /not a valid URL/],
    ];
    for (const [url, reason] of refused) {
      for (const [provider, fields] of [
        ["webhook", { url, signingSecret: "s3cret-value" }],
        ["slack", { webhookUrl: url }],
      ] as const) {
        const attempt = admin.credential.create({ tenantSlug, provider, label: `x-${provider}`, fields });
        await expect(attempt, `${provider} ${url}`).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(reason) });
        const message = await attempt.catch((error: Error) => error.message);
        expect(message).not.toContain(url);
      }
    }
    expect(await admin.credential.list({ tenantSlug })).toEqual([]);
  });

  it("tenant A cannot use, rotate, check or remove tenant B's credential by id", async () => {
    const a = await createTenantFixture();
    const b = await createTenantFixture();
    const theirs = await callerFor(b.users.admin).credential.create({
      tenantSlug: b.tenant.slug,
      provider: "payments",
      label: "bank",
      fields: { apiKey: PLANTED },
    });
    const admin = callerFor(a.users.admin);
    const tenantSlug = a.tenant.slug;
    await expect(
      openCredentialForCall(a.tenant.id, "payments", {
        tool: "payments.transfer",
        runId: null,
        principal: "agent:x",
        credentialId: theirs.id,
      }),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    expect(
      await openCredentialForCall(a.tenant.id, "payments", { tool: "payments.transfer", runId: null, principal: "agent:x" }),
    ).toBeNull();
    await expect(admin.credential.check({ tenantSlug, credentialId: theirs.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(admin.credential.rotate({ tenantSlug, credentialId: theirs.id, fields: { apiKey: "x-12345678" } })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(admin.credential.remove({ tenantSlug, credentialId: theirs.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const still = await openCredentialForCall(b.tenant.id, "payments", { tool: "payments.transfer", runId: null, principal: "agent:x" });
    expect(still?.secrets.apiKey).toBe(PLANTED);
  });

  it("removal destroys the secret: a removed credential cannot be used again", async () => {
    const fx = await createTenantFixture();
    const admin = callerFor(fx.users.admin);
    const created = await admin.credential.create({
      tenantSlug: fx.tenant.slug,
      provider: "payments",
      label: "bank",
      fields: { apiKey: PLANTED },
    });
    await admin.credential.remove({ tenantSlug: fx.tenant.slug, credentialId: created.id });
    expect(
      await openCredentialForCall(fx.tenant.id, "payments", { tool: "payments.transfer", runId: null, principal: "agent:x" }),
    ).toBeNull();
    const row = await withTenant(fx.tenant.id, (db) => db.credential.findUniqueOrThrow({ where: { id: created.id } }));
    expect(row.sealed).toBeNull();
    expect(await admin.credential.list({ tenantSlug: fx.tenant.slug })).toEqual([]);
  });

  it("members cannot see or manage credentials", async () => {
    const fx = await createTenantFixture();
    await expect(callerFor(fx.users.member).credential.list({ tenantSlug: fx.tenant.slug })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
