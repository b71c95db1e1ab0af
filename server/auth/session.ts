import { getServerSession } from "next-auth";
import { withoutTenant } from "@/server/db";
import { authOptions } from "./options";
import { loadSessionUser, type TSessionUser } from "./users";

/** The signed-in user for a server component, route handler or tRPC request, or null. */
export async function currentUser(): Promise<TSessionUser | null> {
  const session = (await getServerSession(authOptions)) as { userId?: string } | null;
  const userId = session?.userId;
  if (!userId) return null;
  return withoutTenant((db) => loadSessionUser(db, userId));
}
