import { z } from "zod";
import { zText } from "@/server/validation";

/** What agents call a skill by: lower-case, no spaces, e.g. "refund-policy". */
export const ZSkillName = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9._-]{0,79}$/, {
    message: "use 1–80 lower-case letters, digits, dots, dashes or underscores, e.g. refund-policy",
  });

export const MAX_SKILL_BODY = 50_000;
const ZBody = z
  .string()
  .min(1, { message: "is required" })
  .max(MAX_SKILL_BODY, { message: `must be at most ${MAX_SKILL_BODY.toLocaleString("en")} characters` })
  .refine((value) => !value.includes("\u0000"), { message: "must not contain NUL" })
  .refine((value) => value.trim().length > 0, { message: "is required" });
const ZDescription = zText({ min: 0, max: 500 });

export const ZSkillRef = z.object({ skillId: z.uuid() });
export const ZCreateSkill = z.object({ name: ZSkillName, description: ZDescription.default(""), body: ZBody });
export type TCreateSkill = z.infer<typeof ZCreateSkill>;
export const ZUpdateSkill = ZSkillRef.extend({ name: ZSkillName.optional(), description: ZDescription.optional(), body: ZBody.optional() });
export type TUpdateSkill = z.infer<typeof ZUpdateSkill>;
