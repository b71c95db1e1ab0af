// A demo workflow for the seeded tenants: no outbound request, an approval, then a
// message (to the sandbox outbox until the tenant adds a channel). Idempotent.
import type { TenantDb } from "@/server/db";
import { checkedDefinition } from "./service";

const DEMO_WORKFLOW = {
  name: "payment-reminder",
  description: "Ask before reminding a customer about a payment; large amounts are flagged.",
  definition: {
    start: "compose",
    nodes: [
      {
        id: "compose",
        type: "transform",
        set: { text: "Reminder: invoice {{input.invoice}} ({{input.amount}} EUR) is due." },
        next: "size",
      },
      { id: "size", type: "if", value: "$.input.amount", op: "greaterThan", operand: 1000, then: "flag", else: "ask" },
      { id: "flag", type: "transform", set: { large: true }, next: "ask" },
      { id: "ask", type: "approval", message: "Send: {{nodes.compose.text}}", next: "send" },
      { id: "send", type: "message", args: { channel: "webhook", text: "$.nodes.compose.text" } },
    ],
  },
};

export async function seedDemoWorkflows(db: TenantDb, tenantId: string): Promise<void> {
  const existing = await db.workflow.findFirst({ where: { tenantId, name: DEMO_WORKFLOW.name } });
  if (existing) return;
  const definition = checkedDefinition(DEMO_WORKFLOW.definition);
  const row = await db.workflow.create({
    data: { tenantId, name: DEMO_WORKFLOW.name, description: DEMO_WORKFLOW.description, definition, updatedBy: "user:seed" },
  });
  await db.workflowVersion.create({
    data: { tenantId, workflowId: row.id, version: 1, name: row.name, description: row.description, definition, actor: "user:seed" },
  });
}
