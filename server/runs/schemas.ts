import { z } from "zod";

export const ZRunStatus = z.enum(["running", "waiting_approval", "completed", "failed"]);

export const ZRunFilters = z.object({
  status: ZRunStatus.optional(),
  principal: z
    .string()
    .trim()
    .max(200)
    .regex(/^[^\u0000]*$/)
    .optional(),
  tool: z
    .string()
    .trim()
    .max(100)
    .regex(/^[a-z0-9_.-]*$/i, { message: "is a tool name like memory.set" })
    .optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  cursor: z.uuid().optional(),
  limit: z.number().int().min(1).max(100).default(25),
});
export type TRunFilters = z.infer<typeof ZRunFilters>;
