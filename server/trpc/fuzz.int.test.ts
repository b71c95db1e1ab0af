// Bad input never becomes an internal error: arbitrary inputs to every
// procedure, as the most privileged principal (so the deepest code runs) and as
// nobody, must give a 4xx, never INTERNAL_SERVER_ERROR.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type { TSessionUser } from "@/server/auth/users";
import { platform, setOperator } from "@/server/db/platform";
import { callPath, createTenantFixture, type TTenantFixture } from "@/server/test/factories";
import { appRouter } from "./root";

let fx: TTenantFixture;
let superUser: TSessionUser;
/** The fixture's memory entry ("launch"), so the recovery and memory procedures also run on a real id. */
let memoryEntryId = "";

beforeAll(async () => {
  fx = await createTenantFixture({ withEventLog: true });
  // The tenant's owner, made an operator too: every procedure is open to it.
  await platform.run((db) => setOperator(db, fx.users.owner.id, true), "test");
  superUser = { ...fx.users.owner, isOperator: true };
  const entry = await platform.inTenant(fx.tenant.id, (db) => db.memoryEntry.findFirst({ where: { tenantId: fx.tenant.id } }));
  memoryEntryId = entry?.id ?? "";
});

const HOSTILE_STRINGS = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\u001b[31m",
  "a".repeat(5000),
  "../../etc/passwd",
  "' OR 1=1 --",
  "\ud800",
  "NaN",
  "-1",
];
const KEYS = [
  "tenantSlug",
  "tenantId",
  "membershipId",
  "invitationId",
  "token",
  "email",
  "ownerEmail",
  "role",
  "name",
  "slug",
  "password",
  "cursor",
  "limit",
  "tool",
  "isEnabled",
  "provider",
  "baseUrl",
  "model",
  "apiKey",
  "clearApiKey",
  "credentialId",
  "agentId",
  "keyId",
  "label",
  "fields",
  "kind",
  "id",
  "version",
  "entryId",
  "query",
  "purgeAfterDays",
  "packId",
  "text",
  "description",
  "skillId",
  "workflowId",
  "body",
  "definition",
  "input",
  "expression",
  "timezone",
  "scheduleId",
  "heartbeatId",
  "intervalMinutes",
  "webhookCredentialId",
  "emailCredentialId",
  "emailTo",
  "events",
  "requestId",
  "requestIds",
  "executionId",
  "vote",
  "comment",
  "minAmount",
  "maxAmount",
  "safetyClass",
  "result",
  "note",
];

/** Every hostile string in every field, alone and beside a valid tenant: tried before the random runs. */
function examples(): [unknown, boolean][] {
  const cases: [unknown, boolean][] = [];
  for (const key of KEYS) {
    for (const value of [...HOSTILE_STRINGS, 0, -1, 1e308, null, [], {}]) {
      cases.push([{ [key]: value }, false]);
      cases.push([{ tenantSlug: fx.tenant.slug, [key]: value }, false]);
    }
  }
  return cases;
}

