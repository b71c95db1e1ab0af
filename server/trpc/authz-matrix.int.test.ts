// Who may call what: every procedure of the app router, for every kind of
// principal. The procedure list comes from the router itself, so a new
// procedure without a row here fails this test.
import { TRPCError } from "@trpc/server";
import { beforeAll, describe, expect, it } from "vitest";
import { ROLES, hasRole, type TRole } from "@/server/auth/roles";
import type { TSessionUser } from "@/server/auth/users";
import {
  addInvitation,
  addMember,
  callPath,
  createTenantFixture,
  createUser,
  uniqueSlug,
  type TTenantFixture,
} from "@/server/test/factories";
import { createCredential } from "@/server/credentials/service";
import { withTenant } from "@/server/db";
import { appRouter } from "./root";

type Fixtures = { a: TTenantFixture; b: TTenantFixture };
type Access = "public" | "authed" | "operator" | { tenant: TRole };
type Row = {
  access: Access;
  /** A valid input, made fresh per call (mutations consume their target). */
  input: (fx: Fixtures, caller: TSessionUser | null) => Promise<unknown> | unknown;
  /** The same call naming tenant A but an object of tenant B: must be NOT_FOUND. */
  crossTenant: ((fx: Fixtures) => Promise<unknown>) | "takes no object id";
};

const tenantA = (fx: Fixtures) => ({ tenantSlug: fx.a.tenant.slug });

async function conversationOf(tenantId: string, userId: string): Promise<string> {
  return withTenant(tenantId, async (db) => (await db.conversation.create({ data: { tenantId, userId, title: "matrix" } })).id);
}

/** A conversation of the caller's own in tenant A (or of A's owner, for callers who are not members). */
async function ownConversation(fx: Fixtures, caller: TSessionUser | null): Promise<string> {
  const isMember = caller && Object.values(fx.a.users).some((user) => user.id === caller.id);
  return conversationOf(fx.a.tenant.id, isMember ? caller.id : fx.a.users.owner.id);
}

// A webhook to a reserved, unroutable name: nothing in these tests ever reaches it.
const WEBHOOK_FIELDS = { url: "https://hooks.example.invalid/agent", signingSecret: "matrix-signing-secret" };

async function credentialOf(fixture: TTenantFixture): Promise<string> {
  const created = await createCredential(fixture.tenant.id, fixture.users.owner.id, {
    provider: "webhook",
    label: uniqueSlug("hook"),
    fields: WEBHOOK_FIELDS,
  });
  return created.id;
}

