import { getServerSession } from "next-auth";
import { withUser } from "@/server/db";
import { authOptions } from "./options";
import { loadSessionUser, type TSessionUser } from "./users";

type TSession = { userId?: string; sessionVersion?: number } | null;

/**
 * The signed-in user for a server component, route handler or tRPC request, or
 * null. A token whose session version is behind the user's (sign-out, sign out
 * everywhere, password change) is refused, however long it has left to live.
 */
export async function currentUser(): Promise<TSessionUser | null> {
  const session = (await getServerSession(authOptions)) as TSession;
  return userForSession(session?.userId, session?.sessionVersion);
}

export async function userForSession(userId: string | undefined, sessionVersion: number | undefined): Promise<TSessionUser | null> {
  if (!userId || typeof sessionVersion !== "number") return null;
  const user = await withUser(userId, (db) => loadSessionUser(db, userId));
  if (!user || user.sessionVersion !== sessionVersion) return null;
  return { id: user.id, email: user.email, name: user.name, isOperator: user.isOperator };
}
