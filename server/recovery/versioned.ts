// The versioned, soft-deleted shape, written once: an entity table (the current
// version of each item, `deleted_at` set while it is in the Trash) and a versions
// table (one line per change: every save, delete and restore). A kind describes its
// two tables and its content columns; versionedKind gives it the Trash, the version
// history, restore (of the latest or any earlier version, always as a new version)
// and purge, and `write` for its own service's saves and deletes. Each kind keeps its
// own validation (`check`, run before any version is written) and its own tools.
//
// Table and column names come from the kinds' descriptors in code, never from input;
// every value is a parameter. The queries run in the caller's tenant transaction, so
// Row Level Security applies.
import type { TenantDb } from "@/server/db";
import { AppError, isUniqueViolation, notFound } from "@/server/errors";
import { isUuid } from "@/server/validation";
import { afterCursor } from "./trash-page";
import type { TRecoverableKind, TTrashItem, TVersionItem } from "./types";

type TColumnType = "text" | "jsonb" | "int" | "bool";

const CASTS: Record<TColumnType, string> = { text: "", jsonb: "::jsonb", int: "::integer", bool: "::boolean" };

/** How a kind's rows are stored. */
export type TVersionedTables<TContent extends Record<string, unknown>> = {
  /** The entity table ("skills"): id, tenant_id, version, deleted_at, updated_by, updated_at and the content columns. */
  entity: string;
  /** The versions table ("skill_versions"): tenant_id, the parent column, version, is_deleted, actor, created_at and the content columns. */
  versions: string;
  /** The versions table's column naming the entity ("skill_id"). */
  parent: string;
  /** Each content field and its column, in both tables. */
  content: { [K in keyof TContent]: { column: string; type?: TColumnType } };
  /** Entity columns every version line repeats as they are ("key" of a memory entry). */
  fixed?: string[];
  /** The entity column a person recognises the item by (a memory key, a skill name). */
  title: string;
  /** Whether the entity records who deleted it (`deleted_by`); otherwise the last change's `updated_by` did. */
  hasDeletedBy: boolean;
};

export type TVersionedRow<TContent> = {
  id: string;
  title: string;
  version: number;
  deletedAt: Date | null;
  deletedBy: string;
  updatedAt: Date;
  content: TContent;
};

export type TVersionedSpec<TContent extends Record<string, unknown>> = {
  kind: string;
  label: string;
  restoreRole?: TRecoverableKind["restoreRole"];
  tables: TVersionedTables<TContent>;
  /**
   * The kind's own rules for content about to become the current version (a free name,
   * a definition still valid): throws an AppError to refuse. Not run for a delete.
   */
  check?: (db: TenantDb, tenantId: string, row: TVersionedRow<TContent>, content: TContent) => Promise<TContent> | TContent;
  /** Other entity columns a restore sets, from the checked content (a schedule's next fire). */
  also?: (row: TVersionedRow<TContent>, content: TContent, now: Date) => TAlso;
  /** After a purge removed these items: what else of theirs goes (a schedule's fire history). */
  afterPurge?: (db: TenantDb, tenantId: string, ids: string[]) => Promise<void>;
};

/** Other entity columns a write sets, by column name (not in the version line). */
export type TAlso = Record<string, Date | string | number | boolean | null>;

export type TVersionedKind<TContent extends Record<string, unknown>> = TRecoverableKind & {
  /** The item, or notFound (also for an id of another tenant, or one that is no UUID). */
  find(db: TenantDb, tenantId: string, id: string): Promise<TVersionedRow<TContent>>;
  /**
   * A new item at version 1 (the entity and its first history line); returns its id.
   * The caller has run its own checks (a free name); `also` sets the entity's other
   * columns (who created it, a schedule's next fire), `id` chooses the id.
   */
  create(db: TenantDb, tenantId: string, content: TContent, actor: string, options?: TWriteOptions & { id?: string }): Promise<string>;
  /**
   * Writes the next version (the entity and its history line): only if the entity is
   * still at the version read, so two concurrent changes never claim one version
   * number (the second is a CONFLICT). Returns the new version.
   */
  write(
    db: TenantDb,
    tenantId: string,
    row: Pick<TVersionedRow<TContent>, "id" | "title" | "version">,
    change: TContent & { isDeleted: boolean },
    actor: string,
    options?: TWriteOptions,
  ): Promise<number>;
};