/** Values near the valid ones, and anything at all. */
function inputs(): fc.Arbitrary<unknown> {
  const text = fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.constantFrom(...HOSTILE_STRINGS));
  const uuidish = fc.oneof(fc.uuid(), text);
  const field = fc.oneof(text, uuidish, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.anything());
  return fc.oneof(
    fc.anything(),
    fc.record(
      {
        tenantSlug: fc.oneof(fc.constant(fx.tenant.slug), text),
        tenantId: fc.oneof(fc.constant(fx.tenant.id), uuidish),
        membershipId: fc.oneof(fc.constant(fx.memberships.viewer), uuidish),
        invitationId: uuidish,
        token: fc.oneof(text, fc.constant(`${fx.tenant.id}.${"A".repeat(43)}`)),
        email: fc.oneof(fc.emailAddress(), text),
        ownerEmail: fc.oneof(fc.emailAddress(), text),
        role: fc.oneof(fc.constantFrom("viewer", "member", "approver", "admin", "owner"), text),
        name: text,
        slug: text,
        password: text,
        cursor: uuidish,
        limit: field,
        runId: fc.oneof(fc.constant(fx.runId ?? ""), uuidish),
        seq: fc.oneof(fc.constantFrom("1", "2", "4", "99999999999999999999"), text, fc.integer()),
        oldSize: field,
        newSize: field,
        status: fc.oneof(fc.constantFrom("running", "completed"), text),
        principal: text,
        tool: fc.oneof(fc.constantFrom("memory.get", "memory.search", "shell.exec"), text),
        isEnabled: fc.oneof(fc.boolean(), field),
        provider: fc.oneof(fc.constantFrom("scripted", "webhook"), text),
        baseUrl: fc.oneof(fc.constantFrom("http://127.0.0.1:1/v1", "https://api.openai.com/v1"), text),
        model: text,
        apiKey: text,
        clearApiKey: fc.oneof(fc.boolean(), field),
        credentialId: uuidish,
        agentId: fc.oneof(fc.constantFrom("risk-bot", "Risk Bot", "-bot", "a".repeat(81)), text),
        keyId: uuidish,
        kind: fc.oneof(fc.constantFrom("memory", "skill", "cron", "heartbeat", "workflow", "policy_pack", "nope"), text),
        id: fc.oneof(fc.constant(memoryEntryId), uuidish),
        version: field,
        entryId: fc.oneof(fc.constant(memoryEntryId), uuidish),
        query: text,
        purgeAfterDays: field,
        packId: uuidish,
        requestId: uuidish,
        executionId: uuidish,
        requestIds: fc.oneof(fc.array(uuidish, { maxLength: 3 }), field),
        vote: fc.oneof(fc.constantFrom("approve", "deny"), text),
        comment: text,
        minAmount: field,
        maxAmount: field,
        safetyClass: fc.oneof(fc.constantFrom("financial", "destructive"), text),
        text: fc.oneof(text, fc.constantFrom("permit (principal, action, resource);", "forbid (principal, action, resource) when { 1 };")),
        description: text,
        skillId: uuidish,
        workflowId: uuidish,
        body: text,
        definition: fc.oneof(
          fc.constant({ start: "a", nodes: [{ id: "a", type: "transform", set: { ok: true } }] }),
          fc.constant({ start: "a", nodes: [{ id: "a", type: "shell", command: "rm -rf /" }] }),
          fc.record({
            start: text,
            nodes: fc.array(fc.record({ id: text, type: fc.oneof(fc.constantFrom("http", "switch", "exec"), text) })),
          }),
          field,
        ),
        input: fc.oneof(fc.dictionary(text, fc.jsonValue()), field),
        label: text,
        expression: fc.oneof(fc.constantFrom("0 9 * * *", "* * * * * *", "@secondly", "61 * * * *", "H H * * *"), text),
        timezone: fc.oneof(fc.constantFrom("UTC", "Europe/Paris", "Mars/Olympus", "+01:00"), text),
        scheduleId: uuidish,
        heartbeatId: uuidish,
        intervalMinutes: fc.oneof(fc.integer({ min: -5, max: 50_000 }), field),
        webhookCredentialId: fc.oneof(uuidish, fc.constant(null)),
        emailCredentialId: fc.oneof(uuidish, fc.constant(null)),
        emailTo: fc.oneof(fc.array(fc.oneof(fc.emailAddress(), text)), field),
        events: fc.oneof(fc.array(fc.constantFrom("requested", "sla_warning", "decided", "nope")), field),
        fields: fc.oneof(fc.dictionary(fc.constantFrom("url", "signingSecret", "accessToken", "nope"), text), field),
        from: fc.oneof(text, fc.date({ noInvalidDate: false }), fc.integer()),
        to: fc.oneof(text, fc.date({ noInvalidDate: false }), fc.integer()),
        checkpointEvery: field,
        checkpointMinutes: field,
        anchoring: fc.oneof(fc.constantFrom("off", "builtin"), text),
        retention: fc.oneof(fc.dictionary(fc.constantFrom("tool_result", "message", "nope"), field), field),
        classes: fc.oneof(fc.array(fc.constantFrom("message", "tool_result", "nope")), field),
        runIds: fc.oneof(fc.array(uuidish), field),
        conversationId: uuidish,
        message: fc.oneof(fc.constantFrom("run rm -rf /", "remember that x", "delete everything you remember"), text),
        title: text,
        fromSeq: fc.oneof(fc.constantFrom("1", "2", "999999999999999999"), text),
        toSeq: fc.oneof(fc.constantFrom("1", "4", "999999999999999999"), text),
      },
      { requiredKeys: [] },
    ),
  );
}

async function codeOf(user: TSessionUser | null, path: string, input: unknown): Promise<string> {
  return callPath(user, path, input).catch((error: unknown) => `non-tRPC error: ${String(error)}`);
}

describe("fuzzed input", () => {
  for (const path of Object.keys(appRouter._def.procedures).sort()) {
    it(`${path} never answers INTERNAL_SERVER_ERROR`, async () => {
      await fc.assert(
        fc.asyncProperty(inputs(), fc.boolean(), async (input, isAnonymous) => {
          const code = await codeOf(isAnonymous ? null : superUser, path, input);
          expect(code).not.toBe("INTERNAL_SERVER_ERROR");
          expect(code).not.toMatch(/^non-tRPC/);
        }),
        { numRuns: 60, examples: examples() },
      );
    });
  }
});
