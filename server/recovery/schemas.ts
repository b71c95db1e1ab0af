import { z } from "zod";
import { zText } from "@/server/validation";
import { TRASH_PAGE_MAX } from "./trash-page";

/** A recoverable kind's id ("memory", "skill", "policy_pack"…); whether it exists is the service's question. */
export const ZKind = z
  .string()
  .trim()
  .min(1, { message: "is required" })
  .max(40, { message: "must be at most 40 characters" })
  .regex(/^[a-z_]+$/, { message: "is a kind like memory or policy_pack" });

export const ZTrashQuery = z.object({
  kind: ZKind.optional(),
  /** Items per page (50 unless given). */
  limit: z
    .number()
    .int()
    .min(1, { message: "is at least 1" })
    .max(TRASH_PAGE_MAX, { message: `is at most ${TRASH_PAGE_MAX}` })
    .optional(),
  /** Where the page starts: the `nextCursor` of the page before. */
  cursor: z.string().max(400).nullish(),
});

/** Emptying the Trash removes everything in it for good: the caller must say so. */
export const ZEmptyTrash = z.object({ confirm: z.literal("empty the trash", { message: 'type "empty the trash" to confirm' }) });

export const ZItemRef = z.object({ kind: ZKind, id: zText({ max: 200 }) });
export type TItemRef = z.infer<typeof ZItemRef>;

const ZVersion = z.number().int().min(1).max(2_147_483_647);

export const ZRestoreVersion = ZItemRef.extend({ version: ZVersion });
export type TRestoreVersion = z.infer<typeof ZRestoreVersion>;

/** Two versions of one item to compare: what `from` had, what `to` has. */
export const ZDiffVersions = ZItemRef.extend({ from: ZVersion, to: ZVersion });
export type TDiffVersions = z.infer<typeof ZDiffVersions>;

export const MAX_PURGE_AFTER_DAYS = 3650;
export const ZUpdateRecoverySettings = z.object({
  purgeAfterDays: z
    .number()
    .int({ message: "is a whole number of days" })
    .min(1, { message: "is at least 1 day" })
    .max(MAX_PURGE_AFTER_DAYS, { message: `is at most ${MAX_PURGE_AFTER_DAYS} days` }),
});
export type TUpdateRecoverySettings = z.infer<typeof ZUpdateRecoverySettings>;
