import { TRPCError } from "@trpc/server";
import { beforeAll, describe, expect, it } from "vitest";
import { withTenant } from "@/server/db";
import { displayActors } from "@/server/recovery/actors";
import { addMember, callerFor, createTenantFixture, createUser, type TTenantFixture } from "@/server/test/factories";

let fx: TTenantFixture;
const slug = () => ({ tenantSlug: fx.tenant.slug });

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "ok";
  } catch (error) {
    if (error instanceof TRPCError) return error.code;
    throw error;
  }
}

async function auditActions(): Promise<string[]> {
  return withTenant(fx.tenant.id, async (db) =>
    (await db.auditLog.findMany({ where: { tenantId: fx.tenant.id }, orderBy: { createdAt: "asc" } })).map((row) => row.action),
  );
}

beforeAll(async () => {
  fx = await createTenantFixture();
});

describe("members", () => {
  it("an existing account is invited like anyone else: same answer, nothing shown, and it joins only when it accepts", async () => {
    const person = await createUser();
    const admin = callerFor(fx.users.admin);
    const forAccount = await admin.member.invite({ ...slug(), email: person.email.toUpperCase(), role: "member" });
    const forNobody = await admin.member.invite({ ...slug(), email: `nobody.${fx.tenant.slug}@example.test`, role: "member" });
    // The same answer whether or not the email has an account.
    expect(Object.keys(forAccount).sort()).toEqual(Object.keys(forNobody).sort());
    expect(forAccount).toMatchObject({ kind: "invited", email: person.email });
    // Until accepted, the tenant sees only the email it typed: no membership, no name.
    const members = await callerFor(fx.users.viewer).member.list(slug());
    expect(members.map((member) => member.user.email)).not.toContain(person.email);
    const pending = await admin.invitation.list(slug());
    const mine = pending.find((invitation) => invitation.email === person.email);
    expect(mine).toBeDefined();
    expect(Object.keys(mine ?? {}).sort()).toEqual(["createdAt", "email", "expiresAt", "id", "role"]);
    expect(await auditActions()).not.toContain("member.added");
    // The person accepts, signed in as themself; anyone else holding the link cannot.
    expect(await codeOf(callerFor(null).invitation.accept({ token: forAccount.token }))).toBe("UNAUTHORIZED");
    expect(await codeOf(callerFor(fx.users.member).invitation.accept({ token: forAccount.token }))).toBe("UNAUTHORIZED");
    await callerFor(person).invitation.accept({ token: forAccount.token });
    const after = await callerFor(fx.users.viewer).member.list(slug());
    expect(after.find((member) => member.user.email === person.email)?.role).toBe("member");
    expect(await auditActions()).toContain("invitation.accepted");
  });

  it("history keeps naming a member who has left (names are kept at write time, not read from users)", async () => {
    const solo = await createTenantFixture();
    const leaver = await addMember(solo.tenant.id, "approver");
    const admin = callerFor(solo.users.admin);
    const principal = `user:${leaver.user.id}`;
    expect(await admin.member.names({ tenantSlug: solo.tenant.slug })).toContainEqual({ principal, email: leaver.user.email });
    await admin.member.remove({ tenantSlug: solo.tenant.slug, membershipId: leaver.membershipId });
    // The user row is no longer visible to the tenant (RLS on users)…
    expect(await withTenant(solo.tenant.id, (db) => db.user.findMany({ where: { id: leaver.user.id } }))).toEqual([]);
    // …but the name the tenant knew is still there, for votes, versions and runs.
    expect(await admin.member.names({ tenantSlug: solo.tenant.slug })).toContainEqual({ principal, email: leaver.user.email });
    const shown = await withTenant(solo.tenant.id, (db) => displayActors(db, [principal, "agent:bot"]));
    expect(shown.get(principal)).toBe(`user:${leaver.user.email}`);
    expect(shown.get("agent:bot")).toBe("agent:bot");
    // Another tenant learns nothing from it.
    expect(await callerFor(fx.users.admin).member.names(slug())).not.toContainEqual({ principal, email: leaver.user.email });
  });

  it("inviting a member twice is a conflict with a clear message", async () => {
    const error = await callerFor(fx.users.admin)
      .member.invite({ ...slug(), email: fx.users.member.email, role: "member" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe("CONFLICT");
    expect((error as TRPCError).message).toContain("already a member");
  });

  it("a new person gets an invitation link, accepts it, and can then use the tenant", async () => {
    const invite = await callerFor(fx.users.admin).member.invite({
      ...slug(),
      email: "newcomer@example.test".replace("@", `.${fx.tenant.slug}@`),
      role: "approver",
    });
    const pending = await callerFor(fx.users.admin).invitation.list(slug());
    expect(pending.map((invitation) => invitation.email)).toContain(invite.email);

    const details = await callerFor(null).invitation.get({ token: invite.token });
    expect(details).toMatchObject({ email: invite.email, role: "approver", hasAccount: false });
    expect(await codeOf(callerFor(null).invitation.accept({ token: invite.token }))).toBe("BAD_REQUEST");
    await callerFor(null).invitation.accept({ token: invite.token, name: "New Comer", password: "a long enough password" });
    // Used once only.
    expect(await codeOf(callerFor(null).invitation.get({ token: invite.token }))).toBe("NOT_FOUND");

    const members = await callerFor(fx.users.viewer).member.list(slug());
    expect(members.find((member) => member.user.email === invite.email)?.role).toBe("approver");
    expect(await auditActions()).toEqual(expect.arrayContaining(["invitation.created", "invitation.accepted"]));
  });

  it("a revoked invitation cannot be used", async () => {
    const invite = await callerFor(fx.users.owner).member.invite({
      ...slug(),
      email: `revoked.${fx.tenant.slug}@example.test`,
      role: "member",
    });
    await callerFor(fx.users.admin).invitation.revoke({ ...slug(), invitationId: invite.invitationId });
    expect(await codeOf(callerFor(null).invitation.accept({ token: invite.token, name: "X", password: "a long enough password" }))).toBe(
      "NOT_FOUND",
    );
  });

  it("only an owner may grant or take the owner role", async () => {
    const target = await addMember(fx.tenant.id, "member");
    expect(await codeOf(callerFor(fx.users.admin).member.updateRole({ ...slug(), membershipId: target.membershipId, role: "owner" }))).toBe(
      "FORBIDDEN",
    );
    expect(
      await codeOf(callerFor(fx.users.admin).member.updateRole({ ...slug(), membershipId: fx.memberships.owner, role: "member" })),
    ).toBe("FORBIDDEN");
    expect(await codeOf(callerFor(fx.users.admin).member.remove({ ...slug(), membershipId: fx.memberships.owner }))).toBe("FORBIDDEN");
    expect(await codeOf(callerFor(fx.users.admin).member.invite({ ...slug(), email: "x@example.test", role: "owner" }))).toBe("FORBIDDEN");
    await callerFor(fx.users.owner).member.updateRole({ ...slug(), membershipId: target.membershipId, role: "owner" });
    await callerFor(fx.users.owner).member.updateRole({ ...slug(), membershipId: target.membershipId, role: "member" });
    expect(await auditActions()).toContain("member.role_changed");
  });

  it("the last owner can be neither demoted nor removed", async () => {
    const solo = await createTenantFixture();
    const owner = callerFor(solo.users.owner);
    expect(
      await codeOf(owner.member.updateRole({ tenantSlug: solo.tenant.slug, membershipId: solo.memberships.owner, role: "admin" })),
    ).toBe("PRECONDITION_FAILED");
    expect(await codeOf(owner.member.remove({ tenantSlug: solo.tenant.slug, membershipId: solo.memberships.owner }))).toBe(
      "PRECONDITION_FAILED",
    );
  });

  it("a removed member loses access at once", async () => {
    const target = await addMember(fx.tenant.id, "member");
    expect(await codeOf(callerFor(target.user).member.list(slug()))).toBe("ok");
    await callerFor(fx.users.admin).member.remove({ ...slug(), membershipId: target.membershipId });
    expect(await codeOf(callerFor(target.user).member.list(slug()))).toBe("NOT_FOUND");
    expect(await auditActions()).toContain("member.removed");
  });

  it("a failed change writes nothing (the procedure's transaction rolls back)", async () => {
    const before = (await auditActions()).length;
    await codeOf(callerFor(fx.users.admin).member.remove({ ...slug(), membershipId: fx.memberships.owner }));
    expect((await auditActions()).length).toBe(before);
  });
});

describe("tenants and operators", () => {
  it("the tenant list shows only the user's own tenants", async () => {
    const other = await createTenantFixture();
    const mine = await callerFor(fx.users.member).tenant.list();
    expect(mine.map((tenant) => tenant.slug)).toEqual([fx.tenant.slug]);
    expect(mine.map((tenant) => tenant.slug)).not.toContain(other.tenant.slug);
  });

  it("an operator creates a tenant whose first owner, an existing user, joins on accepting the invitation", async () => {
    const operator = await createUser({ isOperator: true });
    const owner = await createUser();
    const created = await callerFor(operator).operator.tenant.create({
      slug: `op-${fx.tenant.slug}`,
      name: "Created",
      ownerEmail: owner.email,
    });
    expect(created.owner.kind).toBe("invited");
    expect((await callerFor(owner).tenant.list()).map((tenant) => tenant.slug)).not.toContain(`op-${fx.tenant.slug}`);
    await callerFor(owner).invitation.accept({ token: created.owner.token });
    const tenants = await callerFor(owner).tenant.list();
    expect(tenants.find((tenant) => tenant.slug === `op-${fx.tenant.slug}`)?.role).toBe("owner");
    expect(
      await codeOf(callerFor(operator).operator.tenant.create({ slug: `op-${fx.tenant.slug}`, name: "Again", ownerEmail: owner.email })),
    ).toBe("CONFLICT");
    // The operator is not a member: the tenant's data stays closed to it.
    expect(await codeOf(callerFor(operator).member.list({ tenantSlug: `op-${fx.tenant.slug}` }))).toBe("NOT_FOUND");
  });
});
