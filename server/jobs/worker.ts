// The durable worker: pg-boss on the app's own database, connected as the app
// role. Schedules survive restarts (they live in the database) and each queue
// is a singleton, so two app instances never run the same sweep at once.
import PgBoss from "pg-boss";
import { logger } from "@/server/logger";
import { runCheckpointSweep, runRetention } from "./handlers";
import { JOB_SCHEMA, QUEUES } from "./queues";

const globalForWorker = globalThis as unknown as { agentFabricWorker?: Promise<PgBoss> };

export async function startWorker(connectionString = process.env.DATABASE_URL): Promise<PgBoss> {
  if (!connectionString) throw new Error("DATABASE_URL is not set.");
  const boss = new PgBoss({ connectionString, schema: JOB_SCHEMA, migrate: false, max: 3 });
  boss.on("error", (error) => logger.error({ err: error }, "job queue error"));
  await boss.start();
  await boss.schedule(QUEUES.retention.name, QUEUES.retention.cron);
  await boss.schedule(QUEUES.checkpointSweep.name, QUEUES.checkpointSweep.cron);
  await boss.work(QUEUES.retention.name, async () => {
    logger.info(await runRetention(), "retention applied");
  });
  await boss.work(QUEUES.checkpointSweep.name, async () => {
    const result = await runCheckpointSweep();
    if (result.affected > 0 || result.failed > 0) logger.info(result, "checkpoint sweep");
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
