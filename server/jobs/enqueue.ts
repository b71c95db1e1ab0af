// Sending jobs from request handlers (e.g. an inbound webhook). A small pg-boss
// client that only sends: it runs no worker, supervisor or schedules, so it
// works on instances started with WORKER=off too. One per process.
import PgBoss from "pg-boss";
import { logger } from "@/server/logger";
import { JOB_SCHEMA } from "./queues";

const globalForProducer = globalThis as unknown as { agentFabricJobProducer?: Promise<PgBoss> };

function producer(): Promise<PgBoss> {
  globalForProducer.agentFabricJobProducer ??= (async () => {
    // Raw, at first use, like server/db: scripts set DATABASE_URL after their imports.
    const connectionString = process.env.DATABASE_URL;
    if (!connectionString) throw new Error("DATABASE_URL is not set.");
    const boss = new PgBoss({ connectionString, schema: JOB_SCHEMA, migrate: false, supervise: false, schedule: false, max: 2 });
    boss.on("error", (error) => logger.error({ err: error }, "job producer error"));
    await boss.start();
    return boss;
  })().catch((error: unknown) => {
    globalForProducer.agentFabricJobProducer = undefined;
    throw error;
  });
  return globalForProducer.agentFabricJobProducer;
}

/** Queue one job; resolves with its id. Throws when the queue cannot be reached. */
export async function enqueueJob(queue: string, data: object, options: PgBoss.SendOptions = {}): Promise<string> {
  const id = await (await producer()).send(queue, data, options);
  if (!id) throw new Error(`The job was not queued on ${queue}.`);
  return id;
}

/** Close the producer's connections (tests, shutdown). */
export async function stopJobProducer(): Promise<void> {
  const current = globalForProducer.agentFabricJobProducer;
  globalForProducer.agentFabricJobProducer = undefined;
  if (current) await (await current).stop({ graceful: false, wait: true });
}
