// The credentials sign-in, throttled. next-auth's authorize() can only return a
// user or null, so the route handler (app/api/auth/[...nextauth]/route.ts)
// reserves the attempt first and answers 429 with Retry-After itself; the
// reservation reaches authorize() through AsyncLocalStorage, and authorize()
// refuses any attempt that did not pass through it.
import { AsyncLocalStorage } from "node:async_hooks";
import { withoutTenant } from "@/server/db";
import { env } from "@/server/env";
import { logger } from "@/server/logger";
import { reserveSignIn, settleSignIn, type TSignInAttempt } from "./throttle";
import { userPrincipal } from "@/server/principals";

type TContext = { attempt: TSignInAttempt; email: string; address: string | null };
const attempts = new AsyncLocalStorage<TContext>();

/**
 * The client's address, counted from the right of X-Forwarded-For past the
 * trusted proxies: each trusted proxy appends the address it saw, so entries
 * further left are whatever the client chose to send. With no trusted proxy,
 * no header is believed (null: throttle per account only).
 */
export function clientAddress(headers: Headers, trustedHops: number = env.TRUSTED_PROXY_HOPS): string | null {
  if (trustedHops <= 0) return null;
  const entries = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  const address = entries[entries.length - trustedHops];
  return address && address.length <= 64 ? address : null;
}

/**
 * Appends to platform_audit: insert-only for the app role, which may not read
 * it back (createMany: no RETURNING). The email was cut to its maximum length.
 */
async function auditSignIn(action: string, data: Record<string, string | number | null>, actor?: string): Promise<void> {
  await withoutTenant((db) =>
    db.platformAudit.createMany({ data: [{ action, targetType: "user", targetId: null, data, ...(actor ? { actor } : {}) }] }),
  );
}

const TOO_MANY = "TooManyAttempts";

/** Wraps next-auth's credentials callback: 429 before any password is hashed, when the throttle says so. */
export async function throttledCredentialsCallback(request: Request, next: () => Promise<Response>): Promise<Response> {
  const form = await request
    .clone()
    .formData()
    .catch(() => null);
  const email = String(form?.get("email") ?? "").slice(0, 320);
  const address = clientAddress(request.headers);
  const reservation = await reserveSignIn(email, address);
  if (!reservation.ok) {
    logger.warn({ event: "signin_throttled", reason: reservation.reason }, "sign-in throttled");
    await auditSignIn("signin.throttled", { email, address, reason: reservation.reason, retryAfterSeconds: reservation.retryAfterSeconds });
    const url = new URL("/signin", request.url);
    url.searchParams.set("error", TOO_MANY);
    // next-auth's client reads `url` (for its error) from the JSON body.
    return Response.json(
      { url: url.toString(), error: TOO_MANY, retryAfterSeconds: reservation.retryAfterSeconds },
      { status: 429, headers: { "Retry-After": String(reservation.retryAfterSeconds) } },
    );
  }
  return attempts.run({ attempt: reservation.attempt, email, address }, next);
}

/** Called from authorize() once the password was checked. */
export async function settleCurrentSignIn(userId: string | null): Promise<boolean> {
  const context = attempts.getStore();
  if (!context) {
    logger.error({ event: "signin_unthrottled" }, "sign-in reached authorize() without the throttle; refused");
    return false;
  }
  await settleSignIn(context.attempt, Boolean(userId));
  if (userId) await auditSignIn("signin.succeeded", { address: context.address }, userPrincipal(userId));
  else await auditSignIn("signin.failed", { email: context.email, address: context.address, attempts: context.attempt.attempts });
  return true;
}

export function hasSignInReservation(): boolean {
  return attempts.getStore() !== undefined;
}