const MATRIX: Record<string, Row> = {
  "me.get": { access: "authed", input: () => undefined, crossTenant: "takes no object id" },
  "tenant.list": { access: "authed", input: () => undefined, crossTenant: "takes no object id" },
  "tenant.get": { access: { tenant: "viewer" }, input: tenantA, crossTenant: "takes no object id" },
  "member.list": { access: { tenant: "viewer" }, input: tenantA, crossTenant: "takes no object id" },
  "member.invite": {
    access: { tenant: "admin" },
    input: (fx) => ({ ...tenantA(fx), email: `${uniqueSlug("new")}@example.test`, role: "member" }),
    crossTenant: "takes no object id",
  },
  "member.updateRole": {
    access: { tenant: "admin" },
    input: async (fx) => ({ ...tenantA(fx), membershipId: (await addMember(fx.a.tenant.id, "viewer")).membershipId, role: "member" }),
    crossTenant: async (fx) => ({ ...tenantA(fx), membershipId: (await addMember(fx.b.tenant.id, "viewer")).membershipId, role: "member" }),
  },
  "member.remove": {
    access: { tenant: "admin" },
    input: async (fx) => ({ ...tenantA(fx), membershipId: (await addMember(fx.a.tenant.id, "viewer")).membershipId }),
    crossTenant: async (fx) => ({ ...tenantA(fx), membershipId: (await addMember(fx.b.tenant.id, "viewer")).membershipId }),
  },
  "invitation.list": { access: { tenant: "admin" }, input: tenantA, crossTenant: "takes no object id" },
  "invitation.revoke": {
    access: { tenant: "admin" },
    input: async (fx) => ({ ...tenantA(fx), invitationId: (await addInvitation(fx.a.tenant.id, fx.a.users.owner.id)).id }),
    crossTenant: async (fx) => ({ ...tenantA(fx), invitationId: (await addInvitation(fx.b.tenant.id, fx.b.users.owner.id)).id }),
  },
  "invitation.get": {
    access: "public",
    input: async (fx) => ({ token: (await addInvitation(fx.a.tenant.id, fx.a.users.owner.id)).token }),
    crossTenant: "takes no object id",
  },
  "invitation.accept": {
    access: "public",
    input: async (fx) => ({
      token: (await addInvitation(fx.a.tenant.id, fx.a.users.owner.id)).token,
      name: "New Person",
      password: "a long enough password",
    }),
    crossTenant: "takes no object id",
  },
  "audit.list": { access: { tenant: "admin" }, input: tenantA, crossTenant: "takes no object id" },
  "run.list": { access: { tenant: "viewer" }, input: tenantA, crossTenant: "takes no object id" },
  "run.get": {
    access: { tenant: "viewer" },
    input: (fx) => ({ ...tenantA(fx), runId: fx.a.runId }),
    crossTenant: async (fx) => ({ ...tenantA(fx), runId: fx.b.runId }),
  },
  "trace.verify": { access: { tenant: "viewer" }, input: tenantA, crossTenant: "takes no object id" },
  "trace.verifyRange": {
    access: { tenant: "viewer" },
    input: (fx) => ({ ...tenantA(fx), fromSeq: "2", toSeq: "4" }),
    crossTenant: "takes no object id",
  },
  "trace.settings": { access: { tenant: "admin" }, input: tenantA, crossTenant: "takes no object id" },
  "trace.updateSettings": {
    access: { tenant: "admin" },
    input: (fx) => ({ ...tenantA(fx), checkpointEvery: 2, checkpointMinutes: 10, anchoring: "builtin", retention: { tool_result: 30 } }),
    crossTenant: "takes no object id",
  },
  "trace.applyRetention": { access: { tenant: "admin" }, input: tenantA, crossTenant: "takes no object id" },
  "trace.exportCount": { access: { tenant: "admin" }, input: tenantA, crossTenant: "takes no object id" },
  "checkpoint.list": { access: { tenant: "viewer" }, input: tenantA, crossTenant: "takes no object id" },
  "checkpoint.proof": { access: { tenant: "viewer" }, input: (fx) => ({ ...tenantA(fx), seq: "3" }), crossTenant: "takes no object id" },
  "checkpoint.consistency": {
    access: { tenant: "viewer" },
    input: (fx) => ({ ...tenantA(fx), oldSize: 0 }),
    crossTenant: "takes no object id",
  },
  "checkpoint.treeHead": { access: { tenant: "viewer" }, input: tenantA, crossTenant: "takes no object id" },
  "signingKey.list": { access: { tenant: "viewer" }, input: tenantA, crossTenant: "takes no object id" },
  "signingKey.rotate": { access: { tenant: "admin" }, input: tenantA, crossTenant: "takes no object id" },
  "conversation.list": { access: { tenant: "member" }, input: tenantA, crossTenant: "takes no object id" },
  "conversation.create": {
    access: { tenant: "member" },
    input: (fx) => ({ ...tenantA(fx), title: "Matrix chat" }),
    crossTenant: "takes no object id",
  },
  "conversation.get": {
    access: { tenant: "member" },
    // Conversations are private: each principal opens one of its own.
    input: async (fx, caller) => ({ ...tenantA(fx), conversationId: await ownConversation(fx, caller) }),
    crossTenant: async (fx) => ({ ...tenantA(fx), conversationId: await conversationOf(fx.b.tenant.id, fx.b.users.owner.id) }),
  },
  "conversation.send": {
    access: { tenant: "member" },
    input: async (fx, caller) => ({ ...tenantA(fx), conversationId: await ownConversation(fx, caller), message: "what do you remember?" }),
    crossTenant: async (fx) => ({
      ...tenantA(fx),
      conversationId: await conversationOf(fx.b.tenant.id, fx.b.users.owner.id),
      message: "what do you remember?",
    }),
  },
  "model.get": { access: { tenant: "member" }, input: tenantA, crossTenant: "takes no object id" },
  // The scripted planner keeps the other rows' chat turns offline.
  "model.save": {
    access: { tenant: "admin" },
    input: (fx) => ({ ...tenantA(fx), provider: "scripted" }),
    crossTenant: "takes no object id",
  },
  "model.reset": { access: { tenant: "admin" }, input: tenantA, crossTenant: "takes no object id" },
  "credential.list": { access: { tenant: "admin" }, input: tenantA, crossTenant: "takes no object id" },
  "credential.create": {
    access: { tenant: "admin" },
    input: (fx) => ({ ...tenantA(fx), provider: "webhook", label: uniqueSlug("hook"), fields: WEBHOOK_FIELDS }),
    crossTenant: "takes no object id",
  },
  "credential.rotate": {
    access: { tenant: "admin" },
    input: async (fx) => ({ ...tenantA(fx), credentialId: await credentialOf(fx.a), fields: WEBHOOK_FIELDS }),
    crossTenant: async (fx) => ({ ...tenantA(fx), credentialId: await credentialOf(fx.b), fields: WEBHOOK_FIELDS }),
  },
  "credential.remove": {
    access: { tenant: "admin" },
    input: async (fx) => ({ ...tenantA(fx), credentialId: await credentialOf(fx.a) }),
    crossTenant: async (fx) => ({ ...tenantA(fx), credentialId: await credentialOf(fx.b) }),
  },
  "credential.check": {
    access: { tenant: "admin" },
    input: async (fx) => ({ ...tenantA(fx), credentialId: await credentialOf(fx.a) }),
    crossTenant: async (fx) => ({ ...tenantA(fx), credentialId: await credentialOf(fx.b) }),
  },
  "outbox.list": { access: { tenant: "member" }, input: tenantA, crossTenant: "takes no object id" },
  "tool.list": { access: { tenant: "viewer" }, input: tenantA, crossTenant: "takes no object id" },
  "tool.setEnabled": {
    access: { tenant: "admin" },
    // Turning a tool on is harmless to the other rows of the matrix.
    input: (fx) => ({ ...tenantA(fx), tool: "memory.get", isEnabled: true }),
    crossTenant: "takes no object id",
  },
  "operator.tenant.list": { access: "operator", input: () => undefined, crossTenant: "takes no object id" },
  "operator.tenant.create": {
    access: "operator",
    input: () => ({ slug: uniqueSlug("op"), name: "Created by test", ownerEmail: `${uniqueSlug("owner")}@example.test` }),
    crossTenant: "takes no object id",
  },
};

