// Agent approvers over REST: a held call routed to a tier of agents is decided with
// an agent API key at POST /api/v1/tenants/:tenant/approvals/:id/decision, and an
// agent polls GET /api/v1/tenants/:tenant/approvals for what it may decide.
import { beforeAll, describe, expect, it } from "vitest";
import { GET } from "@/app/api/v1/tenants/[tenant]/approvals/route";
import { POST } from "@/app/api/v1/tenants/[tenant]/approvals/[requestId]/decision/route";
import { saveWorkflow } from "@/server/approvals/workflow";
import { withTenant } from "@/server/db";
import { platform } from "@/server/db/platform";
import { runGate } from "@/server/gate/pipeline";
import { setMemory } from "@/server/memory/service";
import { callerFor, createRun, createTenantFixture, uniqueSlug, type TTenantFixture } from "@/server/test/factories";
import { hashAgentKey } from "./keys";

let a: TTenantFixture;
let b: TTenantFixture;
/** Raw keys, by name; they must never come back from anything but their creation. */
const keys: Record<"risk" | "audit" | "other" | "revoked" | "ofB", string> = { risk: "", audit: "", other: "", revoked: "", ofB: "" };
/** Every answer body these tests received. */
const answers: string[] = [];

async function setUpTenant(fx: TTenantFixture): Promise<void> {
  await withTenant(fx.tenant.id, async (db) => {
    await db.policyComposition.create({
      data: {
        tenantId: fx.tenant.id,
        packs: [{ name: "baseline", version: 1 }],
        tenantPolicies:
          '@id("hold-memory-delete") @effect("require_approval") @reason("deleting memory needs approval") forbid (principal, action == Action::"memory.delete", resource);',
      },
    });
    await saveWorkflow(db, fx.tenant.id, fx.users.admin.id, {
      routes: [],
      defaultRoute: { tiers: [{ name: "Risk agents", approvers: { agents: ["risk-bot", "audit-bot"] }, slaMinutes: 60 }] },
    });
  });
}

async function keyFor(fx: TTenantFixture, agentId: string): Promise<{ id: string; apiKey: string }> {
  return callerFor(fx.users.admin).agentKey.create({ tenantSlug: fx.tenant.slug, agentId, label: uniqueSlug("key") });
}

beforeAll(async () => {
  [a, b] = await Promise.all([createTenantFixture(), createTenantFixture()]);
  await Promise.all([setUpTenant(a), setUpTenant(b)]);
  keys.risk = (await keyFor(a, "risk-bot")).apiKey;
  keys.audit = (await keyFor(a, "audit-bot")).apiKey;
  keys.other = (await keyFor(a, "other-bot")).apiKey;
  const revoked = await keyFor(a, "risk-bot");
  keys.revoked = revoked.apiKey;
  await callerFor(a.users.admin).agentKey.revoke({ tenantSlug: a.tenant.slug, keyId: revoked.id });
  keys.ofB = (await keyFor(b, "risk-bot")).apiKey;
});

/** A memory entry, and a held call of a member to delete it: its approval request id. */
async function holdDelete(fx: TTenantFixture): Promise<{ requestId: string; key: string }> {
  const key = uniqueSlug("note");
  await setMemory(fx.tenant.id, key, "keep me unless approved", "user:test");
  const outcome = await runGate({
    tenantId: fx.tenant.id,
    runId: await createRun(fx),
    principal: { type: "User", id: fx.users.member.id, role: "member" },
    tool: "memory.delete",
    args: { key },
  });
  if (outcome.status !== "held") throw new Error(`expected the call to be held, it was ${outcome.status}`);
  return { requestId: outcome.approvalRequestId, key };
}

type TAnswer = { status: number; body: { error?: string; status?: string; tier?: number; requests?: { id: string }[] }; headers: Headers };

async function answerOf(response: Response): Promise<TAnswer> {
  const text = await response.text();
  answers.push(text);
  return { status: response.status, body: JSON.parse(text) as TAnswer["body"], headers: response.headers };
}

function headersFor(apiKey: string | null): Record<string, string> {
  return { "content-type": "application/json", ...(apiKey === null ? {} : { authorization: `Bearer ${apiKey}` }) };
}

