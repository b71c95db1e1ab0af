// The durable job queues (pg-boss). Created by `npm run db:migrate` as the
// owner role, so the app role never needs DDL rights; the worker only uses them.
export const JOB_SCHEMA = "pgboss";

export const QUEUES = {
  /** Daily: remove each tenant's expired events, leaving verifiable summaries. */
  retention: { name: "trace-retention", cron: "17 3 * * *" },
  /** Every minute: checkpoint tenants whose newest events are older than their checkpoint interval. */
  checkpointSweep: { name: "trace-checkpoint-sweep", cron: "* * * * *" },
  /** Every minute: fire each tenant's due cron schedules and heartbeat tasks (server/schedules/tick.ts). */
  scheduleTick: { name: "schedule-tick", cron: "* * * * *" },
  /** Daily: remove what has been in each tenant's Trash longer than its setting (server/recovery). */
  recoveryPurge: { name: "recovery-purge", cron: "41 3 * * *" },
  /**
   * One agent turn per inbound WhatsApp message (server/connectors/whatsapp-inbound.ts). Jobs carry
   * singletonKey = tenant id, so under the singleton policy a tenant's messages run one at a time.
   */
  whatsappInbound: { name: "whatsapp-inbound" },
  /** Every minute: approval requests past their tier's deadline get its timeout action, once (server/approvals). */
  approvalSweep: { name: "approval-sweep", cron: "* * * * *" },
  /** Every five minutes: closed windows of refused webhook deliveries become one audit row each (server/connectors/webhook-refusals.ts). */
  webhookRefusals: { name: "webhook-refusals", cron: "*/5 * * * *" },
  /** Every minute: SLA warnings due, then approval notifications due (webhook, email) with retries (server/approvals/notify.ts). */
  approvalNotify: { name: "approval-notify", cron: "* * * * *" },
} as const;

export const QUEUE_NAMES = Object.values(QUEUES).map((queue) => queue.name);

/**
 * pg-boss's own queue for cron: its timekeeper inserts each due schedule's job there
 * first. The app role cannot create it (queues are partitions), and without it every
 * insert is silently dropped and no cron job ever runs; migrations create it.
 */
export const CRON_SEND_QUEUE = "__pgboss__send-it";
