// memory.get / set / search / delete: the agent's notes, as rows of the tenant.
// Every change writes a version; delete is soft (the Trash can bring it back).
// The data functions live in server/memory/service.ts, shared with the Memory page.
import { z } from "zod";
import { withTenant } from "@/server/db";
import { getMemory, searchMemory, setMemory, softDeleteMemory } from "@/server/memory/service";
import type { TToolDefinition } from "./types";

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
  execute: async (context, args) => (await getMemory(context.tenantId, args.key)) ?? { key: args.key, found: false },
};

export const memorySet: TToolDefinition<{ key: string; value: string }> = {
  name: "memory.set",
  description: "Remember a value under a key (a new version if the key exists).",
  input: z.object({ key: ZKey, value: ZValue }).strict(),
  safetyClass: "write_internal",
  capability: "api",
  execute: (context, args) => setMemory(context.tenantId, args.key, args.value, context.principal),
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
  execute: async (context, args) => ({ entries: await searchMemory(context.tenantId, args.query.trim(), 20) }),
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
  execute: (context, args) =>
    withTenant(context.tenantId, async (db) => {
      // Soft: each entry gets a deleted version carrying its last value (server/memory/service.ts).
      const forgotten = await softDeleteMemory(db, context.tenantId, args.key ? { key: args.key } : { all: true }, context.principal);
      return { forgotten, restorable: true };
    }),
};

export const MEMORY_TOOLS = [memoryGet, memorySet, memorySearch, memoryDelete];
