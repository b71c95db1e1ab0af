// Approval notifications: when a request is made, nears its deadline or is decided,
// the tenant's chosen channels hear about it (a signed webhook and/or email), with a
// link to the request.
//
// Enqueueing only inserts rows (inside the caller's tenant transaction, so a
// notification exists exactly when its event was committed); delivery happens later,
// outside any transaction (deliverDueNotifications, run every minute by the worker).
// Each row is claimed with a lease before the outbound call, so two deliverers never
// send the same row at once; a crash mid-send means the row is sent again after the
// lease (at least once: the webhook's X-Fabric-Delivery is the row id, so receivers
// can drop the duplicate). Failures are retried after 1, 5, 15 and 60 minutes, then
// the row is marked failed; the error is kept, scrubbed of any secret the credential
// revealed.
import { sendEmail } from "@/server/connectors/email";
import { messageTimeoutMs, sendSignedEvent } from "@/server/connectors/message";
import type { TCredentialProvider } from "@/server/credentials/providers";
import { scrubText, withSecretScope } from "@/server/credentials/scope";
import { openCredentialForCall, type TOpenCredential } from "@/server/credentials/service";
import { withTenant, type TenantDb } from "@/server/db";
import { logger } from "@/server/logger";
import { runtimeSetting } from "@/server/runtime-settings";

export const NOTIFICATION_EVENTS = ["requested", "sla_warning", "decided"] as const;
export type TNotificationEvent = (typeof NOTIFICATION_EVENTS)[number];
export type TNotificationChannel = "webhook" | "email";

/** What a notification says about its request (no arguments: they may hold personal data). */
export type TNotificationSummary = {
  tool: string;
  /** Minor units (cents), as the gate routes on them. */
  amount?: number | bigint | null;
  currency?: string | null;
  counterparty?: string | null;
  status?: string;
  deadlineAt?: Date | null;
};

type TStoredSummary = {
  tool: string;
  amount: number | null;
  currency: string | null;
  counterparty: string | null;
  status: string | null;
  deadlineAt: string | null;
  /** Set on "decided" rows once the call was settled (service.ts): ran, failed, or only reached the sandbox Outbox. */
  outcome?: string;
};

/** Minutes to wait after the 1st, 2nd, 3rd and 4th failed attempt; the 5th failure is final. */
export const RETRY_BACKOFF_MINUTES = [1, 5, 15, 60] as const;
export const MAX_ATTEMPTS = RETRY_BACKOFF_MINUTES.length + 1;
/** A claimed row is not due again for this long (longer than any one delivery can take). */
const LEASE_MS = 5 * 60_000;
const BATCH = 50;
const CONCURRENCY = 4;
const MAX_ERROR_CHARS = 500;
const CREDENTIAL_USE = { tool: "approval.notify", runId: null, principal: "system:notifications" } as const;

const EVENT_TYPES: Record<TNotificationEvent, string> = {
  requested: "approval.requested",
  sla_warning: "approval.sla_warning",
  decided: "approval.decided",
};

/** The summary of an approval request row, for the hooks in the approvals service. */
export function requestSummary(
  request: {
    tool: string;
    amount: bigint | null;
    currency: string | null;
    counterparty: string | null;
    deadlineAt: Date | null;
    status: string;
  },
  status: string = request.status,
): TNotificationSummary {
  return {
    tool: request.tool,
    amount: request.amount,
    currency: request.currency,
    counterparty: request.counterparty,
    status,
    deadlineAt: request.deadlineAt,
  };
}

function stored(summary: TNotificationSummary): TStoredSummary {
  return {
    tool: summary.tool,
    amount: summary.amount === undefined || summary.amount === null ? null : Number(summary.amount),
    currency: summary.currency ?? null,
    counterparty: summary.counterparty ?? null,
    status: summary.status ?? null,
    deadlineAt: summary.deadlineAt ? summary.deadlineAt.toISOString() : null,
  };
}

/** The host of a webhook credential's URL, for the log (the URL's path or query may be a secret of its own). */
async function webhookTarget(db: TenantDb, tenantId: string, credentialId: string): Promise<string> {
  const credential = await db.credential.findFirst({ where: { id: credentialId, tenantId, deletedAt: null }, select: { config: true } });
  const url = (credential?.config as Record<string, string> | undefined)?.url;
  if (!url) return "(credential removed)";
  try {
    return new URL(url).host;
  } catch {
    return "(invalid URL)";
  }
}

/**
 * One pending notification per configured channel that listens to this event.
 * Call it inside the transaction that records the event; it makes no network call.
 */
