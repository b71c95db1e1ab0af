// Sign-in throttling, session versions, password change and reset, against the
// real database. The credentials callback is driven the way the route handler
// drives it: throttledCredentialsCallback, then next-auth's authorize().
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { changePassword, completePasswordReset, endAllSessions, requestPasswordReset } from "@/server/account/service";
import { FakeSmtp } from "@/server/test/fake-smtp";
import { callerFor, createUser, TEST_PASSWORD } from "@/server/test/factories";
import { authOptions } from "./options";
import { clientAddress, throttledCredentialsCallback } from "./sign-in";
import { userForSession } from "./session";
import { authenticate } from "./users";

type TAuthorize = (credentials: Record<string, string>, request: unknown) => Promise<{ id: string; sessionVersion?: number } | null>;
const authorize = (authOptions.providers[0] as unknown as { options: { authorize: TAuthorize } }).options.authorize;

let authorizeCalls = 0;

/** One POST to the credentials callback; the "handler" runs authorize() as next-auth would. */
async function attempt(email: string, password: string): Promise<{ status: number; retryAfter: string | null; userId: string | null }> {
  const request = new Request("http://localhost/api/auth/callback/credentials", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email, password, csrfToken: "x", json: "true" }),
  });
  let userId: string | null = null;
  const response = await throttledCredentialsCallback(request, async () => {
    authorizeCalls += 1;
    userId = (await authorize({ email, password }, {}))?.id ?? null;
    return Response.json({ url: "http://localhost/" }, { status: userId ? 200 : 401 });
  });
  return { status: response.status, retryAfter: response.headers.get("retry-after"), userId };
}

describe("sign-in throttling", () => {
  it("after three free failures each attempt waits longer, answered 429 with Retry-After before any password is checked", async () => {
    const user = await createUser();
    for (let i = 0; i < 4; i += 1) expect((await attempt(user.email, "wrong password")).status).toBe(401);
    const before = authorizeCalls;
    const throttled = await attempt(user.email, TEST_PASSWORD);
    expect(throttled.status).toBe(429);
    expect(Number(throttled.retryAfter)).toBeGreaterThanOrEqual(1);
    // Not even the right password is checked while the account waits.
    expect(authorizeCalls).toBe(before);
  });

  it("an unknown email gets exactly the same answers as a known one", async () => {
    const known = await createUser();
    const unknown = `${randomUUID()}@nobody.test`;
    const answers = async (email: string) => {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i += 1) statuses.push((await attempt(email, "wrong password")).status);
      return statuses;
    };
    expect(await answers(unknown)).toEqual(await answers(known.email));
    expect(await answers(`${randomUUID()}@nobody.test`)).toEqual([401, 401, 401, 401, 429]);
  });

  it("a success clears the account's failures", async () => {
    const user = await createUser();
    for (let i = 0; i < 3; i += 1) await attempt(user.email, "wrong password");
    expect((await attempt(user.email, TEST_PASSWORD)).status).toBe(200);
    for (let i = 0; i < 3; i += 1) expect((await attempt(user.email, "wrong password")).status).toBe(401);
  });

  it("authorize() refuses an attempt that did not pass the throttle, even with the right password", async () => {
    const user = await createUser();
    expect(await authorize({ email: user.email, password: TEST_PASSWORD }, {})).toBeNull();
  });

  it("X-Forwarded-For is believed only past the configured trusted proxies", () => {
    const headers = new Headers({ "x-forwarded-for": "6.6.6.6, 203.0.113.7, 10.0.0.2" });
    expect(clientAddress(headers, 0)).toBeNull();
    expect(clientAddress(headers, 1)).toBe("10.0.0.2");
    expect(clientAddress(headers, 2)).toBe("203.0.113.7");
    expect(clientAddress(new Headers(), 1)).toBeNull();
  });
});

