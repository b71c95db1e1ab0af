// Invitations for people who have no account yet. The token is shown once to
// the inviter (to pass on); only its SHA-256 is stored.
import { createHash, randomBytes } from "node:crypto";
import { recordAudit } from "@/server/audit/service";
import { hashPassword } from "@/server/auth/password";
import type { TRole } from "@/server/auth/roles";
import { createInvitedAccount, findInvitationAccount, type TSessionUser } from "@/server/auth/users";
import { withTenant, type TenantDb } from "@/server/db";
import { AppError, notFound } from "@/server/errors";
import type { TAcceptInvitation } from "./schemas";

const INVITATION_DAYS = 7;

function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export async function createInvitation(db: TenantDb, tenantId: string, actorUserId: string | null, input: { email: string; role: TRole }) {
  // A newer invitation replaces any pending one for the same email.
  await db.invitation.updateMany({
    where: { tenantId, email: input.email, acceptedAt: null, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  const token = `${tenantId}.${randomBytes(32).toString("base64url")}`;
  const expiresAt = new Date(Date.now() + INVITATION_DAYS * 24 * 60 * 60 * 1000);
  const invitation = await db.invitation.create({
    data: { tenantId, email: input.email, role: input.role, tokenHash: hashToken(token), invitedById: actorUserId, expiresAt },
  });
  await recordAudit(db, {
    tenantId,
    actorUserId,
    action: "invitation.created",
    targetType: "invitation",
    targetId: invitation.id,
    data: { email: input.email, role: input.role },
  });
  return { id: invitation.id, token, expiresAt };
}

export async function listPendingInvitations(db: TenantDb, tenantId: string) {
  return db.invitation.findMany({
    where: { tenantId, acceptedAt: null, revokedAt: null, expiresAt: { gt: new Date() } },
    select: { id: true, email: true, role: true, expiresAt: true, createdAt: true },
    orderBy: { createdAt: "desc" },
  });
}

export async function revokeInvitation(db: TenantDb, tenantId: string, actorUserId: string, invitationId: string) {
  const invitation = await db.invitation.findFirst({ where: { id: invitationId, tenantId, acceptedAt: null, revokedAt: null } });
  if (!invitation) throw notFound("Invitation");
  await db.invitation.update({ where: { id: invitation.id }, data: { revokedAt: new Date() } });
  await recordAudit(db, {
    tenantId,
    actorUserId,
    action: "invitation.revoked",
    targetType: "invitation",
    targetId: invitation.id,
    data: { email: invitation.email },
  });
  return { id: invitation.id };
}

const INVALID = "This invitation link is not valid, was already used, or has expired. Ask for a new one.";

async function findUsable(db: TenantDb, token: string) {
  const invitation = await db.invitation.findUnique({ where: { tokenHash: hashToken(token) }, include: { tenant: true } });
  if (!invitation || invitation.acceptedAt || invitation.revokedAt || invitation.expiresAt <= new Date()) {
    throw new AppError("NOT_FOUND", INVALID);
  }
  if (invitation.tenant.status !== "active") throw new AppError("NOT_FOUND", INVALID);
  return invitation;
}

function tenantIdOf(token: string): string {
  return token.slice(0, token.indexOf("."));
}

/** What the accept page shows before the person commits. */
export async function describeInvitation(token: string) {
  return withTenant(tenantIdOf(token), async (db) => {
    const invitation = await findUsable(db, token);
    const user = await findInvitationAccount(db, hashToken(token));
    return {
      tenantName: invitation.tenant.name,
      tenantSlug: invitation.tenant.slug,
      email: invitation.email,
      role: invitation.role,
      hasAccount: Boolean(user?.hasPassword),
    };
  });
}

/**
 * Accept: a new person sets a name and password; someone with an account must
 * be signed in as the invited email.
 */
export async function acceptInvitation(input: TAcceptInvitation, signedIn: TSessionUser | null) {
  return withTenant(tenantIdOf(input.token), async (db) => {
    const invitation = await findUsable(db, input.token);
    // Accounts are reached through definer functions keyed by the usable invitation.
    const account = await findInvitationAccount(db, hashToken(input.token));
    let user: { id: string };
    if (account?.hasPassword) {
      user = account;
      if (signedIn?.id !== account.id) {
        throw new AppError("UNAUTHORIZED", `Sign in as ${invitation.email} to accept this invitation.`);
      }
    } else {
      if (!input.name || !input.password) {
        throw new AppError("BAD_REQUEST", "Choose a name and a password to create your account.");
      }
      const passwordHash = await hashPassword(input.password);
      user = { id: await createInvitedAccount(db, hashToken(input.token), input.name, passwordHash) };
    }
    const existing = await db.membership.findUnique({ where: { tenantId_userId: { tenantId: invitation.tenantId, userId: user.id } } });
    if (!existing) await db.membership.create({ data: { tenantId: invitation.tenantId, userId: user.id, role: invitation.role } });
    await db.invitation.update({ where: { id: invitation.id }, data: { acceptedAt: new Date() } });
    await recordAudit(db, {
      tenantId: invitation.tenantId,
      actorUserId: user.id,
      action: "invitation.accepted",
      targetType: "invitation",
      targetId: invitation.id,
      data: { email: invitation.email, role: invitation.role },
    });
    return { tenantSlug: invitation.tenant.slug, email: invitation.email };
  });
}
