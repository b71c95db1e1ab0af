// Recovery: whatever of a tenant's own state is deleted, by an agent or a person,
// can be brought back. Each recoverable kind (memory entries, skills, cron
// schedules, heartbeat tasks, workflows, policy packs) is soft-deleted and
// versioned, and implements this contract; server/recovery/kinds.ts lists them and
// the Trash page, the version history and the purge job work through it.
import type { TRole } from "@/server/auth/roles";
import type { TenantDb } from "@/server/db";

export type TTrashItem = {
  kind: string;
  id: string;
  /** What a person recognises it by: a memory key, a skill name, a schedule's label. */
  title: string;
  deletedAt: Date;
  /** "user:<email or id>" or "agent:<id>" */
  deletedBy: string;
  version: number;
};

/** Where a page of the Trash starts: just after this item. */
export type TTrashCursor = { deletedAt: Date; kind: string; id: string };
export type TTrashPage = { limit: number; after: TTrashCursor | null };

export type TVersionItem = {
  version: number;
  createdAt: Date;
  actor: string;
  isDeleted: boolean;
  /** The content of that version, shown as is (JSON or text). */
  content: unknown;
};

export type TRecoverableKind = {
  /** Stable id used in the API: "memory", "skill", "cron", "heartbeat", "workflow", "policy_pack". */
  kind: string;
  label: string;
  /**
   * The least role that may restore (and restore versions of) this kind; default
   * "member". Kinds whose old versions could widen what agents may do (policy
   * packs) should say "admin".
   */
  restoreRole?: TRole;
  /**
   * The kind's part of one page of the Trash: at most `page.limit` of its items that come
   * after `page.after` in the Trash's order (most recently deleted first, then by kind,
   * then by id; ./trash-page.ts), in that order.
   */
  listDeleted(db: TenantDb, tenantId: string, page: TTrashPage): Promise<TTrashItem[]>;
  /**
   * Newest first. Throws notFound for an id of another tenant. Ids arrive as any
   * 1-200 character string: a kind keyed by UUIDs answers notFound for anything
   * else (isUuid in server/validation.ts) rather than letting the database throw.
   */
  listVersions(db: TenantDb, tenantId: string, id: string): Promise<TVersionItem[]>;
  /** Undelete: the item comes back as its latest version, recorded as a new version. */
  restore(db: TenantDb, tenantId: string, id: string, actor: string): Promise<void>;
  /** Bring back an earlier version's content as a new version (deleted items are undeleted). */
  restoreVersion(db: TenantDb, tenantId: string, id: string, version: number, actor: string): Promise<void>;
  /** Remove for good what was deleted before the date; returns how many items. */
  purge(db: TenantDb, tenantId: string, deletedBefore: Date): Promise<number>;
};
