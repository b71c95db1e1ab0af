import { z } from "zod";
import { PASSWORD_MIN_LENGTH } from "@/server/auth/password";
import { zText } from "@/server/validation";

// `<tenant id>.<secret>`: the tenant part lets the accept flow open the right
// tenant context (RLS) before looking the invitation up by the secret's hash.
export const ZInvitationToken = z
  .string()
  .trim()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.[A-Za-z0-9_-]{43}$/, {
    message: "This invitation link is not valid.",
  });

export const ZAcceptInvitation = z.object({
  token: ZInvitationToken,
  name: zText({ max: 120 }).optional(),
  password: z
    .string()
    .min(PASSWORD_MIN_LENGTH, { message: `must be at least ${PASSWORD_MIN_LENGTH} characters` })
    .max(200)
    .refine((value) => !value.includes("\u0000"), { message: "must not contain NUL characters" })
    .optional(),
});

export type TAcceptInvitation = z.infer<typeof ZAcceptInvitation>;
