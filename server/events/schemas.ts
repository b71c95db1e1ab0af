import { z } from "zod";
import { EVENT_CLASSES } from "./hash";

export const ZEventLogSettings = z.object({
  checkpointEvery: z.number().int().min(1).max(1_000_000),
  checkpointMinutes: z.number().int().min(1).max(10_080),
  anchoring: z.enum(["off", "builtin"]),
  retention: z.partialRecord(z.enum(EVENT_CLASSES), z.number().int().min(1).max(36_500)),
});
export type TEventLogSettings = z.infer<typeof ZEventLogSettings>;
