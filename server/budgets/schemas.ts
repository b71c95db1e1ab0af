import { z } from "zod";
import { zText } from "@/server/validation";

/**
 * What a budget counts, as the gate meters it: every tool call it lets run, and of
 * those the ones that send a message to people outside (tools marked isOutboundMessage).
 */
export const BUDGET_METRICS = ["tool_calls", "outbound_messages"] as const;
/** Calendar windows in the tenant's time zone. */
export const BUDGET_PERIODS = ["minute", "hour", "day", "month"] as const;
export type TBudgetPeriod = (typeof BUDGET_PERIODS)[number];

const ZPrincipal = z
  .string()
  .trim()
  .regex(/^(user|agent):[A-Za-z0-9._@:-]{1,200}$/, { message: 'use "user:<id>" or "agent:<id>"' });
const ZToolName = z
  .string()
  .trim()
  .regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/, { message: 'use a tool name such as "payments.transfer"' });

const fields = {
  name: zText({ min: 1, max: 80 }),
  metric: z.enum(BUDGET_METRICS),
  period: z.enum(BUDGET_PERIODS),
  limitAmount: z.number().int().min(0).max(1_000_000_000),
  principal: ZPrincipal.nullable(),
  tool: ZToolName.nullable(),
};

export const ZCreateBudget = z.object({
  ...fields,
  metric: fields.metric.default("tool_calls"),
  principal: fields.principal.default(null),
  tool: fields.tool.default(null),
});
export type TCreateBudget = z.infer<typeof ZCreateBudget>;

export const ZBudgetRef = z.object({ budgetId: z.uuid() });
/** Changes what is given; the rest stays. */
export const ZUpdateBudget = ZBudgetRef.extend({
  name: fields.name.optional(),
  period: fields.period.optional(),
  limitAmount: fields.limitAmount.optional(),
  principal: fields.principal.optional(),
  tool: fields.tool.optional(),
});
export type TUpdateBudget = z.infer<typeof ZUpdateBudget>;
export const ZBudgetHistory = ZBudgetRef.extend({ windows: z.number().int().min(1).max(90).default(14) });
export const ZUpdateBudgetSettings = z.object({ timezone: z.string().trim().min(1).max(64) });
