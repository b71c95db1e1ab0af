// message.send: a message on one of the tenant's channels (its signed webhook,
// its Slack incoming webhook, or email over SMTP) with the tenant's credential
// for that channel (server/connectors/message.ts, email.ts); without one, to
// its sandbox outbox, and the result says so.
import { z } from "zod";
import { sendEmail } from "@/server/connectors/email";
import { messageTimeoutMs, sendSlack, sendWebhook } from "@/server/connectors/message";
import type { TCredentialProvider } from "@/server/credentials/providers";
// Renamed here: the React hooks lint takes any use… function for a hook.
import { openCredentialForCall } from "@/server/credentials/service";
import { withTenant } from "@/server/db";
import { deliverToOutbox } from "@/server/outbox/service";
import type { TAnyTool, TToolDefinition } from "../types";

const TOOL = "message.send";
export const CHANNELS = ["webhook", "slack", "email"] as const;
export type TChannel = (typeof CHANNELS)[number];
const PROVIDER: Record<TChannel, TCredentialProvider> = { webhook: "webhook", slack: "slack", email: "smtp" };
const ONE_LINE = /^[^\u0000-\u001f\u007f]*$/;
const DEFAULT_SUBJECT = "Message from Agent Fabric";

export const ZMessageSend = z
  .object({
    channel: z.enum(CHANNELS),
    to: z.string().trim().min(1).max(320).regex(ONE_LINE, "must be one line").optional(),
    subject: z.string().trim().max(200).regex(ONE_LINE, "must be one line").optional(),
    text: z
      .string()
      .min(1)
      .max(10_000)
      .refine((value) => !value.includes("\u0000"), "must not contain NUL"),
    credentialId: z.uuid().optional(),
  })
  .strict()
  .superRefine((args, context) => {
    if (args.channel === "email" && !(args.to && z.email().safeParse(args.to).success))
      context.addIssue({ code: "custom", path: ["to"], message: "email needs `to`: one email address" });
  });
export type TMessageSend = z.infer<typeof ZMessageSend>;

/** The webhook URL policies may route on (plain configuration; Slack's URL is a secret and is not exposed). */
async function webhookUrl(tenantId: string, credentialId: string | undefined): Promise<string | undefined> {
  const row = await withTenant(tenantId, (db) =>
    db.credential.findFirst({
      where: { tenantId, provider: "webhook", deletedAt: null, ...(credentialId ? { id: credentialId } : {}) },
      orderBy: { createdAt: "desc" },
      select: { config: true },
    }),
  );
  const url = (row?.config as Record<string, unknown> | undefined)?.url;
  return typeof url === "string" ? url : undefined;
}

async function tenantSlug(tenantId: string): Promise<string | undefined> {
  return withTenant(tenantId, async (db) => (await db.tenant.findUnique({ where: { id: tenantId }, select: { slug: true } }))?.slug);
}

export const messageSend: TToolDefinition<TMessageSend> = {
  name: TOOL,
  description:
    "Send a message on one of the tenant's channels: `webhook` (the tenant's signed webhook), `slack` (its incoming-webhook channel) or `email` (`to` is then one email address; `subject` optional).",
  input: ZMessageSend,
  safetyClass: "external_side_effect",
  capability: "api",
  isOutboundMessage: true,
  timeoutMs: 30_000,
  policyFields: async (args, { tenantId }) => {
    const url = args.channel === "webhook" ? await webhookUrl(tenantId, args.credentialId) : undefined;
    return { counterparty: args.to ?? args.channel, ...(url ? { url } : {}) };
  },
  execute: async (context, args) => {
    const credential = await openCredentialForCall(context.tenantId, PROVIDER[args.channel], {
      tool: TOOL,
      runId: context.runId,
      principal: context.principal,
      credentialId: args.credentialId,
    });
    const message = { text: args.text, subject: args.subject || undefined, to: args.to };
    if (!credential)
      return deliverToOutbox(context.tenantId, {
        runId: context.runId,
        tool: TOOL,
        provider: PROVIDER[args.channel],
        target: args.to ?? args.channel,
        payload: { channel: args.channel, ...message },
      });
    if (args.channel === "webhook") {
      const sent = await sendWebhook(credential, { ...message, tenant: await tenantSlug(context.tenantId) }, context.signal);
      return { delivered: "webhook", status: sent.status, ...(args.to ? { to: args.to } : {}) };
    }
    if (args.channel === "slack") {
      const sent = await sendSlack(credential, message, context.signal);
      return { delivered: "slack", status: sent.status };
    }
    const email = { to: args.to ?? "", subject: message.subject ?? DEFAULT_SUBJECT, text: args.text };
    const sent = await sendEmail(credential, email, context.signal, messageTimeoutMs());
    return { delivered: "email", to: args.to, messageId: sent.messageId, accepted: sent.accepted };
  },
};

export const MESSAGE_TOOLS: TAnyTool[] = [messageSend];
