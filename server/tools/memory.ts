// memory.get / set / search / delete: the agent's notes, as rows of the tenant.
// Every change writes a version; delete is soft (the Trash can bring it back).
// The data functions live in server/memory/service.ts, shared with the Memory page.
import { z } from "zod";
import { getMemoryIn, searchMemoryIn, setMemoryIn, setMemoryStatement, softDeleteMemory } from "@/server/memory/service";
import type { TToolContext, TToolDefinition, TToolTransaction } from "./types";

/** The record step's transaction: memory tools are internal, their effect commits with its events. */
function transactionOf(context: TToolContext): TToolTransaction {
  if (!context.tx) throw new Error("memory tools run only inside the gate's record transaction");
  return context.tx;
}

const ZKey = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine((value) => !/[\u0000-\u001f]/.test(value), { message: "must not contain control characters" });
const ZValue = z
  .string()
  .max(10_000)
  .refine((value) => !value.includes("\u0000"), { message: "must not contain NUL" });

export const memoryGet: TToolDefinition<{ key: string }> = {
  name: "memory.get",
  description: "Read what you remembered under a key.",
  input: z.object({ key: ZKey }).strict(),
  safetyClass: "read_only",
  capability: "api",
  effect: "internal",
  execute: async (context, args) =>
    (await getMemoryIn(transactionOf(context).sql, context.tenantId, args.key)) ?? { key: args.key, found: false },
};

export const memorySet: TToolDefinition<{ key: string; value: string }> = {
  name: "memory.set",
  description: "Remember a value under a key (a new version if the key exists).",
  input: z.object({ key: ZKey, value: ZValue }).strict(),
  safetyClass: "write_internal",
  capability: "api",
  effect: "internal",
  execute: (context, args) => setMemoryIn(transactionOf(context).sql, context.tenantId, args.key, args.value, context.principal),
  commitEffect: (context, args) => ({
    statement: setMemoryStatement(context.tenantId, args.key, args.value, context.principal),
    result: (version) => ({ key: args.key, version }),
  }),
};

export const memorySearch: TToolDefinition<{ query: string }> = {
  name: "memory.search",
  description: "Find remembered entries whose key or value contains the text (empty text lists everything).",
  input: z
    .object({
      query: z
        .string()
        .max(200)
        .refine((value) => !value.includes("\u0000")),
    })
    .strict(),
  safetyClass: "read_only",
  capability: "api",
  effect: "internal",
  execute: async (context, args) => ({
    entries: await searchMemoryIn(transactionOf(context).sql, context.tenantId, args.query.trim(), 20),
  }),
};

export const memoryDelete: TToolDefinition<{ key?: string; all?: boolean }> = {
  name: "memory.delete",
  description: "Forget one key, or everything (all: true). Deleted entries stay restorable.",
  input: z
    .object({ key: ZKey.optional(), all: z.boolean().optional() })
    .strict()
    .refine((args) => Boolean(args.key) !== Boolean(args.all), { message: "give either a key or all: true" }),
  safetyClass: "destructive",
  capability: "api",
  effect: "internal",
  execute: async (context, args) => {
    // Soft: each entry gets a deleted version carrying its last value (server/memory/service.ts).
    const target = args.key ? { key: args.key } : { all: true as const };
    const forgotten = await softDeleteMemory(transactionOf(context).db, context.tenantId, target, context.principal);
    return { forgotten, restorable: true };
  },
};

export const MEMORY_TOOLS = [memoryGet, memorySet, memorySearch, memoryDelete];