describe("sessions end", () => {
  async function signedIn(email: string) {
    const user = await authenticate(email, TEST_PASSWORD);
    if (!user) throw new Error("sign-in failed");
    return { userId: user.id, version: user.sessionVersion };
  }

  it("a token stays valid until the user signs out everywhere, then never again", async () => {
    const user = await createUser();
    const session = await signedIn(user.email);
    expect(await userForSession(session.userId, session.version)).toMatchObject({ id: user.id });
    await endAllSessions(user.id);
    expect(await userForSession(session.userId, session.version)).toBeNull();
    expect(await userForSession(session.userId, undefined)).toBeNull();
  });

  it("sign-out (next-auth's signOut event) ends the replayed token", async () => {
    const user = await createUser();
    const session = await signedIn(user.email);
    await authOptions.events?.signOut?.({ token: { sub: user.id }, session: null as never });
    expect(await userForSession(session.userId, session.version)).toBeNull();
  });

  it("a password change needs the current password, and ends every session", async () => {
    const user = await createUser();
    const session = await signedIn(user.email);
    await expect(changePassword(user.id, { currentPassword: "not it at all", newPassword: "a brand new password" })).rejects.toThrow(
      /current password/,
    );
    expect(await userForSession(session.userId, session.version)).not.toBeNull();
    await callerFor(user).account.changePassword({ currentPassword: TEST_PASSWORD, newPassword: "a brand new password" });
    expect(await userForSession(session.userId, session.version)).toBeNull();
    expect(await authenticate(user.email, TEST_PASSWORD)).toBeNull();
    expect(await authenticate(user.email, "a brand new password")).toMatchObject({ id: user.id });
  });
});

describe("password reset", () => {
  let smtp: FakeSmtp;

  beforeAll(async () => {
    smtp = await FakeSmtp.start();
    Object.assign(process.env, {
      MAIL_SMTP_HOST: "127.0.0.1",
      MAIL_SMTP_PORT: String(smtp.port),
      MAIL_SMTP_USERNAME: smtp.credentials.username,
      MAIL_SMTP_PASSWORD: smtp.credentials.password,
      MAIL_FROM: "no-reply@fabric.test",
      SMTP_ALLOW_INSECURE_LOCAL: "1",
      SSRF_ALLOW_ADDRESSES: "127.0.0.1",
    });
  });

  afterAll(async () => {
    for (const name of [
      "MAIL_SMTP_HOST",
      "MAIL_SMTP_PORT",
      "MAIL_SMTP_USERNAME",
      "MAIL_SMTP_PASSWORD",
      "MAIL_FROM",
      "SMTP_ALLOW_INSECURE_LOCAL",
    ]) {
      delete process.env[name];
    }
    await smtp.close();
  });

  async function mailTo(email: string): Promise<string | null> {
    for (let i = 0; i < 50; i += 1) {
      const session = smtp.messages.find((message) => message.to.includes(email));
      if (session?.data) return session.data;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return null;
  }

  it("answers the same for a known and an unknown email; only the account gets a link, which works once", async () => {
    const user = await createUser();
    const unknown = `${randomUUID()}@nobody.test`;
    const caller = callerFor(null);
    const forKnown = await caller.account.requestReset({ email: user.email });
    const forUnknown = await caller.account.requestReset({ email: unknown });
    expect(forKnown).toEqual(forUnknown);
    const session = await authenticate(user.email, TEST_PASSWORD);
    const mail = await mailTo(user.email);
    expect(mail).not.toBeNull();
    const token = /reset-password\?token=3D([A-Za-z0-9_-]{43})|reset-password\?token=([A-Za-z0-9_-]{43})/.exec(
      (mail ?? "").replace(/=\r\n/g, ""),
    );
    const secret = token?.[1] ?? token?.[2];
    expect(secret).toBeTruthy();
    expect(await mailTo(unknown)).toBeNull();

    await caller.account.completeReset({ token: secret as string, newPassword: "reset to something new" });
    expect(await authenticate(user.email, "reset to something new")).toMatchObject({ id: user.id });
    expect(await userForSession(user.id, session?.sessionVersion)).toBeNull();
    await expect(completePasswordReset({ token: secret as string, newPassword: "and once more please" })).rejects.toThrow(/not valid/);
  });

  it("a made-up token changes nothing", async () => {
    await expect(completePasswordReset({ token: "A".repeat(43), newPassword: "whatever it may be" })).rejects.toThrow(/not valid/);
  });

  it("the same answer, without mail, once an address asked too often", async () => {
    const user = await createUser();
    for (let i = 0; i < 5; i += 1)
      expect(await requestPasswordReset(user.email, "http://localhost:3000")).toMatchObject({ message: expect.any(String) });
  });
});
