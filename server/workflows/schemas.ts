import { z } from "zod";
import { zText } from "@/server/validation";

/** What agents call a workflow by (workflow.run { name }): lower-case, no spaces. */
export const ZWorkflowName = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9._-]{0,79}$/, { message: "use 1–80 lower-case letters, digits, dots, dashes or underscores, e.g. daily-digest" });

export const MAX_INPUT_BYTES = 32 * 1024;
/** A run's input: plain JSON under plain keys, small. */
export const ZWorkflowInput = z
  .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/, { message: "input keys are plain names" }), z.json())
  .refine((input) => Buffer.byteLength(JSON.stringify(input)) <= MAX_INPUT_BYTES, {
    message: `the input must be at most ${MAX_INPUT_BYTES / 1024} KiB of JSON`,
  });

export const ZWorkflowRef = z.object({ workflowId: z.uuid() });
/** The definition is checked by validateDefinition (allowlist, references, cycles), not here. */
export const ZSaveWorkflow = z.object({
  workflowId: z.uuid().optional(),
  name: ZWorkflowName,
  description: zText({ min: 0, max: 500 }).default(""),
  definition: z.unknown(),
});
export type TSaveWorkflow = z.infer<typeof ZSaveWorkflow>;
export const ZValidateWorkflow = z.object({ definition: z.unknown() });
export const ZRunWorkflow = ZWorkflowRef.extend({ input: ZWorkflowInput.default({}) });
