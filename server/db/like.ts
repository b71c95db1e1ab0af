// Prisma's `contains`, `startsWith` and `endsWith` become LIKE patterns without
// escaping, so a search for "50%" or "a_b" would match far more than typed.
// Wrap user text in `containsText` to match it literally.
import type { Prisma } from "./generated/client";

/** The text with LIKE's wildcards (% and _) and its escape character (\) escaped. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

/** A case-insensitive "contains" filter that matches `text` literally. */
export function containsText(text: string): Prisma.StringFilter & { mode: Prisma.QueryMode } {
  return { contains: escapeLike(text), mode: "insensitive" };
}
