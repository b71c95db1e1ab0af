// The signed-in person's own account: change the password (the current one
// required), end every session, and the forgotten-password reset. The secret
// columns are reached only through definer functions (see the platform_users
// migration); every change bumps the session version, so old tokens stop working.
import { createHash, randomBytes } from "node:crypto";
import { hashPassword, verifyPassword } from "@/server/auth/password";
import { normalizeEmail } from "@/server/auth/users";
import { reserveResetRequest } from "@/server/auth/throttle";
import { withUser, withoutTenant } from "@/server/db";
import { AppError } from "@/server/errors";
import { logger } from "@/server/logger";
import { sendPlatformEmail } from "./mail";
import type { TChangePassword, TCompleteReset } from "./schemas";

export const RESET_MINUTES = 60;

function sha256(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

export async function changePassword(userId: string, input: TChangePassword): Promise<{ isSignedOut: true }> {
  const current = await withUser(userId, (db) => db.$queryRaw<{ hash: string | null }[]>`SELECT account_password_hash() AS hash`);
  if (!(await verifyPassword(input.currentPassword, current[0]?.hash))) {
    throw new AppError("BAD_REQUEST", "The current password is not right.");
  }
  const hash = await hashPassword(input.newPassword);
  await withUser(userId, (db) => db.$queryRaw`SELECT account_set_password(${hash})`);
  return { isSignedOut: true };
}

export async function endAllSessions(userId: string): Promise<{ isSignedOut: true }> {
  await withUser(userId, (db) => db.$queryRaw`SELECT account_end_sessions()`);
  return { isSignedOut: true };
}

const SAME_ANSWER = { message: "If an account exists for that address, a reset link is on its way." };

/**
 * The same answer, in about the same time, whether or not the email has an
 * account: the mail goes out after the answer, never awaited by it.
 */
export async function requestPasswordReset(email: string, baseUrl: string): Promise<typeof SAME_ANSWER> {
  const address = normalizeEmail(email);
  if (!(await reserveResetRequest(address))) return SAME_ANSWER;
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + RESET_MINUTES * 60_000);
  const rows = await withoutTenant(
    (db) => db.$queryRaw<{ stored: boolean }[]>`SELECT password_reset_request(${address}, ${sha256(token)}, ${expiresAt}) AS stored`,
  );
  if (rows[0]?.stored) {
    const link = new URL(`/reset-password?token=${token}`, baseUrl).toString();
    void sendPlatformEmail({
      to: address,
      subject: "Reset your Agent Fabric password",
      text: `Someone asked to reset the password of this account.\n\nTo choose a new one, open:\n${link}\n\nThe link works once, for ${RESET_MINUTES} minutes. If it was not you, ignore this message: your password stays as it is.`,
    }).catch((error: unknown) => logger.error({ err: error, event: "reset_mail_failed" }, "password reset email not sent"));
  }
  return SAME_ANSWER;
}

export async function completePasswordReset(input: TCompleteReset): Promise<{ isReset: true }> {
  const hash = await hashPassword(input.newPassword);
  const rows = await withoutTenant(
    (db) => db.$queryRaw<{ user_id: string | null }[]>`SELECT password_reset_complete(${sha256(input.token)}, ${hash}) AS user_id`,
  );
  if (!rows[0]?.user_id)
    throw new AppError("BAD_REQUEST", "This reset link is not valid, was already used, or has expired. Ask for a new one.");
  return { isReset: true };
}
