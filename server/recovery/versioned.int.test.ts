// The shared versioned shape (versioned.ts), as a property over every kind built on it
// (memory, skills, workflows, cron schedules, heartbeat tasks, policy packs, approval
// workflows):
// any sequence of edits, deletes, restores and restores of earlier versions keeps every
// version readable, exactly as written, and the latest restorable.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_WORKFLOW } from "@/server/approvals/types";
import { approvalWorkflowKind, saveWorkflow as saveApprovalWorkflow } from "@/server/approvals/workflow";
import { withTenant } from "@/server/db";
import { memoryKind, setMemoryIn } from "@/server/memory/service";
import { createPack, policyPackKind } from "@/server/policy/packs";
import { createHeartbeat, heartbeatKind } from "@/server/schedules/heartbeat";
import { createSchedule, cronKind } from "@/server/schedules/service";
import { createSkill, skillKind } from "@/server/skills/service";
import { createTenantFixture, type TTenantFixture } from "@/server/test/factories";
import { saveWorkflow, workflowKind } from "@/server/workflows/service";
import type { TVersionedKind } from "./versioned";

let fx: TTenantFixture;

beforeAll(async () => {
  fx = await createTenantFixture();
});

const ACTOR = "user:property";
const DEFINITION = {
  start: "compose",
  nodes: [{ id: "compose", type: "transform", set: { text: "hello" } }],
};

type TOp = { type: "edit"; text: string } | { type: "delete" } | { type: "restore" } | { type: "restore_version"; pick: number };

const ops = fc.array(
  fc.oneof(
    fc.record({
      type: fc.constant("edit" as const),
      text: fc.string({ minLength: 1, maxLength: 40 }).filter((text) => !text.includes("\u0000")),
    }),
    fc.record({ type: fc.constant("delete" as const) }),
    fc.record({ type: fc.constant("restore" as const) }),
    fc.record({ type: fc.constant("restore_version" as const), pick: fc.nat() }),
  ),
  { minLength: 1, maxLength: 8 },
);

/**
 * A kind under test: how to make a first version (in a tenant of its own when the kind
 * has one item per tenant), what an edit's text becomes, and whether it can be deleted.
 */
type TSubject<TContent extends Record<string, unknown>> = {
  kind: TVersionedKind<TContent>;
  create(tenantId: string, name: string): Promise<{ id: string; content: TContent; tenantId?: string }>;
  edited(content: TContent, text: string): TContent;
  isNeverDeleted?: boolean;
};

let serial = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(serial += 1)}`;

const subjects: Record<string, TSubject<Record<string, unknown>>> = {
  memory: {
    kind: memoryKind as unknown as TVersionedKind<Record<string, unknown>>,
    create: (tenantId, name) =>
      withTenant(tenantId, async (db, tx) => {
        await setMemoryIn(tx.sql, tenantId, name, "first", ACTOR);
        const entry = await db.memoryEntry.findFirstOrThrow({ where: { tenantId, key: name } });
        return { id: entry.id, content: { value: "first" } };
      }),
    edited: (_content, text) => ({ value: text }),
  },
  skill: {
    kind: skillKind as unknown as TVersionedKind<Record<string, unknown>>,
    create: (tenantId, name) =>
      withTenant(tenantId, async (db) => {
        const skill = await createSkill(db, tenantId, { userId: null, label: ACTOR }, { name, description: "", body: "first" });
        return { id: skill.id, content: { name, description: "", body: "first" } };
      }),
    edited: (content, text) => ({ ...content, body: text, description: text.slice(0, 20) }),
  },
  workflow: {
    kind: workflowKind as unknown as TVersionedKind<Record<string, unknown>>,
    create: (tenantId, name) =>
      withTenant(tenantId, async (db) => {
        const workflow = await saveWorkflow(
          db,
          tenantId,
          { userId: null, label: ACTOR },
          { name, description: "first", definition: DEFINITION },
        );
        return { id: workflow.id, content: { name, description: "first", definition: DEFINITION } };
      }),
    edited: (content, text) => ({ ...content, description: text }),
  },
  cron: {
    kind: cronKind as unknown as TVersionedKind<Record<string, unknown>>,
    create: (tenantId, name) =>
      withTenant(tenantId, async (db) => {
        const content = { label: name, expression: "0 9 * * *", timezone: "UTC", message: "first" };
        const schedule = await createSchedule(db, tenantId, { userId: null, label: ACTOR }, content);
        return { id: schedule.id, content };
      }),
    edited: (content, text) => ({ ...content, message: text }),
  },
  heartbeat: {
    kind: heartbeatKind as unknown as TVersionedKind<Record<string, unknown>>,
    create: (tenantId, name) =>
      withTenant(tenantId, async (db) => {
        const content = { label: name, intervalMinutes: 60, expression: null, timezone: "UTC", message: "first", isEnabled: true };
        const task = await createHeartbeat(db, tenantId, { userId: null, label: ACTOR }, content);
        return { id: task.id, content };
      }),
    edited: (content, text) => ({ ...content, message: text, isEnabled: text.length % 2 === 0 }),
  },
  policy_pack: {
    kind: policyPackKind as unknown as TVersionedKind<Record<string, unknown>>,
    create: (tenantId, name) =>
      withTenant(tenantId, async (db) => {
        const text = packText("first");
        const pack = await createPack(db, tenantId, { userId: null, label: ACTOR }, { name, text });
        return { id: pack.id, content: { text } };
      }),
    edited: (_content, text) => ({ text: packText(text) }),
  },
  approval_workflow: {
    kind: approvalWorkflowKind as unknown as TVersionedKind<Record<string, unknown>>,
    create: async () => {
      const own = await createTenantFixture();
      return withTenant(own.tenant.id, async (db) => {
        const saved = await saveApprovalWorkflow(db, own.tenant.id, own.users.admin.id, DEFAULT_WORKFLOW);
        return { id: saved.id ?? "", content: { definition: DEFAULT_WORKFLOW }, tenantId: own.tenant.id };
      });
    },
    edited: (_content, text) => ({ definition: workflowNamed(text) }),
    isNeverDeleted: true,
  },
};

/** The default workflow with its tier named after the edit (hex: any string makes a valid name). */
function workflowNamed(edit: string) {
  const [tier] = DEFAULT_WORKFLOW.defaultRoute.tiers;
  return { routes: [], defaultRoute: { tiers: [{ ...tier, name: `Tier ${Buffer.from(edit).toString("hex").slice(0, 60)}` }] } };
}

/** A valid pack whose text carries the edit (as hex in a comment, so any string is valid Cedar). */
function packText(edit: string): string {
  return `@id("property")\npermit (principal, action == Action::"memory.get", resource);\n// ${Buffer.from(edit).toString("hex")}`;
}

