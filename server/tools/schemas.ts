import { z } from "zod";

/** A tool's registered name ("memory.set"); whether it exists here is the service's question. */
export const ZToolName = z
  .string()
  .trim()
  .min(1, { message: "is required" })
  .max(100, { message: "must be at most 100 characters" })
  .regex(/^[a-z0-9_.-]+$/i, { message: "is a tool name like memory.set" });

export const ZSetToolEnabled = z.object({ tool: ZToolName, isEnabled: z.boolean() });
export type TSetToolEnabled = z.infer<typeof ZSetToolEnabled>;
