// Shared zod building blocks for free text. PostgreSQL refuses NUL in text, and
// control characters in names only confuse people, so both are refused here,
// as a clear 400, rather than at the database.
import { z } from "zod";

const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Any-case UUID text: ids are checked before they reach SQL, where a malformed one would throw. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

export function zText(options: { min?: number; max: number }) {
  return z
    .string()
    .trim()
    .min(options.min ?? 1, { message: "is required" })
    .max(options.max, { message: `must be at most ${options.max} characters` })
    .refine((value) => !CONTROL.test(value), { message: "must not contain control characters" });
}