export async function enqueueApprovalNotifications(
  db: TenantDb,
  tenantId: string,
  event: { requestId: string | null; kind: TNotificationEvent; summary: TNotificationSummary },
): Promise<number> {
  const settings = await db.approvalNotificationSetting.findUnique({ where: { tenantId } });
  if (!settings?.events.includes(event.kind)) return 0;
  const payload = stored(event.summary);
  const rows: { channel: TNotificationChannel; credentialId: string; target: string }[] = [];
  if (settings.webhookCredentialId)
    rows.push({
      channel: "webhook",
      credentialId: settings.webhookCredentialId,
      target: await webhookTarget(db, tenantId, settings.webhookCredentialId),
    });
  if (settings.emailCredentialId && settings.emailTo.length > 0)
    rows.push({ channel: "email", credentialId: settings.emailCredentialId, target: settings.emailTo.join(", ") });
  if (rows.length === 0) return 0;
  await db.approvalNotification.createMany({
    data: rows.map((row) => ({ tenantId, requestId: event.requestId, kind: event.kind, payload, ...row })),
  });
  return rows.length;
}

/**
 * Breach alerts: pending requests whose warning time (the tier's warnBeforeMinutes
 * before its deadline) has come get one sla_warning each. warned_at is claimed with a
 * conditional update, so concurrent sweeps alert once; a new tier resets it.
 */
export async function enqueueSlaWarnings(tenantId: string, now = new Date()): Promise<number> {
  return withTenant(tenantId, async (db) => {
    const due = await db.approvalRequest.findMany({
      where: { tenantId, status: "pending", warnedAt: null, warnAt: { lte: now }, deadlineAt: { gt: now } },
      take: 200,
    });
    let warned = 0;
    for (const request of due) {
      const { count } = await db.approvalRequest.updateMany({
        where: { id: request.id, tenantId, status: "pending", warnedAt: null, tier: request.tier },
        data: { warnedAt: now },
      });
      if (count !== 1) continue;
      warned += 1;
      await enqueueApprovalNotifications(db, tenantId, { requestId: request.id, kind: "sla_warning", summary: requestSummary(request) });
    }
    return warned;
  });
}

/** Where the notification points: the approvals page, opened on the request. */
export function requestLink(tenantSlug: string, requestId: string | null): string {
  const base = (runtimeSetting("NEXTAUTH_URL") ?? "http://localhost:3000").replace(/\/+$/, "");
  const page = `${base}/t/${encodeURIComponent(tenantSlug)}/approvals`;
  return requestId ? `${page}?request=${encodeURIComponent(requestId)}` : page;
}

function formatAmount(amount: number, currency: string | null): string {
  if (!currency) return String(amount);
  try {
    const format = new Intl.NumberFormat("en", { style: "currency", currency });
    return format.format(amount / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2));
  } catch {
    return `${amount} ${currency} (minor units)`;
  }
}

function emailFor(kind: TNotificationEvent, tenantSlug: string, summary: TStoredSummary, link: string): { subject: string; text: string } {
  const what = [
    summary.tool,
    summary.amount !== null ? formatAmount(summary.amount, summary.currency) : null,
    summary.counterparty ? `to ${summary.counterparty}` : null,
  ]
    .filter(Boolean)
    .join(" ");
  const subject =
    kind === "requested"
      ? `Approval needed: ${what}`
      : kind === "sla_warning"
        ? `Approval deadline soon: ${what}`
        : `Approval ${summary.status ?? "decided"}: ${what}${summary.outcome?.includes("Outbox") ? " (sandbox Outbox, not sent)" : ""}`;
  const lines = [
    kind === "requested"
      ? "A tool call is waiting for approval."
      : kind === "sla_warning"
        ? "A tool call waiting for approval is close to its deadline."
        : `An approval request was ${summary.status ?? "decided"}.`,
    "",
    `Tenant: ${tenantSlug}`,
    `Tool: ${summary.tool}`,
    ...(summary.amount !== null ? [`Amount: ${formatAmount(summary.amount, summary.currency)}`] : []),
    ...(summary.counterparty ? [`Counterparty: ${summary.counterparty}`] : []),
    ...(summary.status ? [`Status: ${summary.status}`] : []),
    ...(summary.outcome ? [`Outcome: ${summary.outcome}`] : []),
    ...(summary.deadlineAt ? [`Deadline: ${summary.deadlineAt}`] : []),
    "",
    `Open it: ${link}`,
  ];
  return { subject: subject.slice(0, 200), text: `${lines.join("\n")}\n` };
}

type TNotificationRow = Awaited<ReturnType<TenantDb["approvalNotification"]["findFirstOrThrow"]>>;

