// Comparing two versions of an item, for every kind: field by field, lines kept, removed
// and added.
import { beforeAll, describe, expect, it } from "vitest";
import { withTenant } from "@/server/db";
import { createSkill, skillKind } from "@/server/skills/service";
import { callerFor, callPath, createTenantFixture, type TTenantFixture } from "@/server/test/factories";

let fx: TTenantFixture;
let skillId = "";

beforeAll(async () => {
  fx = await createTenantFixture();
  skillId = await withTenant(fx.tenant.id, async (db) => {
    const skill = await createSkill(
      db,
      fx.tenant.id,
      { userId: null, label: "user:diff" },
      {
        name: "diff-skill",
        description: "",
        body: "Greet the customer.\nAsk for the order number.\n",
      },
    );
    const row = await skillKind.find(db, fx.tenant.id, skill.id);
    await skillKind.write(
      db,
      fx.tenant.id,
      row,
      { ...row.content, body: "Greet the customer.\nAsk for the invoice number.\n", isDeleted: false },
      "user:diff",
    );
    return skill.id;
  });
});

describe("recovery.diff", () => {
  it("shows what changed between two versions, field by field", async () => {
    const diff = await callerFor(fx.users.member).recovery.diff({ tenantSlug: fx.tenant.slug, kind: "skill", id: skillId, from: 1, to: 2 });
    const body = diff.fields.find((field) => field.field === "body");
    expect(body?.isChanged).toBe(true);
    expect(body?.parts).toEqual([
      { value: "Greet the customer.\n", added: false, removed: false },
      { value: "Ask for the order number.\n", added: false, removed: true },
      { value: "Ask for the invoice number.\n", added: true, removed: false },
    ]);
    expect(diff.fields.find((field) => field.field === "name")).toMatchObject({ isChanged: false });
  });

  it("answers NOT_FOUND for a version that does not exist, or another tenant's item", async () => {
    expect(
      await callPath(fx.users.member, "recovery.diff", { tenantSlug: fx.tenant.slug, kind: "skill", id: skillId, from: 1, to: 9 }),
    ).toBe("NOT_FOUND");
    const other = await createTenantFixture();
    expect(
      await callPath(other.users.member, "recovery.diff", { tenantSlug: other.tenant.slug, kind: "skill", id: skillId, from: 1, to: 2 }),
    ).toBe("NOT_FOUND");
  });
});
