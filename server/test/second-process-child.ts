// The second app process of the several-instances tests, started by ./second-process.ts
// as `node --import tsx` with the test database's environment; never imported.
//
// It loads what a server loads at start (the gate's plug-ins), opens its own pool,
// then reads one task a line from stdin and answers one JSON line each on stdout,
// prefixed so nothing else printed there is mistaken for an answer. A task may name a
// barrier: it waits on that advisory lock (shared) until the test process releases it,
// so both processes start the same work at the same instant.
import { randomUUID } from "node:crypto";
import readline from "node:readline";
import pg from "pg";
import { disconnect, withTenant } from "@/server/db";
import { installPlugins } from "@/server/plugins";
import { isRaceTask, RACE_TASKS } from "./race-tasks";
import { ANSWER_PREFIX, type TBarrierKey, type TChildAnswer, type TChildTask } from "./second-process-protocol";

function answer(message: TChildAnswer): void {
  process.stdout.write(`${ANSWER_PREFIX}${JSON.stringify(message)}\n`);
}

async function main(): Promise<void> {
  installPlugins();
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set.");
  // Barrier waits get their own connection: the pool is for the work.
  const barrier = new pg.Client({ connectionString: url });
  await barrier.connect();
  // Warm up as a running server is warm: the pool's connections open, the tool catalog loaded.
  await Promise.all(Array.from({ length: 4 }, () => withTenant(randomUUID(), (db) => db.$queryRaw`SELECT 1`)));
  await import("@/server/tools/catalog");

  // Shared: holders never block each other, so tasks may wait on their barriers at once.
  const lock = (key: TBarrierKey) => barrier.query("SELECT pg_advisory_lock_shared($1, $2)", [key.classId, key.objId]);
  const unlock = (key: TBarrierKey) => barrier.query("SELECT pg_advisory_unlock_shared($1, $2)", [key.classId, key.objId]);

  const running = new Set<Promise<void>>();
  const lines = readline.createInterface({ input: process.stdin });
  answer({ id: 0, ready: true });
  for await (const line of lines) {
    if (line.trim() === "") continue;
    const task = JSON.parse(line) as TChildTask;
    const work = (async () => {
      try {
        if (!isRaceTask(task.task)) throw new Error(`unknown task ${task.task}`);
        const run = RACE_TASKS[task.task] as (input: unknown) => Promise<unknown>;
        if (!task.barrier) {
          answer({ id: task.id, result: await run(task.input) });
          return;
        }
        await lock(task.barrier);
        // Released after the work, not before: no round trip between the barrier and the start.
        const result = await run(task.input).finally(() => unlock(task.barrier as TBarrierKey));
        answer({ id: task.id, result });
      } catch (error) {
        answer({ id: task.id, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
      }
    })();
    running.add(work);
    void work.finally(() => running.delete(work));
  }
  // stdin closed: finish what runs, then leave.
  await Promise.all(running);
  await barrier.end();
  await disconnect();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`second process failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
