// A tenant's approval-notification settings (which credentials, which recipients,
// which events) and the delivery log. Credentials are referenced by id and must be
// the tenant's own, of the right provider; their secrets never pass through here.
import { z } from "zod";
import { recordAudit } from "@/server/audit/service";
import { PROVIDER_DEFINITIONS, type TCredentialProvider } from "@/server/credentials/providers";
import type { TenantDb } from "@/server/db";
import { AppError, notFound } from "@/server/errors";
import { NOTIFICATION_EVENTS, type TNotificationEvent } from "./notify";
import { userPrincipal } from "@/server/principals";

export const ZNotificationSettings = z.object({
  webhookCredentialId: z.uuid().nullable(),
  emailCredentialId: z.uuid().nullable(),
  emailTo: z.array(z.email({ message: "must be email addresses" }).max(254)).max(20),
  events: z.array(z.enum(NOTIFICATION_EVENTS)).max(NOTIFICATION_EVENTS.length),
});
export type TNotificationSettingsInput = z.infer<typeof ZNotificationSettings>;

export const ZNotificationLogQuery = z.object({
  status: z.enum(["pending", "sent", "failed"]).optional(),
  limit: z.number().int().min(1).max(200).default(50),
});

export type TNotificationSettings = {
  webhookCredentialId: string | null;
  emailCredentialId: string | null;
  emailTo: string[];
  events: TNotificationEvent[];
  updatedBy: string | null;
  updatedAt: Date | null;
};

export async function getNotificationSettings(db: TenantDb, tenantId: string): Promise<TNotificationSettings> {
  const row = await db.approvalNotificationSetting.findUnique({ where: { tenantId } });
  if (!row)
    return {
      webhookCredentialId: null,
      emailCredentialId: null,
      emailTo: [],
      events: [...NOTIFICATION_EVENTS],
      updatedBy: null,
      updatedAt: null,
    };
  return {
    webhookCredentialId: row.webhookCredentialId,
    emailCredentialId: row.emailCredentialId,
    emailTo: row.emailTo,
    events: row.events.filter((event): event is TNotificationEvent => (NOTIFICATION_EVENTS as readonly string[]).includes(event)),
    updatedBy: row.updatedBy,
    updatedAt: row.updatedAt,
  };
}

/** The tenant's live credential with this id, of this provider; another tenant's id is NOT_FOUND. */
async function ownCredential(db: TenantDb, tenantId: string, credentialId: string, provider: TCredentialProvider, use: string) {
  const credential = await db.credential.findFirst({ where: { id: credentialId, tenantId, deletedAt: null } });
  if (!credential) throw notFound("Credential");
  if (credential.provider !== provider) {
    const actual = PROVIDER_DEFINITIONS[credential.provider as TCredentialProvider]?.label ?? credential.provider;
    throw new AppError(
      "BAD_REQUEST",
      `"${credential.label}" is a ${actual} credential; ${use} need a ${PROVIDER_DEFINITIONS[provider].label} credential.`,
    );
  }
  return credential;
}

export async function saveNotificationSettings(
  db: TenantDb,
  tenantId: string,
  actorUserId: string,
  input: TNotificationSettingsInput,
): Promise<TNotificationSettings> {
  const emailTo = [...new Set(input.emailTo.map((address) => address.trim().toLowerCase()))];
  const events = NOTIFICATION_EVENTS.filter((event) => input.events.includes(event));
  if (input.webhookCredentialId) await ownCredential(db, tenantId, input.webhookCredentialId, "webhook", "webhook notifications");
  if (input.emailCredentialId) {
    await ownCredential(db, tenantId, input.emailCredentialId, "smtp", "email notifications");
    if (emailTo.length === 0) throw new AppError("BAD_REQUEST", "Add at least one recipient for email notifications.");
  }
  const data = {
    webhookCredentialId: input.webhookCredentialId,
    emailCredentialId: input.emailCredentialId,
    emailTo,
    events,
    updatedBy: userPrincipal(actorUserId),
    updatedAt: new Date(),
  };
  await db.approvalNotificationSetting.upsert({ where: { tenantId }, create: { tenantId, ...data }, update: data });
  await recordAudit(db, {
    tenantId,
    actorUserId,
    action: "approval_notifications.saved",
    targetType: "approval_notification_settings",
    targetId: tenantId,
    data: {
      webhookCredentialId: input.webhookCredentialId,
      emailCredentialId: input.emailCredentialId,
      recipients: emailTo.length,
      events,
    },
  });
  return getNotificationSettings(db, tenantId);
}

/** Recent deliveries, newest first: what was sent, what waits for a retry and why, what failed for good. */
export async function listNotifications(db: TenantDb, tenantId: string, query: z.infer<typeof ZNotificationLogQuery>) {
  const rows = await db.approvalNotification.findMany({
    where: { tenantId, ...(query.status ? { status: query.status } : {}) },
    orderBy: { createdAt: "desc" },
    take: query.limit,
  });
  return rows.map((row) => {
    const payload = row.payload as { tool?: string };
    return {
      id: row.id,
      requestId: row.requestId,
      kind: row.kind as TNotificationEvent,
      channel: row.channel as "webhook" | "email",
      target: row.target,
      tool: payload.tool ?? null,
      status: row.status as "pending" | "sent" | "failed",
      attempts: row.attempts,
      nextAttemptAt: row.status === "pending" ? row.nextAttemptAt : null,
      lastError: row.lastError,
      createdAt: row.createdAt,
      sentAt: row.sentAt,
    };
  });
}
export type TNotificationLogItem = Awaited<ReturnType<typeof listNotifications>>[number];