async function opened(tenantId: string, provider: TCredentialProvider, credentialId: string): Promise<TOpenCredential> {
  const credential = await openCredentialForCall(tenantId, provider, { ...CREDENTIAL_USE, credentialId });
  // With an id, a missing credential throws; this is for the type only.
  if (!credential) throw new Error("The notification's credential is gone; choose another in the notification settings.");
  return credential;
}

async function deliverOne(tenantId: string, tenantSlug: string, row: TNotificationRow): Promise<void> {
  const summary = row.payload as TStoredSummary;
  const kind = row.kind as TNotificationEvent;
  const link = requestLink(tenantSlug, row.requestId);
  const signal = AbortSignal.timeout(messageTimeoutMs() + 5_000);
  if (row.channel === "webhook") {
    const credential = await opened(tenantId, "webhook", row.credentialId);
    const body = JSON.stringify({
      type: EVENT_TYPES[kind],
      tenant: tenantSlug,
      request: {
        id: row.requestId,
        tool: summary.tool,
        amount: summary.amount,
        currency: summary.currency,
        counterparty: summary.counterparty,
        deadlineAt: summary.deadlineAt,
        status: summary.status,
        ...(summary.outcome ? { outcome: summary.outcome } : {}),
      },
      link,
    });
    await sendSignedEvent(credential, body, row.id, signal);
    return;
  }
  const credential = await opened(tenantId, "smtp", row.credentialId);
  await sendEmail(credential, { to: row.target, ...emailFor(kind, tenantSlug, summary, link) }, signal, messageTimeoutMs());
}

/** Claim due rows (short transaction, lease) and the tenant's slug for the links. */
async function claimDue(tenantId: string, now: Date): Promise<{ slug: string; rows: TNotificationRow[] }> {
  return withTenant(tenantId, async (db) => {
    const due = await db.$queryRaw<{ id: string }[]>`
      SELECT id FROM approval_notifications
      WHERE tenant_id = ${tenantId}::uuid AND status = 'pending' AND next_attempt_at <= ${now}
      ORDER BY next_attempt_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`;
    if (due.length === 0) return { slug: "", rows: [] };
    const ids = due.map((row) => row.id);
    await db.approvalNotification.updateMany({
      where: { id: { in: ids }, tenantId },
      data: { nextAttemptAt: new Date(now.getTime() + LEASE_MS) },
    });
    const tenant = await db.tenant.findUnique({ where: { id: tenantId }, select: { slug: true } });
    const rows = await db.approvalNotification.findMany({ where: { id: { in: ids }, tenantId }, orderBy: { createdAt: "asc" } });
    return { slug: tenant?.slug ?? "", rows };
  });
}

export type TDeliveryResult = { sent: number; retrying: number; failed: number };

/** Send this tenant's due notifications; never inside a transaction. */
export async function deliverDueNotifications(tenantId: string, now = new Date()): Promise<TDeliveryResult> {
  const { slug, rows } = await claimDue(tenantId, now);
  const result: TDeliveryResult = { sent: 0, retrying: 0, failed: 0 };
  for (let start = 0; start < rows.length; start += CONCURRENCY) {
    await Promise.all(
      rows.slice(start, start + CONCURRENCY).map(async (row) => {
        // Whatever the credential revealed is scrubbed from the error we keep and show.
        const secrets = new Set<string>();
        let error: string | null = null;
        try {
          await withSecretScope(secrets, () => deliverOne(tenantId, slug, row));
        } catch (failure) {
          const message = failure instanceof Error ? failure.message : "the delivery failed";
          error = scrubText(message, secrets).slice(0, MAX_ERROR_CHARS);
        }
        const attempts = row.attempts + 1;
        const isFinal = error !== null && attempts >= MAX_ATTEMPTS;
        const backoff = RETRY_BACKOFF_MINUTES[Math.min(attempts, RETRY_BACKOFF_MINUTES.length) - 1] ?? 60;
        await withTenant(tenantId, (db) =>
          db.approvalNotification.updateMany({
            where: { id: row.id, tenantId, status: "pending" },
            data:
              error === null
                ? { status: "sent", attempts, sentAt: new Date(), lastError: null }
                : isFinal
                  ? { status: "failed", attempts, lastError: error }
                  : { attempts, lastError: error, nextAttemptAt: new Date(now.getTime() + backoff * 60_000) },
          }),
        );
        if (error === null) result.sent += 1;
        else if (isFinal) {
          result.failed += 1;
          logger.warn({ tenantId, notificationId: row.id, channel: row.channel, attempts }, "approval notification failed for good");
        } else result.retrying += 1;
      }),
    );
  }
  return result;
}