async function decide(slug: string, requestId: string, apiKey: string | null, body: unknown): Promise<TAnswer> {
  const request = new Request(`http://localhost/api/v1/tenants/${slug}/approvals/${requestId}/decision`, {
    method: "POST",
    headers: headersFor(apiKey),
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return answerOf(await POST(request, { params: Promise.resolve({ tenant: slug, requestId }) }));
}

async function inbox(slug: string, apiKey: string | null): Promise<TAnswer> {
  const request = new Request(`http://localhost/api/v1/tenants/${slug}/approvals`, { headers: headersFor(apiKey) });
  return answerOf(await GET(request, { params: Promise.resolve({ tenant: slug }) }));
}

async function requestOf(fx: TTenantFixture, requestId: string) {
  return withTenant(fx.tenant.id, async (db) => ({
    request: await db.approvalRequest.findFirstOrThrow({ where: { id: requestId } }),
    votes: await db.approvalVote.findMany({ where: { requestId } }),
  }));
}

async function memoryOf(fx: TTenantFixture, key: string) {
  return withTenant(fx.tenant.id, (db) => db.memoryEntry.findFirstOrThrow({ where: { tenantId: fx.tenant.id, key } }));
}

describe("an agent approver decides with its key", () => {
  it("approves a held call: 200, the call runs (the memory entry is soft-deleted), and the key's use is audited", async () => {
    const { requestId, key } = await holdDelete(a);
    const polled = await inbox(a.tenant.slug, keys.risk);
    expect(polled.status).toBe(200);
    expect(polled.body.requests?.map((item) => item.id)).toContain(requestId);
    expect((await inbox(a.tenant.slug, keys.other)).body.requests?.map((item) => item.id)).not.toContain(requestId);

    const answer = await decide(a.tenant.slug, requestId, keys.risk, { vote: "approve", comment: "limits checked" });
    expect(answer).toMatchObject({ status: 200, body: { status: "approved", tier: 0 } });
    expect((await memoryOf(a, key)).deletedAt).toBeInstanceOf(Date);
    const { request, votes } = await requestOf(a, requestId);
    expect(request).toMatchObject({ status: "approved", outcome: { status: "executed" } });
    expect(request.executedAt).toBeInstanceOf(Date);
    expect(votes).toMatchObject([{ approver: "agent:risk-bot", vote: "approve", comment: "limits checked" }]);
    const audit = await withTenant(a.tenant.id, (db) =>
      db.auditLog.findFirst({ where: { tenantId: a.tenant.id, action: "approval.agent_voted", targetId: requestId } }),
    );
    expect(audit?.data).toMatchObject({ agentId: "risk-bot", keyPrefix: keys.risk.slice(0, 8), vote: "approve", status: "approved" });
    expect((await inbox(a.tenant.slug, keys.risk)).body.requests?.map((item) => item.id)).not.toContain(requestId);
  });

  it("denies a held call: the call does not run", async () => {
    const { requestId, key } = await holdDelete(a);
    const answer = await decide(a.tenant.slug, requestId, keys.audit, { vote: "deny", comment: "no deletions today" });
    expect(answer).toMatchObject({ status: 200, body: { status: "denied", tier: 0 } });
    expect((await memoryOf(a, key)).deletedAt).toBeNull();
    expect((await requestOf(a, requestId)).request.status).toBe("denied");
  });

  it("a second vote after the decision is 409 (the same vote repeated is harmless)", async () => {
    const { requestId } = await holdDelete(a);
    expect((await decide(a.tenant.slug, requestId, keys.risk, { vote: "approve" })).status).toBe(200);
    const late = await decide(a.tenant.slug, requestId, keys.audit, { vote: "deny", comment: "too late" });
    expect(late.status).toBe(409);
    expect(late.body.error).toContain("already approved");
    const changed = await decide(a.tenant.slug, requestId, keys.risk, { vote: "deny" });
    expect(changed.status).toBe(409);
    expect(changed.body.error).toContain("decisions are final");
    expect(await decide(a.tenant.slug, requestId, keys.risk, { vote: "approve" })).toMatchObject({
      status: 200,
      body: { status: "approved" },
    });
    const { request, votes } = await requestOf(a, requestId);
    expect(request.status).toBe("approved");
    expect(votes.map((vote) => vote.approver)).toEqual(["agent:risk-bot"]);
  });
});

describe("refusals", () => {
  it("no key, a malformed header, a key of another tenant or a revoked key: 401 with WWW-Authenticate, nothing decided", async () => {
    const { requestId, key } = await holdDelete(a);
    const missing = await decide(a.tenant.slug, requestId, null, { vote: "approve" });
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toBe('Bearer realm="agent-fabric"');
    for (const apiKey of [keys.ofB, keys.revoked, "afk_not-a-key", keys.risk.slice(0, -2)]) {
      const refused = await decide(a.tenant.slug, requestId, apiKey, { vote: "approve" });
      expect(refused.status).toBe(401);
      expect(refused.headers.get("www-authenticate")).toBe('Bearer realm="agent-fabric", error="invalid_token"');
      expect(refused.body.error).toMatch(/not valid for this tenant/);
    }
    const basic = await POST(
      new Request(`http://localhost/api/v1/tenants/${a.tenant.slug}/approvals/${requestId}/decision`, {
        method: "POST",
        headers: { authorization: `Basic ${Buffer.from(`x:${keys.risk}`).toString("base64")}` },
        body: JSON.stringify({ vote: "approve" }),
      }),
      { params: Promise.resolve({ tenant: a.tenant.slug, requestId }) },
    );
    expect((await answerOf(basic)).status).toBe(401);
    expect((await inbox(a.tenant.slug, keys.ofB)).status).toBe(401);
    expect((await inbox(a.tenant.slug, keys.revoked)).status).toBe(401);
    const { request, votes } = await requestOf(a, requestId);
    expect(request.status).toBe("pending");
    expect(votes).toEqual([]);
    expect((await memoryOf(a, key)).deletedAt).toBeNull();
  });

  it("an agent the tier does not list: 403", async () => {
    const { requestId } = await holdDelete(a);
    const answer = await decide(a.tenant.slug, requestId, keys.other, { vote: "approve" });
    expect(answer.status).toBe(403);
    expect(answer.body.error).toContain('agent:other-bot is not an approver of "Risk agents"');
    expect((await requestOf(a, requestId)).request.status).toBe("pending");
  });

  it("a garbage body: 400 (413 when far too large), nothing decided", async () => {
    const { requestId } = await holdDelete(a);
    for (const body of [
      "not json",
      "",
      "[]",
      "null",
      { vote: "maybe" },
      { vote: "approve", extra: true },
      { vote: "approve", comment: 5 },
      { comment: "x" },
      { vote: "approve", comment: "a\u0000b" },
    ]) {
      const answer = await decide(a.tenant.slug, requestId, keys.risk, body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.error).toBeTruthy();
    }
    expect((await decide(a.tenant.slug, requestId, keys.risk, { vote: "approve", comment: "x".repeat(20_000) })).status).toBe(413);
    const { request, votes } = await requestOf(a, requestId);
    expect(request.status).toBe("pending");
    expect(votes).toEqual([]);
  });

  it("an unknown tenant answers exactly as a real tenant with a wrong key: tenant names cannot be probed", async () => {
    const unknown = await inbox("no-such-tenant-x1", keys.risk);
    const wrongKey = await inbox(a.tenant.slug, `${keys.risk}x`);
    const otherTenantsKey = await inbox(b.tenant.slug, keys.risk);
    for (const answer of [unknown, wrongKey, otherTenantsKey]) {
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual(unknown.body);
    }
    expect((await decide("no-such-tenant-x1", crypto.randomUUID(), keys.risk, { vote: "approve" })).status).toBe(401);
  });

  it("an id that is not a request, or a request of another tenant: 404", async () => {
    expect((await decide(a.tenant.slug, "not-a-uuid", keys.risk, { vote: "approve" })).status).toBe(404);
    expect((await decide(a.tenant.slug, crypto.randomUUID(), keys.risk, { vote: "approve" })).status).toBe(404);
    const held = await holdDelete(b);
    const answer = await decide(a.tenant.slug, held.requestId, keys.risk, { vote: "approve" });
    expect(answer).toMatchObject({ status: 404, body: { error: "Approval request not found." } });
    expect((await requestOf(b, held.requestId)).request.status).toBe("pending");
    expect((await memoryOf(b, held.key)).deletedAt).toBeNull();
  });

  it("a suspended tenant: 403", async () => {
    const c = await createTenantFixture();
    const { apiKey } = await keyFor(c, "risk-bot");
    await platform.run((db) => db.tenant.update({ where: { id: c.tenant.id }, data: { status: "suspended" } }));
    const answer = await inbox(c.tenant.slug, apiKey);
    expect(answer).toMatchObject({ status: 403, body: { error: "This tenant is suspended." } });
  });
});

describe("the key stays secret", () => {
  it("appears in no answer, no audit row and no table: only its hash is stored", async () => {
    // A decision first, so this test stands on its own.
    const { requestId } = await holdDelete(a);
    expect((await decide(a.tenant.slug, requestId, keys.risk, { vote: "approve" })).status).toBe(200);
    const secrets = Object.values(keys).map((key) => key.slice(4));
    for (const body of answers) for (const secret of secrets) expect(body).not.toContain(secret);

    const found = await withTenant(a.tenant.id, async (_db, { sql: client }) => {
      const tables = await client.query<{ name: string }>(
        "SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND has_table_privilege(c.oid, 'SELECT') ORDER BY 1",
      );
      const hits: Record<string, string[]> = {};
      for (const needle of [...secrets, hashAgentKey(keys.risk)]) {
        hits[needle] = [];
        for (const { name } of tables.rows) {
          const { rows } = await client.query<{ n: string }>(
            `SELECT count(*) AS n FROM "${name}" AS r WHERE r::text LIKE '%' || $1 || '%'`,
            [needle],
          );
          if (Number(rows[0]?.n) > 0) hits[needle].push(name);
        }
      }
      return hits;
    });
    // The scan does find what is there: the hash, in its one table.
    expect(found[hashAgentKey(keys.risk)]).toEqual(["agent_api_keys"]);
    for (const secret of secrets) expect(found[secret], "a raw key is stored somewhere").toEqual([]);
  });
});
