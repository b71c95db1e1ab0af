// The Trash's order, across kinds: most recently deleted first, then by kind, then by
// id (a total order, so a page boundary never drops or repeats an item), and the
// cursor that says where the next page starts.
import { AppError } from "@/server/errors";
import { isUuid } from "@/server/validation";
import type { TTrashCursor, TTrashItem } from "./types";

/** A page of the Trash holds at most this many items (the service asks each kind for one more). */
export const TRASH_PAGE_MAX = 200;

/** Negative when `a` comes first in the Trash. */
export function trashOrder(a: Pick<TTrashItem, "deletedAt" | "kind" | "id">, b: Pick<TTrashItem, "deletedAt" | "kind" | "id">): number {
  const byTime = b.deletedAt.getTime() - a.deletedAt.getTime();
  if (byTime !== 0) return byTime;
  if (a.kind !== b.kind) return a.kind < b.kind ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * For one kind, where its items after the cursor are, as a comparison on the time column
 * and the id: a kind before the cursor's continues strictly earlier, the cursor's own kind
 * at the same time with a greater id, a kind after it from the same time on.
 */
export function afterCursor(kind: string, after: TTrashCursor | null): { at: Date; op: "lt" | "lte"; idAfter: string | null } | null {
  if (!after) return null;
  if (kind < after.kind) return { at: after.deletedAt, op: "lt", idAfter: null };
  if (kind > after.kind) return { at: after.deletedAt, op: "lte", idAfter: null };
  return { at: after.deletedAt, op: "lt", idAfter: after.id };
}

/** The same, as a Prisma filter on the kind's time column (deletedAt, or createdAt for snapshots). */
export function afterCursorWhere(kind: string, after: TTrashCursor | null, field: string): Record<string, unknown> {
  const where = afterCursor(kind, after);
  if (!where) return {};
  const before = { [field]: { [where.op]: where.at } };
  return where.idAfter ? { OR: [before, { [field]: where.at, id: { gt: where.idAfter } }] } : before;
}

export function encodeCursor(item: TTrashCursor): string {
  return Buffer.from(JSON.stringify([item.deletedAt.toISOString(), item.kind, item.id]), "utf8").toString("base64url");
}

export function decodeCursor(text: string): TTrashCursor {
  try {
    const [at, kind, id] = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as unknown[];
    const deletedAt = new Date(String(at));
    if (
      typeof at === "string" &&
      !Number.isNaN(deletedAt.getTime()) &&
      typeof kind === "string" &&
      /^[a-z_]{1,40}$/.test(kind) &&
      typeof id === "string" &&
      isUuid(id)
    )
      return { deletedAt, kind, id };
  } catch {
    // Not JSON: refused below.
  }
  throw new AppError("BAD_REQUEST", "The Trash page cursor is not valid; load the Trash from its first page.");
}