describe.each(Object.keys(subjects))("the %s kind on the shared versioned shape", (name) => {
  const subject = subjects[name] as TSubject<Record<string, unknown>>;
  const { kind } = subject;

  it("keeps every version readable and the latest restorable, whatever the sequence", async () => {
    await fc.assert(
      fc.asyncProperty(ops, async (sequence: TOp[]) => {
        const created = await subject.create(fx.tenant.id, unique(name));
        const tenantId = () => created.tenantId ?? fx.tenant.id;
        // The model: every version's content and whether it was a delete, oldest first.
        const model: { content: Record<string, unknown>; isDeleted: boolean }[] = [{ content: created.content, isDeleted: false }];
        const current = () => model[model.length - 1] as { content: Record<string, unknown>; isDeleted: boolean };
        for (const op of sequence) {
          await withTenant(tenantId(), async (db) => {
            const row = await kind.find(db, tenantId(), created.id);
            if (op.type === "edit" && !current().isDeleted) {
              const content = subject.edited(current().content, op.text);
              await kind.write(db, tenantId(), row, { ...content, isDeleted: false }, ACTOR);
              model.push({ content, isDeleted: false });
            } else if (op.type === "delete" && !current().isDeleted && !subject.isNeverDeleted) {
              await kind.write(db, tenantId(), row, { ...current().content, isDeleted: true }, ACTOR);
              model.push({ content: current().content, isDeleted: true });
            } else if (op.type === "restore") {
              if (current().isDeleted) {
                await kind.restore(db, tenantId(), created.id, ACTOR);
                model.push({ content: current().content, isDeleted: false });
              } else {
                await expect(kind.restore(db, tenantId(), created.id, ACTOR)).rejects.toMatchObject({ code: "CONFLICT" });
              }
            } else if (op.type === "restore_version") {
              const version = (op.pick % model.length) + 1;
              const content = (model[version - 1] as { content: Record<string, unknown> }).content;
              await kind.restoreVersion(db, tenantId(), created.id, version, ACTOR);
              model.push({ content, isDeleted: false });
            }
          });
        }
        await withTenant(tenantId(), async (db) => {
          // Every version readable, exactly as written, newest first.
          const versions = await kind.listVersions(db, tenantId(), created.id);
          expect(versions.map((version) => version.version)).toEqual(model.map((_, index) => model.length - index));
          const shown = (content: Record<string, unknown>) => (Object.keys(content).length === 1 ? Object.values(content)[0] : content);
          expect(versions.map(({ content, isDeleted }) => ({ content, isDeleted }))).toEqual(
            [...model].reverse().map(({ content, isDeleted }) => ({ content: shown(content), isDeleted })),
          );
          // The latest restorable: out of the Trash if it is there, with its last content.
          const row = await kind.find(db, tenantId(), created.id);
          if (row.deletedAt) {
            await kind.restore(db, tenantId(), created.id, ACTOR);
            expect((await kind.find(db, tenantId(), created.id)).content).toEqual(current().content);
          } else {
            expect(row.content).toEqual(current().content);
          }
          // Into the Trash again, so the tenant's caps (schedules, heartbeat tasks) never fill up.
          const restored = await kind.find(db, tenantId(), created.id);
          if (!subject.isNeverDeleted) await kind.write(db, tenantId(), restored, { ...current().content, isDeleted: true }, ACTOR);
        });
      }),
      { numRuns: 12 },
    );
  });
});
