// Actors are stored as the gate records them ("user:<id>", "agent:<id>"), which
// survives renames; pages show members by email.
import type { TenantDb } from "@/server/db";
import { isUuid } from "@/server/validation";
import { userIdOf, userPrincipal } from "@/server/principals";

/**
 * "user:<id>" becomes "user:<email>"; agents and ids of unknown users stay as they
 * are. Names come from the tenant's member_names, which keeps the email of every
 * member it has had: history still names someone who has left.
 */
export async function displayActors(db: TenantDb, actors: string[]): Promise<Map<string, string>> {
  const ids = [...new Set(actors.map((actor) => userIdOf(actor)).filter((id): id is string => Boolean(id && isUuid(id))))];
  const known = ids.length ? await db.memberName.findMany({ where: { userId: { in: ids } }, select: { userId: true, email: true } }) : [];
  const emailOf = new Map(known.map((member) => [userPrincipal(member.userId), userPrincipal(member.email)]));
  return new Map(actors.map((actor) => [actor, emailOf.get(actor) ?? actor]));
}
