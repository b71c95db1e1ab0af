// Sign-in throttling, per account and per client address, in PostgreSQL
// (rate-limiter-flexible's store: one atomic upsert per check, shared by every
// process). An attempt is counted BEFORE the password hash is computed, so a
// burst cannot buy bcrypt time: the database refuses it first.
//
//   account: the first FREE_ATTEMPTS failures cost nothing; each further one
//            makes the next attempt wait 2, 4, 8… seconds (at most 60); after
//            ACCOUNT_ATTEMPTS attempts in 15 minutes the account is locked for
//            15 minutes. A success clears the account's count.
//   address: ADDRESS_ATTEMPTS attempts in 15 minutes, then 15 minutes locked.
//
// Keys are SHA-256 of the normalised email and of the address, so the table
// holds no addresses, and an unknown email is throttled exactly like a known one.
import { createHash } from "node:crypto";
import { RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import { consume, limiter } from "@/server/net/rate-limit";
import { normalizeEmail } from "./users";

export const FREE_ATTEMPTS = 3;
export const ACCOUNT_ATTEMPTS = 10;
export const ADDRESS_ATTEMPTS = 100;
const WINDOW_SECONDS = 15 * 60;
const MAX_DELAY_SECONDS = 60;

type TLimiters = { account: RateLimiterPostgres; address: RateLimiterPostgres; delay: RateLimiterPostgres };

function limiters(): TLimiters {
  return {
    account: limiter("signin-account", ACCOUNT_ATTEMPTS, WINDOW_SECONDS, WINDOW_SECONDS),
    address: limiter("signin-address", ADDRESS_ATTEMPTS, WINDOW_SECONDS, WINDOW_SECONDS),
    // Only ever set with block(): "wait until" for the growing delay.
    delay: limiter("signin-delay", 1, MAX_DELAY_SECONDS),
  };
}

function digest(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

export type TSignInAttempt = { accountKey: string; addressKey: string | null; attempts: number };
export type TReservation =
  { ok: true; attempt: TSignInAttempt } | { ok: false; retryAfterSeconds: number; reason: "delay" | "account" | "address" };

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/** Count one attempt for this email and address, or say how long to wait. */
export async function reserveSignIn(email: string, address: string | null): Promise<TReservation> {
  const { account, address: byAddress, delay } = limiters();
  const accountKey = digest(normalizeEmail(email));
  const addressKey = address ? digest(address) : null;
  const waiting = await delay.get(accountKey);
  if (waiting && waiting.consumedPoints > 1) return { ok: false, retryAfterSeconds: seconds(waiting.msBeforeNext), reason: "delay" };
  if (addressKey) {
    try {
      await byAddress.consume(addressKey);
    } catch (error) {
      if (error instanceof RateLimiterRes) return { ok: false, retryAfterSeconds: seconds(error.msBeforeNext), reason: "address" };
      throw error;
    }
  }
  try {
    const res = await account.consume(accountKey);
    return { ok: true, attempt: { accountKey, addressKey, attempts: res.consumedPoints } };
  } catch (error) {
    if (error instanceof RateLimiterRes) return { ok: false, retryAfterSeconds: seconds(error.msBeforeNext), reason: "account" };
    throw error;
  }
}

/** The delay the next attempt must wait after `attempts` failures in the window. */
export function delayAfter(attempts: number): number {
  if (attempts <= FREE_ATTEMPTS) return 0;
  return Math.min(2 ** (attempts - FREE_ATTEMPTS), MAX_DELAY_SECONDS);
}

/** After the password check: a success clears the account, a failure grows its delay. */
export async function settleSignIn(attempt: TSignInAttempt, isSuccess: boolean): Promise<void> {
  const { account, address, delay } = limiters();
  if (isSuccess) {
    await Promise.all([account.delete(attempt.accountKey), delay.delete(attempt.accountKey)]);
    if (attempt.addressKey) await address.reward(attempt.addressKey);
    return;
  }
  const wait = delayAfter(attempt.attempts);
  if (wait > 0) await delay.block(attempt.accountKey, wait);
}

/** At most 3 reset emails an hour per address: the reset form must not become a mail cannon. */
export async function reserveResetRequest(email: string): Promise<boolean> {
  return (await consume(limiter("reset-account", 3, 60 * 60), digest(normalizeEmail(email)))) === null;
}
