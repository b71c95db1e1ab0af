import { z } from "zod";
import { PASSWORD_MIN_LENGTH } from "@/server/auth/password";

const ZNewPassword = z
  .string()
  .min(PASSWORD_MIN_LENGTH, { message: `must be at least ${PASSWORD_MIN_LENGTH} characters` })
  .max(200)
  .refine((value) => !value.includes("\u0000"), { message: "must not contain NUL characters" });

export const ZChangePassword = z.object({ currentPassword: z.string().min(1).max(200), newPassword: ZNewPassword });
export const ZRequestReset = z.object({ email: z.email().trim().max(320) });
// 32 random bytes, base64url: the link's secret; only its SHA-256 is stored.
export const ZResetToken = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{43}$/, { message: "This reset link is not valid." });
export const ZCompleteReset = z.object({ token: ZResetToken, newPassword: ZNewPassword });

export type TChangePassword = z.infer<typeof ZChangePassword>;
export type TCompleteReset = z.infer<typeof ZCompleteReset>;
