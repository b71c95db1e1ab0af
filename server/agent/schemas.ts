import { z } from "zod";
import { LLM_PROVIDERS } from "./providers";
import { zText } from "@/server/validation";

export const ZSendMessage = z.object({
  conversationId: z.uuid(),
  message: zText({ max: 4_000 }),
});
export const ZConversationRef = z.object({ conversationId: z.uuid() });
export const ZCreateConversation = z.object({ title: zText({ max: 120 }).optional() });

export const ZModelSettingsInput = z.object({
  provider: z.enum(LLM_PROVIDERS),
  baseUrl: z
    .url({ protocol: /^https?$/, message: "must be an http(s) URL, e.g. https://api.openai.com/v1" })
    .max(500)
    .nullish(),
  model: zText({ max: 200 }).nullish(),
  /** Write-only. Absent: keep the stored key. */
  apiKey: z.string().trim().min(8, { message: "looks too short for an API key" }).max(1_000).optional(),
  clearApiKey: z.boolean().optional(),
});
export type TModelSettingsInput = z.infer<typeof ZModelSettingsInput>;
