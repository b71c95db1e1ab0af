// The durable job queues (pg-boss). Created by `npm run db:migrate` as the
// owner role, so the app role never needs DDL rights; the worker only uses them.
export const JOB_SCHEMA = "pgboss";

export const QUEUES = {
  /** Daily: remove each tenant's expired events, leaving verifiable summaries. */
  retention: { name: "trace-retention", cron: "17 3 * * *" },
  /** Every minute: checkpoint tenants whose newest events are older than their checkpoint interval. */
  checkpointSweep: { name: "trace-checkpoint-sweep", cron: "* * * * *" },
} as const;

export const QUEUE_NAMES = Object.values(QUEUES).map((queue) => queue.name);