/** Other entity columns the write sets (not in the version line), and the time it is recorded at. */
export type TWriteOptions = { also?: TAlso; now?: Date };

type TRawRow = Record<string, unknown>;

export function versionedKind<TContent extends Record<string, unknown>>(spec: TVersionedSpec<TContent>): TVersionedKind<TContent> {
  const { tables } = spec;
  // How messages name one item: `The skill "triage" …`.
  const noun = spec.label.toLowerCase();
  const fields = Object.keys(tables.content) as (keyof TContent & string)[];
  const columnOf = (field: keyof TContent & string) => tables.content[field].column;
  const contentColumns = fields.map(columnOf);
  const fixed = tables.fixed ?? [];
  const deletedBy = tables.hasDeletedBy ? "coalesce(e.deleted_by, e.updated_by)" : "e.updated_by";
  const entityColumns = [
    "e.id::text AS id",
    `e.${tables.title} AS title`,
    "e.version",
    "e.deleted_at",
    `${deletedBy} AS deleted_by`,
    "e.updated_at",
    ...contentColumns.map((column) => `e.${column}`),
  ].join(", ");

  const contentOf = (raw: TRawRow): TContent =>
    Object.fromEntries(fields.map((field) => [field, raw[columnOf(field)]])) as unknown as TContent;
  const rowOf = (raw: TRawRow): TVersionedRow<TContent> => ({
    id: raw.id as string,
    title: raw.title as string,
    version: raw.version as number,
    deletedAt: (raw.deleted_at as Date | null) ?? null,
    deletedBy: raw.deleted_by as string,
    updatedAt: raw.updated_at as Date,
    content: contentOf(raw),
  });
  /** A content value as a parameter, and the cast its placeholder needs. */
  const parameter = (field: keyof TContent & string, content: TContent): [unknown, string] => {
    const type = tables.content[field].type ?? "text";
    return [type === "jsonb" ? JSON.stringify(content[field]) : content[field], CASTS[type]];
  };

  async function find(db: TenantDb, tenantId: string, id: string): Promise<TVersionedRow<TContent>> {
    const rows = isUuid(id)
      ? await db.$queryRawUnsafe<TRawRow[]>(
          `SELECT ${entityColumns} FROM ${tables.entity} e WHERE e.id = $1::uuid AND e.tenant_id = $2::uuid`,
          id,
          tenantId,
        )
      : [];
    const raw = rows[0];
    if (!raw) throw notFound(spec.label);
    return rowOf(raw);
  }

  async function write(
    db: TenantDb,
    tenantId: string,
    row: Pick<TVersionedRow<TContent>, "id" | "title" | "version">,
    change: TContent & { isDeleted: boolean },
    actor: string,
    options: TWriteOptions = {},
  ): Promise<number> {
    const version = row.version + 1;
    const now = options.now ?? new Date();
    const also = options.also ?? {};
    const values = fields.map((field) => parameter(field, change));
    const extra = Object.entries(also);
    // $1 id, $2 tenant, $3 expected version, $4 new version, $5 now, $6 actor, $7 deleted, then the content, then `also`.
    const set = [
      ...values.map(([, cast], index) => `${columnOf(fields[index] as keyof TContent & string)} = $${8 + index}${cast}`),
      ...extra.map(([column, value], index) => `${column} = $${8 + values.length + index}${value instanceof Date ? "::timestamptz" : ""}`),
    ];
    const updated = await db.$executeRawUnsafe(
      `UPDATE ${tables.entity} SET ${[
        ...set,
        "version = $4",
        "deleted_at = CASE WHEN $7 THEN $5::timestamptz END",
        ...(tables.hasDeletedBy ? ["deleted_by = CASE WHEN $7 THEN $6 END"] : []),
        "updated_by = $6",
        "updated_at = $5::timestamptz",
      ].join(", ")} WHERE id = $1::uuid AND tenant_id = $2::uuid AND version = $3`,
      row.id,
      tenantId,
      row.version,
      version,
      now,
      actor,
      change.isDeleted,
      ...values.map(([value]) => value),
      ...extra.map(([, value]) => value),
    );
    if (updated === 0) throw new AppError("CONFLICT", `The ${noun} "${row.title}" changed meanwhile; reload and try again.`);
    await writeLine(db, tenantId, row.id, version, change.isDeleted, actor, now, values);
    return version;
  }

  /** One history line: the content given, the fixed columns as the entity has them. */
  async function writeLine(
    db: TenantDb,
    tenantId: string,
    id: string,
    version: number,
    isDeleted: boolean,
    actor: string,
    now: Date,
    values: [unknown, string][],
  ): Promise<void> {
    const placeholders = values.map(([, cast], index) => `$${7 + index}${cast}`);
    await db.$executeRawUnsafe(
      `INSERT INTO ${tables.versions} (tenant_id, ${tables.parent}, version, is_deleted, actor, created_at, ${[...contentColumns, ...fixed].join(", ")}) ` +
        `SELECT $2::uuid, $1::uuid, $3, $4, $5, $6::timestamptz, ${[...placeholders, ...fixed.map((column) => `e.${column}`)].join(", ")} ` +
        `FROM ${tables.entity} e WHERE e.id = $1::uuid AND e.tenant_id = $2::uuid`,
      id,
      tenantId,
      version,
      isDeleted,
      actor,
      now,
      ...values.map(([value]) => value),
    );
  }

  async function create(
    db: TenantDb,
    tenantId: string,
    content: TContent,
    actor: string,
    options: TWriteOptions & { id?: string } = {},
  ): Promise<string> {
    const now = options.now ?? new Date();
    const values = fields.map((field) => parameter(field, content));
    const extra = Object.entries(options.also ?? {});
    // $1 id (or null: a new one), $2 tenant, $3 actor, $4 now, then the content, then `also`.
    const columns = ["id", "tenant_id", "version", "updated_by", "updated_at", ...contentColumns, ...extra.map(([column]) => column)];
    const placeholders = [
      "coalesce($1::uuid, gen_random_uuid())",
      "$2::uuid",
      "1",
      "$3",
      "$4::timestamptz",
      ...values.map(([, cast], index) => `$${5 + index}${cast}`),
      ...extra.map(([, value], index) => `$${5 + values.length + index}${value instanceof Date ? "::timestamptz" : ""}`),
    ];
    const rows = await db
      .$queryRawUnsafe<{ id: string }[]>(
        `INSERT INTO ${tables.entity} (${columns.join(", ")}) VALUES (${placeholders.join(", ")}) RETURNING id::text AS id`,
        options.id ?? null,
        tenantId,
        actor,
        now,
        ...values.map(([value]) => value),
        ...extra.map(([, value]) => value),
      )
      .catch((error: unknown) => {
        // A live item with this name (or the tenant's one item) was made meanwhile.
        if (isUniqueViolation(error))
          throw new AppError("CONFLICT", `Another ${noun} like this was saved meanwhile; reload and try again.`);
        throw error;
      });
    const id = (rows[0] as { id: string }).id;
    await writeLine(db, tenantId, id, 1, false, actor, now, values);
    return id;
  }

  async function bringBack(db: TenantDb, tenantId: string, row: TVersionedRow<TContent>, content: TContent, actor: string): Promise<void> {
    const checked = spec.check ? await spec.check(db, tenantId, row, content) : content;
    const now = new Date();
    await write(db, tenantId, row, { ...checked, isDeleted: false }, actor, { now, also: spec.also?.(row, checked, now) ?? {} });
  }

  return {
    kind: spec.kind,
    label: spec.label,
    ...(spec.restoreRole ? { restoreRole: spec.restoreRole } : {}),
    find,
    create,
    write,

    async listDeleted(db, tenantId, page): Promise<TTrashItem[]> {
      const after = afterCursor(spec.kind, page.after);
      const where = !after
        ? ""
        : after.idAfter
          ? "AND (e.deleted_at < $3::timestamptz OR (e.deleted_at = $3::timestamptz AND e.id > $4::uuid))"
          : `AND e.deleted_at ${after.op === "lt" ? "<" : "<="} $3::timestamptz`;
      const rows = await db.$queryRawUnsafe<TRawRow[]>(
        `SELECT ${entityColumns} FROM ${tables.entity} e WHERE e.tenant_id = $1::uuid AND e.deleted_at IS NOT NULL ${where} ` +
          "ORDER BY e.deleted_at DESC, e.id LIMIT $2",
        tenantId,
        page.limit,
        ...(after ? [after.at] : []),
        ...(after?.idAfter ? [after.idAfter] : []),
      );
      return rows.map(rowOf).map((row) => ({
        kind: spec.kind,
        id: row.id,
        title: row.title,
        deletedAt: row.deletedAt ?? row.updatedAt,
        deletedBy: row.deletedBy,
        version: row.version,
      }));
    },

    async listVersions(db, tenantId, id): Promise<TVersionItem[]> {
      const row = await find(db, tenantId, id);
      const rows = await db.$queryRawUnsafe<TRawRow[]>(
        `SELECT version, created_at, actor, is_deleted, ${contentColumns.join(", ")} FROM ${tables.versions} ` +
          `WHERE tenant_id = $1::uuid AND ${tables.parent} = $2::uuid ORDER BY version DESC`,
        tenantId,
        row.id,
      );
      return rows.map((raw) => {
        const content = contentOf(raw);
        return {
          version: raw.version as number,
          createdAt: raw.created_at as Date,
          actor: raw.actor as string,
          isDeleted: raw.is_deleted as boolean,
          // One field is shown as itself (a memory value); several as an object.
          content: fields.length === 1 ? content[fields[0] as keyof TContent] : content,
        };
      });
    },

    async restore(db, tenantId, id, actor) {
      const row = await find(db, tenantId, id);
      if (!row.deletedAt) throw new AppError("CONFLICT", `The ${noun} "${row.title}" is not in the Trash; it was restored meanwhile.`);
      await bringBack(db, tenantId, row, row.content, actor);
    },

    async restoreVersion(db, tenantId, id, version, actor) {
      const row = await find(db, tenantId, id);
      const rows = await db.$queryRawUnsafe<TRawRow[]>(
        `SELECT ${contentColumns.join(", ")} FROM ${tables.versions} WHERE tenant_id = $1::uuid AND ${tables.parent} = $2::uuid AND version = $3`,
        tenantId,
        row.id,
        version,
      );
      const old = rows[0];
      if (!old) throw notFound(`Version ${version} of the ${noun} "${row.title}"`);
      await bringBack(db, tenantId, row, contentOf(old), actor);
    },

    async purge(db, tenantId, deletedBefore) {
      // Versions go with their entity (ON DELETE CASCADE); the database lets the app
      // delete only items that are in the Trash (policy delete_only_trashed).
      const gone = await db.$queryRawUnsafe<{ id: string }[]>(
        `DELETE FROM ${tables.entity} WHERE tenant_id = $1::uuid AND deleted_at IS NOT NULL AND deleted_at < $2::timestamptz RETURNING id::text AS id`,
        tenantId,
        deletedBefore,
      );
      if (gone.length > 0)
        await spec.afterPurge?.(
          db,
          tenantId,
          gone.map(({ id }) => id),
        );
      return gone.length;
    },
  };
}
