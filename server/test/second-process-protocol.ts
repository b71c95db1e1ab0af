// What the test process and its second process (./second-process-child.ts) say to each
// other: one JSON object a line, tasks on the child's stdin, answers on its stdout.

/** Answers start with this, so a stray line on stdout is never read as one. */
export const ANSWER_PREFIX = "@@second-process ";

/** A Postgres advisory lock key, two-int form (pg_locks shows it as classid, objid). */
export type TBarrierKey = { classId: number; objId: number };

export type TChildTask = { id: number; task: string; input: unknown; barrier?: TBarrierKey };

export type TChildAnswer = { id: number; ready: true } | { id: number; result: unknown } | { id: number; error: string };
