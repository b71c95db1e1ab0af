import { z } from "zod";
import { zText } from "@/server/validation";

/** The same shape as an agent id in an approval tier (server/approvals/types.ts). */
export const ZAgentId = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9._:-]{0,79}$/, {
    message: "use 1–80 lower-case letters, digits, dots, underscores, colons or dashes, starting with a letter or digit",
  });

export const ZCreateAgentKey = z.object({ agentId: ZAgentId, label: zText({ max: 80 }) });
export type TCreateAgentKey = z.infer<typeof ZCreateAgentKey>;

export const ZAgentKeyRef = z.object({ keyId: z.uuid() });

/** The body of POST …/approvals/:requestId/decision. */
export const ZAgentDecision = z.object({ vote: z.enum(["approve", "deny"]), comment: zText({ min: 0, max: 2_000 }).optional() }).strict();
export type TAgentDecision = z.infer<typeof ZAgentDecision>;

export type TAgentKeyView = {
  id: string;
  agentId: string;
  label: string;
  keyPrefix: string;
  createdBy: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
};