type Principal = { name: string; user: (fx: Fixtures) => TSessionUser | null; role?: TRole; isOperator?: boolean; isOtherTenant?: boolean };

let operator: TSessionUser;
const PRINCIPALS: Principal[] = [
  { name: "anonymous", user: () => null },
  ...ROLES.map((role) => ({ name: role, user: (fx: Fixtures) => fx.a.users[role], role })),
  { name: "another tenant's owner", user: (fx) => fx.b.users.owner, isOtherTenant: true },
  { name: "operator", user: () => operator, isOperator: true },
];

function expectedOutcome(access: Access, principal: Principal): "ok" | TRPCError["code"] {
  if (access === "public") return "ok";
  if (principal.name === "anonymous") return "UNAUTHORIZED";
  if (access === "authed") return "ok";
  if (access === "operator") return principal.isOperator ? "ok" : "FORBIDDEN";
  if (principal.isOtherTenant || !principal.role) return "NOT_FOUND";
  return hasRole(principal.role, access.tenant) ? "ok" : "FORBIDDEN";
}

const procedures = Object.keys(appRouter._def.procedures).sort();
let fx: Fixtures;

beforeAll(async () => {
  const [a, b] = await Promise.all([createTenantFixture({ withEventLog: true }), createTenantFixture({ withEventLog: true })]);
  fx = { a, b };
  operator = await createUser({ isOperator: true });
});

describe("authorization matrix", () => {
  it("has a row for every procedure of the router, and none for a procedure that is gone", () => {
    expect(Object.keys(MATRIX).sort()).toEqual(procedures);
  });

  for (const path of procedures) {
    describe(path, () => {
      for (const principal of PRINCIPALS) {
        it(`${principal.name}`, async () => {
          const row = MATRIX[path];
          if (!row) throw new Error(`no matrix row for ${path}`);
          const input = await row.input(fx, principal.user(fx));
          const outcome = await callPath(principal.user(fx), path, input);
          expect(outcome).toBe(expectedOutcome(row.access, principal));
        });
      }

      it("another tenant's object ids give NOT_FOUND, even to an owner", async () => {
        const row = MATRIX[path];
        if (!row || row.crossTenant === "takes no object id") return;
        const outcome = await callPath(fx.a.users.owner, path, await row.crossTenant(fx));
        expect(outcome).toBe("NOT_FOUND");
      });
    });
  }
});
