// The durable worker: pg-boss on the app's own database, connected as the app
// role. Schedules survive restarts (they live in the database) and each queue
// is a singleton, so two app instances never run the same sweep at once.
import PgBoss from "pg-boss";
import { logger } from "@/server/logger";
import {
  runCheckpointSweep,
  runApprovalNotifications,
  runApprovalSweep,
  runRecoveryPurge,
  runRetention,
  runScheduleTick,
  runWebhookRefusalAudit,
} from "./handlers";
import { processInboundMessage, type TInboundJob } from "@/server/connectors/whatsapp-inbound";
import { JOB_SCHEMA, QUEUES } from "./queues";

const globalForWorker = globalThis as unknown as { agentFabricWorker?: Promise<PgBoss> };

// Raw default, read at call time like server/db: scripts set DATABASE_URL after their imports.
export async function startWorker(connectionString = process.env.DATABASE_URL): Promise<PgBoss> {
  if (!connectionString) throw new Error("DATABASE_URL is not set.");
  // Cron checked every 10 s (default 30) and its hand-off polled every 2 s (default 5): a
  // minute job such as the schedule tick starts within ~15 s of its minute.
  const boss = new PgBoss({
    connectionString,
    schema: JOB_SCHEMA,
    migrate: false,
    max: 3,
    cronMonitorIntervalSeconds: 10,
    cronWorkerIntervalSeconds: 2,
  });
  boss.on("error", (error) => logger.error({ err: error }, "job queue error"));
  await boss.start();
  await boss.schedule(QUEUES.retention.name, QUEUES.retention.cron);
  await boss.schedule(QUEUES.checkpointSweep.name, QUEUES.checkpointSweep.cron);
  await boss.schedule(QUEUES.scheduleTick.name, QUEUES.scheduleTick.cron);
  await boss.work(QUEUES.scheduleTick.name, async () => {
    const result = await runScheduleTick();
    if (result.affected > 0 || result.failed > 0) logger.info(result, "schedule tick");
  });
  await boss.schedule(QUEUES.approvalSweep.name, QUEUES.approvalSweep.cron);
  await boss.work(QUEUES.approvalSweep.name, async () => {
    const result = await runApprovalSweep();
    if (result.affected > 0 || result.failed > 0) logger.info(result, "approval sweep");
  });
  await boss.schedule(QUEUES.approvalNotify.name, QUEUES.approvalNotify.cron);
  await boss.work(QUEUES.approvalNotify.name, async () => {
    const result = await runApprovalNotifications();
    if (result.affected > 0 || result.failed > 0) logger.info(result, "approval notifications");
  });
  await boss.schedule(QUEUES.webhookRefusals.name, QUEUES.webhookRefusals.cron);
  await boss.work(QUEUES.webhookRefusals.name, async () => {
    const result = await runWebhookRefusalAudit();
    if (result.affected > 0 || result.failed > 0) logger.info(result, "webhook refusals audited");
  });
  await boss.schedule(QUEUES.recoveryPurge.name, QUEUES.recoveryPurge.cron);
  await boss.work(QUEUES.recoveryPurge.name, async () => {
    logger.info(await runRecoveryPurge(), "trash purged");
  });
  await boss.work(QUEUES.retention.name, async () => {
    logger.info(await runRetention(), "retention applied");
  });
  await boss.work(QUEUES.checkpointSweep.name, async () => {
    const result = await runCheckpointSweep();
    if (result.affected > 0 || result.failed > 0) logger.info(result, "checkpoint sweep");
  });
  // Up to four tenants' inbound messages at once (one per tenant: singletonKey); a turn that fails is recorded on its row.
  await boss.work<TInboundJob>(QUEUES.whatsappInbound.name, { batchSize: 4, pollingIntervalSeconds: 1 }, async (jobs) => {
    const results = await Promise.allSettled(jobs.map((job) => processInboundMessage(job.data)));
    const failure = results.find((result) => result.status === "rejected");
    if (failure) throw failure.reason;
  });
  return boss;
}

/** Once per process (Next's dev server reloads modules). */
export function ensureWorker(): Promise<PgBoss> {
  globalForWorker.agentFabricWorker ??= startWorker().catch((error: unknown) => {
    globalForWorker.agentFabricWorker = undefined;
    throw error;
  });
  return globalForWorker.agentFabricWorker;
}
