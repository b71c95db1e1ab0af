// Users are platform rows (no tenant_id): one person may belong to many tenants.
import type { PlatformDb } from "@/server/db";
import { verifyPassword } from "./password";

export type TSessionUser = { id: string; email: string; name: string; isOperator: boolean };

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function authenticate(db: PlatformDb, email: string, password: string): Promise<TSessionUser | null> {
  const user = await db.user.findUnique({ where: { email: normalizeEmail(email) } });
  const isValid = await verifyPassword(password, user?.passwordHash);
  if (!user || !isValid) return null;
  return { id: user.id, email: user.email, name: user.name, isOperator: user.isOperator };
}

/** The current state of a signed-in user: a removed user or revoked operator loses access at once. */
export async function loadSessionUser(db: PlatformDb, userId: string): Promise<TSessionUser | null> {
  const user = await db.user.findUnique({ where: { id: userId } });
  if (!user) return null;
  return { id: user.id, email: user.email, name: user.name, isOperator: user.isOperator };
}
