import { z } from "zod";
import { zText } from "@/server/validation";

export const ZSendMessage = z.object({
  conversationId: z.uuid(),
  message: zText({ max: 4_000 }),
});
export const ZConversationRef = z.object({ conversationId: z.uuid() });
export const ZCreateConversation = z.object({ title: zText({ max: 120 }).optional() });
