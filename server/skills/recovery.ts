// Skills as a recoverable kind: the Trash brings a deleted skill back, the version
// history brings back any earlier content. Neither rewrites history: each is a new
// version. Restoring needs the admin role, like editing a skill.
import type { TenantDb } from "@/server/db";
import { AppError, notFound } from "@/server/errors";
import { isUuid } from "@/server/validation";
import type { TRecoverableKind, TTrashItem, TVersionItem } from "@/server/recovery/types";
import { writeSkillVersion } from "./service";

const LIST_LIMIT = 1000;

async function skillOf(db: TenantDb, tenantId: string, id: string) {
  const skill = isUuid(id) ? await db.skill.findFirst({ where: { id, tenantId } }) : null;
  if (!skill) throw notFound("Skill");
  return skill;
}

export const skillKind: TRecoverableKind = {
  kind: "skill",
  label: "Skill",
  restoreRole: "admin",

  async listDeleted(db, tenantId): Promise<TTrashItem[]> {
    const rows = await db.skill.findMany({
      where: { tenantId, deletedAt: { not: null } },
      orderBy: [{ deletedAt: "desc" }, { name: "asc" }],
      take: LIST_LIMIT,
    });
    return rows.map((row) => ({
      kind: "skill",
      id: row.id,
      title: row.name,
      deletedAt: row.deletedAt ?? row.updatedAt,
      deletedBy: row.deletedBy ?? row.updatedBy,
      version: row.version,
    }));
  },

  async listVersions(db, tenantId, id): Promise<TVersionItem[]> {
    const skill = await skillOf(db, tenantId, id);
    const versions = await db.skillVersion.findMany({ where: { tenantId, skillId: skill.id }, orderBy: { version: "desc" } });
    return versions.map((version) => ({
      version: version.version,
      createdAt: version.createdAt,
      actor: version.actor,
      isDeleted: version.isDeleted,
      content: { name: version.name, description: version.description, body: version.body },
    }));
  },

  async restore(db, tenantId, id, actor) {
    const skill = await skillOf(db, tenantId, id);
    if (!skill.deletedAt) throw new AppError("CONFLICT", `The skill "${skill.name}" is not in the Trash; it was restored meanwhile.`);
    await writeSkillVersion(
      db,
      tenantId,
      skill,
      { name: skill.name, description: skill.description, body: skill.body, isDeleted: false },
      actor,
    );
  },

  async restoreVersion(db, tenantId, id, version, actor) {
    const skill = await skillOf(db, tenantId, id);
    const old = await db.skillVersion.findFirst({ where: { tenantId, skillId: skill.id, version } });
    if (!old) throw notFound(`Version ${version} of the skill "${skill.name}"`);
    await writeSkillVersion(db, tenantId, skill, { name: old.name, description: old.description, body: old.body, isDeleted: false }, actor);
  },

  async purge(db, tenantId, deletedBefore) {
    // Versions go with their skill (ON DELETE CASCADE); the database lets the app
    // delete only skills that are in the Trash (policy delete_only_trashed).
    const { count } = await db.skill.deleteMany({ where: { tenantId, deletedAt: { not: null, lt: deletedBefore } } });
    return count;
  },
};
