// Skills: markdown instructions a tenant writes for its agents (skills.list and
// skills.get read them). One live skill per name; every change, delete and restore
// is a new version in skill_versions; delete is soft (the Trash brings it back).
import { recordAudit } from "@/server/audit/service";
import type { TenantDb } from "@/server/db";
import { AppError, notFound } from "@/server/errors";
import { displayActors } from "@/server/recovery/actors";
import { versionedKind } from "@/server/recovery/versioned";
import { isUuid } from "@/server/validation";
import type { TCreateSkill, TUpdateSkill } from "./schemas";

export type TSkillSummary = { id: string; name: string; description: string; version: number; updatedBy: string; updatedAt: Date };
export type TSkill = TSkillSummary & { body: string };
export type TSkillActor = { userId: string | null; label: string };
type TSkillRow = { id: string; name: string; description: string; body: string; version: number };
export type TSkillContent = { name: string; description: string; body: string };

export async function listSkills(db: TenantDb, tenantId: string): Promise<TSkillSummary[]> {
  const rows = await db.skill.findMany({
    where: { tenantId, deletedAt: null },
    orderBy: { name: "asc" },
    select: { id: true, name: true, description: true, version: true, updatedBy: true, updatedAt: true },
    take: 500,
  });
  const actors = await displayActors(
    db,
    rows.map((row) => row.updatedBy),
  );
  return rows.map((row) => ({ ...row, updatedBy: actors.get(row.updatedBy) ?? row.updatedBy }));
}

export async function getSkill(db: TenantDb, tenantId: string, skillId: string): Promise<TSkill> {
  const row = isUuid(skillId) ? await db.skill.findFirst({ where: { id: skillId, tenantId, deletedAt: null } }) : null;
  if (!row) throw notFound("Skill");
  const actors = await displayActors(db, [row.updatedBy]);
  return { ...row, updatedBy: actors.get(row.updatedBy) ?? row.updatedBy };
}

export async function findSkillByName(db: TenantDb, tenantId: string, name: string) {
  return db.skill.findFirst({ where: { tenantId, name, deletedAt: null } });
}

async function assertNameFree(db: TenantDb, tenantId: string, name: string, exceptId?: string): Promise<void> {
  const clash = await db.skill.findFirst({ where: { tenantId, name, deletedAt: null, ...(exceptId ? { id: { not: exceptId } } : {}) } });
  if (clash) throw new AppError("CONFLICT", `There is already a skill named "${name}"; choose another name or edit that one.`);
}

/**
 * Skills as a versioned, recoverable kind (server/recovery/versioned.ts): the Trash
 * brings a deleted skill back, the version history any earlier content, each as a new
 * version under a name no live skill uses. Restoring needs the admin role, like editing.
 */
export const skillKind = versionedKind<TSkillContent>({
  kind: "skill",
  label: "Skill",
  restoreRole: "admin",
  tables: {
    entity: "skills",
    versions: "skill_versions",
    parent: "skill_id",
    content: { name: { column: "name" }, description: { column: "description" }, body: { column: "body" } },
    title: "name",
    hasDeletedBy: true,
  },
  check: async (db, tenantId, row, content) => {
    await assertNameFree(db, tenantId, content.name, row.id);
    return content;
  },
});

/** The next version of a skill (a save or a delete); a live skill's name must be free. */
export async function writeSkillVersion(
  db: TenantDb,
  tenantId: string,
  skill: TSkillRow,
  change: TSkillContent & { isDeleted: boolean },
  actor: string,
): Promise<number> {
  if (!change.isDeleted) await assertNameFree(db, tenantId, change.name, skill.id);
  return skillKind.write(db, tenantId, { id: skill.id, title: skill.name, version: skill.version }, change, actor);
}

export async function createSkill(db: TenantDb, tenantId: string, actor: TSkillActor, input: TCreateSkill): Promise<TSkill> {
  await assertNameFree(db, tenantId, input.name);
  const id = await skillKind.create(db, tenantId, { name: input.name, description: input.description, body: input.body }, actor.label);
  await recordAudit(db, {
    tenantId,
    actorUserId: actor.userId,
    action: "skill.created",
    targetType: "skill",
    targetId: id,
    data: { name: input.name, version: 1 },
  });
  return getSkill(db, tenantId, id);
}

/** Changes what is given; nothing changed means no new version. */
export async function updateSkill(db: TenantDb, tenantId: string, actor: TSkillActor, input: TUpdateSkill): Promise<TSkill> {
  const skill = await db.skill.findFirst({ where: { id: input.skillId, tenantId, deletedAt: null } });
  if (!skill) throw notFound("Skill");
  const next = { name: input.name ?? skill.name, description: input.description ?? skill.description, body: input.body ?? skill.body };
  if (next.name === skill.name && next.description === skill.description && next.body === skill.body)
    return getSkill(db, tenantId, skill.id);
  const version = await writeSkillVersion(db, tenantId, skill, { ...next, isDeleted: false }, actor.label);
  await recordAudit(db, {
    tenantId,
    actorUserId: actor.userId,
    action: "skill.updated",
    targetType: "skill",
    targetId: skill.id,
    data: { name: next.name, version, ...(next.name !== skill.name ? { renamedFrom: skill.name } : {}) },
  });
  return getSkill(db, tenantId, skill.id);
}

export async function deleteSkill(db: TenantDb, tenantId: string, actor: TSkillActor, skillId: string): Promise<{ id: string }> {
  const skill = await db.skill.findFirst({ where: { id: skillId, tenantId, deletedAt: null } });
  if (!skill) throw notFound("Skill");
  const version = await writeSkillVersion(db, tenantId, skill, { ...skill, isDeleted: true }, actor.label);
  await recordAudit(db, {
    tenantId,
    actorUserId: actor.userId,
    action: "skill.deleted",
    targetType: "skill",
    targetId: skill.id,
    data: { name: skill.name, version },
  });
  return { id: skill.id };
}
