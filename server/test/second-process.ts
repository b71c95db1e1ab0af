// A second app process on the test database, for tests of several instances: a real OS
// process (its own pool, its own module state and caches), running the same functions
// as the test process (./race-tasks.ts). `atOnce` starts one task in both processes at
// the same instant: the test holds an advisory lock, the child waits on it, and the
// test releases it and starts its own side straight away.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { randomInt } from "node:crypto";
import path from "node:path";
import readline from "node:readline";
import pg from "pg";
import { RACE_TASKS, type TRaceInput, type TRaceOutput, type TRaceTask } from "./race-tasks";
import { ANSWER_PREFIX, type TBarrierKey, type TChildAnswer, type TChildTask } from "./second-process-protocol";

const ROOT = path.resolve(import.meta.dirname, "../..");
const CHILD = path.join(import.meta.dirname, "second-process-child.ts");
/** The first half of every barrier key: "race" in ASCII, so they are easy to spot in pg_locks. */
const BARRIER_CLASS = 0x72616365;
const START_TIMEOUT_MS = 60_000;
const BARRIER_TIMEOUT_MS = 30_000;

export type TSecondProcess = {
  /** Run a task there; with a barrier key, it starts once the barrier is released. */
  run<K extends TRaceTask>(task: K, input: TRaceInput<K>, barrier?: TBarrierKey): Promise<TRaceOutput<K>>;
  /** Close its stdin and wait for it to finish what runs and exit. */
  stop(): Promise<void>;
  pid: number;
};

type TPending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

/**
 * Start the second process with this process's environment (the integration setup has
 * set DATABASE_URL, MASTER_KEYS, NEXTAUTH_SECRET…: the same configuration, as several
 * instances of one deployment must share). Resolves once it is connected and warm.
 */
export async function startSecondProcess(): Promise<TSecondProcess> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ["--import", "tsx", CHILD], {
    cwd: ROOT,
    env: { ...process.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const pending = new Map<number, TPending>();
  let stderr = "";
  let nextId = 1;
  let ready: TPending | null = null;
  const isReady = new Promise<void>((resolve, reject) => {
    ready = { resolve: () => resolve(), reject };
  });
  const failAll = (error: Error) => {
    ready?.reject(error);
    for (const waiting of pending.values()) waiting.reject(error);
    pending.clear();
  };
  child.stderr.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  child.on("exit", (code, signal) => failAll(new Error(`the second process exited (${code ?? signal}): ${stderr}`)));
  child.on("error", (error) => failAll(error));
  readline.createInterface({ input: child.stdout }).on("line", (line) => {
    if (!line.startsWith(ANSWER_PREFIX)) return;
    const message = JSON.parse(line.slice(ANSWER_PREFIX.length)) as TChildAnswer;
    if ("ready" in message) {
      ready?.resolve(undefined);
      ready = null;
      return;
    }
    const waiting = pending.get(message.id);
    pending.delete(message.id);
    if ("error" in message) waiting?.reject(new Error(`in the second process: ${message.error}`));
    else waiting?.resolve(message.result);
  });
  const timeout = setTimeout(() => failAll(new Error(`the second process did not start in time: ${stderr}`)), START_TIMEOUT_MS);
  try {
    await isReady;
  } finally {
    clearTimeout(timeout);
  }
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    pid: child.pid ?? -1,
    run<K extends TRaceTask>(task: K, input: TRaceInput<K>, barrier?: TBarrierKey): Promise<TRaceOutput<K>> {
      const id = nextId++;
      const message: TChildTask = { id, task, input, ...(barrier ? { barrier } : {}) };
      return new Promise<TRaceOutput<K>>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        child.stdin.write(`${JSON.stringify(message)}\n`);
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin.end();
      const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** Runs `task` here and in the second process, both released at the same instant; `there` defaults to `here`'s input. */
export async function atOnce<K extends TRaceTask>(
  second: TSecondProcess,
  task: K,
  here: TRaceInput<K>,
  there: TRaceInput<K> = here,
): Promise<{ here: TRaceOutput<K>; there: TRaceOutput<K> }> {
  return raceBoth(second, { task, input: here }, { task, input: there });
}

export type TRaceCall<K extends TRaceTask> = { task: K; input: TRaceInput<K> };

/** Runs one task here and another in the second process, both released at the same instant. */
export async function raceBoth<K extends TRaceTask, L extends TRaceTask>(
  second: TSecondProcess,
  here: TRaceCall<K>,
  there: TRaceCall<L>,
): Promise<{ here: TRaceOutput<K>; there: TRaceOutput<L> }> {
  const key: TBarrierKey = { classId: BARRIER_CLASS, objId: randomInt(1, 2 ** 31 - 1) };
  const gate = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await gate.connect();
  try {
    await gate.query("SELECT pg_advisory_lock($1, $2)", [key.classId, key.objId]);
    const thereDone = second.run(there.task, there.input, key);
    // Swallowed here, rethrown below: the other side must not go unhandled meanwhile.
    thereDone.catch(() => undefined);
    await waitForWaiter(gate, key, thereDone);
    await gate.query("SELECT pg_advisory_unlock($1, $2)", [key.classId, key.objId]);
    const run = RACE_TASKS[here.task] as (input: TRaceInput<K>) => Promise<TRaceOutput<K>>;
    const [hereResult, thereResult] = await Promise.all([run(here.input), thereDone]);
    return { here: hereResult, there: thereResult };
  } finally {
    await gate.end();
  }
}

/** Until the second process is blocked on the barrier (pg_locks shows its ungranted request). */
async function waitForWaiter(gate: pg.Client, key: TBarrierKey, thereDone: Promise<unknown>): Promise<void> {
  let isSettled = false;
  void thereDone.then(
    () => (isSettled = true),
    () => (isSettled = true),
  );
  const started = Date.now();
  for (;;) {
    const { rows } = await gate.query<{ waiting: number }>(
      `SELECT count(*)::int AS waiting FROM pg_locks
        WHERE locktype = 'advisory' AND classid::bigint = $1 AND objid::bigint = $2 AND objsubid = 2 AND NOT granted`,
      [key.classId, key.objId],
    );
    if ((rows[0]?.waiting ?? 0) > 0) return;
    // Answered without waiting: it failed before the barrier (its error surfaces from thereDone).
    if (isSettled) return;
    if (Date.now() - started > BARRIER_TIMEOUT_MS) throw new Error("the second process never reached the barrier");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
