// Demo skills for the seeded tenants. Idempotent: a skill that exists under the
// name (live or in the Trash) is left as it is.
import type { TenantDb } from "@/server/db";

const DEMO_SKILLS = [
  {
    name: "refund-policy",
    description: "How to answer refund requests.",
    body: `# Refund policy

Refunds are possible within **30 days** of purchase.

1. Ask for the order number.
2. Check that the order is less than 30 days old.
3. Refunds above 500 EUR go through a person: say so, and do not promise anything.

Never ask for card numbers in chat.
`,
  },
  {
    name: "weekly-report",
    description: "What goes into the Friday status report.",
    body: `# Weekly report

- Open incidents and their owners
- Payments waiting for approval
- Anything a policy refused this week, with the reason

Keep it under ten lines. Use \`code\` formatting for ids.
`,
  },
];

export async function seedDemoSkills(db: TenantDb, tenantId: string): Promise<void> {
  for (const skill of DEMO_SKILLS) {
    const existing = await db.skill.findFirst({ where: { tenantId, name: skill.name } });
    if (existing) continue;
    const row = await db.skill.create({ data: { tenantId, ...skill, updatedBy: "user:seed" } });
    await db.skillVersion.create({ data: { tenantId, skillId: row.id, version: 1, ...skill, actor: "user:seed" } });
  }
}
