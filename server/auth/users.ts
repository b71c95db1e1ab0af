// Users are platform rows (no tenant_id): one person may belong to many tenants.
// The app role cannot read password hashes: sign-in gets them from the
// auth_credentials() definer function, for one exact address at a time.
import { withUser, withoutTenant, type TenantDb } from "@/server/db";
import { verifyPassword } from "./password";

export type TSessionUser = { id: string; email: string; name: string; isOperator: boolean };
export type TSignedInUser = TSessionUser & { sessionVersion: number };

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The user behind an email and password, or null; a wrong email costs as long as a wrong password. */
export async function authenticate(email: string, password: string): Promise<TSignedInUser | null> {
  // The hash is compared outside any transaction: bcrypt's time holds no connection.
  const rows = await withoutTenant(
    (db) => db.$queryRaw<{ user_id: string; password_hash: string; session_version: number }[]>`
      SELECT user_id, password_hash, session_version FROM auth_credentials(${normalizeEmail(email)})`,
  );
  const credentials = rows[0];
  const isValid = await verifyPassword(password, credentials?.password_hash);
  if (!credentials || !isValid) return null;
  return withUser(credentials.user_id, (own) => loadSessionUser(own, credentials.user_id));
}

/** The current state of a signed-in user (their own row, seen in their own context). */
export async function loadSessionUser(db: TenantDb, userId: string): Promise<TSignedInUser | null> {
  const user = await db.user.findUnique({
    where: { id: userId },
    select: { id: true, email: true, name: true, isOperator: true, sessionVersion: true },
  });
  return user;
}

/** The account behind a usable invitation of the current tenant (token hash), if any. */
export async function findInvitationAccount(db: TenantDb, tokenHash: string): Promise<{ id: string; hasPassword: boolean } | null> {
  const rows = await db.$queryRaw<{ user_id: string; has_password: boolean }[]>`
    SELECT user_id, has_password FROM invitation_account(${tokenHash})`;
  const row = rows[0];
  return row ? { id: row.user_id, hasPassword: row.has_password } : null;
}

/** A new person accepting an invitation: creates their account with this name and password hash. */
export async function createInvitedAccount(db: TenantDb, tokenHash: string, name: string, passwordHash: string): Promise<string> {
  const rows = await db.$queryRaw<{ id: string }[]>`SELECT invitation_create_account(${tokenHash}, ${name}, ${passwordHash}) AS id`;
  const id = rows[0]?.id;
  if (!id) throw new Error("invitation_create_account returned no id");
  return id;
}
