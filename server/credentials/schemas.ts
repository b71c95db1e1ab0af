import { z } from "zod";
import { zText } from "@/server/validation";
import { CREDENTIAL_PROVIDERS } from "./providers";

const ZFieldValue = z
  .string()
  .max(20_000, { message: "must be at most 20,000 characters" })
  .refine((value) => !value.includes("\u0000"), { message: "must not contain NUL" });

export const ZCreateCredential = z.object({
  provider: z.enum(CREDENTIAL_PROVIDERS),
  label: zText({ max: 80 }),
  fields: z.record(z.string().max(40), ZFieldValue),
});
export type TCreateCredential = z.infer<typeof ZCreateCredential>;

export const ZCredentialRef = z.object({ credentialId: z.uuid() });

/** Rotation replaces the secret fields (all of them) and may change the plain ones. */
export const ZRotateCredential = ZCredentialRef.extend({ fields: z.record(z.string().max(40), ZFieldValue) });
export type TRotateCredential = z.infer<typeof ZRotateCredential>;
