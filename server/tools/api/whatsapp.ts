// whatsapp.send: a text or approved template message to a phone number through
// the WhatsApp Cloud API (server/connectors/whatsapp.ts) with the tenant's own
// credential; without one, to the tenant's sandbox outbox, and the result says so.
import { z } from "zod";
import { sendWhatsapp, whatsappMessageBody } from "@/server/connectors/whatsapp";
// Renamed here: the React hooks lint takes any use… function for a hook.
import { openCredentialForCall } from "@/server/credentials/service";
import { deliverToOutbox } from "@/server/outbox/service";
import type { TAnyTool, TToolDefinition } from "../types";

const TOOL = "whatsapp.send";

/** A phone number in international form: digits with an optional leading + (spaces, dots, dashes and brackets allowed). */
const ZPhone = z
  .string()
  .trim()
  .max(32)
  .regex(/^\+?[0-9][0-9 ().-]{6,30}$/, "must be a phone number in international form, e.g. +15551234567")
  // Kept as "+<digits>": the gate's PII detection (pii-strict) recognizes that form as a phone number.
  .transform((value) => `+${value.replace(/[^0-9]/g, "")}`)
  .refine((phone) => phone.length >= 8 && phone.length <= 16, "must have 7 to 15 digits");

const ZTemplate = z
  .object({
    name: z
      .string()
      .trim()
      .min(1)
      .max(512)
      .regex(/^[a-z0-9_]+$/, "template names are lowercase letters, digits and underscores"),
    language: z
      .string()
      .trim()
      .min(2)
      .max(15)
      .regex(/^[A-Za-z_]+$/, "a language code such as en_US"),
    components: z
      .array(
        z
          .object({
            type: z.enum(["header", "body", "button"]),
            sub_type: z.string().max(30).optional(),
            index: z.union([z.string().max(3), z.number().int().min(0).max(9)]).optional(),
            parameters: z.array(z.record(z.string(), z.unknown())).max(20).optional(),
          })
          .strict(),
      )
      .max(10)
      .optional(),
  })
  .strict();

export const ZWhatsappSend = z
  .object({
    to: ZPhone,
    text: z
      .string()
      .min(1)
      .max(4096)
      .refine((value) => !value.includes("\u0000"), "must not contain NUL")
      .optional(),
    template: ZTemplate.optional(),
  })
  .strict()
  .refine((args) => (args.text === undefined) !== (args.template === undefined), { message: "give either text or template, not both" });
export type TWhatsappSend = z.infer<typeof ZWhatsappSend>;

export const whatsappSend: TToolDefinition<TWhatsappSend> = {
  name: TOOL,
  description:
    'Send a WhatsApp message to a phone number (international form, e.g. "+15551234567"): either `text`, or an approved `template` ({ name, language, components? }) for people who have not written in the last 24 hours.',
  input: ZWhatsappSend,
  safetyClass: "external_side_effect",
  capability: "api",
  isOutboundMessage: true,
  timeoutMs: 20_000,
  policyFields: (args) => ({ counterparty: args.to }),
  execute: async (context, args) => {
    const credential = await openCredentialForCall(context.tenantId, "whatsapp", {
      tool: TOOL,
      runId: context.runId,
      principal: context.principal,
    });
    const body = whatsappMessageBody(args);
    if (!credential)
      return deliverToOutbox(context.tenantId, { runId: context.runId, tool: TOOL, provider: "whatsapp", target: args.to, payload: body });
    const messageId = await sendWhatsapp(credential, body, context.signal);
    return { delivered: "whatsapp", messageId, to: args.to, type: body.type };
  },
};

export const WHATSAPP_TOOLS: TAnyTool[] = [whatsappSend];
