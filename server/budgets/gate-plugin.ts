// The gate's budget step (server/gate/steps/budget.ts), installed by server/plugins.ts:
// one tool call against every budget of the tenant that applies to it, all or nothing,
// by one database function (budget_reserve: one conditional UPDATE per budget, whose
// row lock is the only lock). An internal tool's call is charged in its own
// transaction (it commits with the call's record); any other call is reserved until
// it ends, or until its reservation expires after the tool's timeout. A refusal names
// the budget, its window, limit and usage and when it resets; it goes to the model as
// the call's result, so the agent can plan instead of retrying.
import { type TenantDb, withTenant } from "@/server/db";
import { principalId } from "@/server/gate/principal";
import type { TBudgetCheck, TBudgetStep, TGateCall } from "@/server/gate/types";
import { logger } from "@/server/logger";

/** How long a reservation outlives the tool's own timeout before it is given back. */
const RESERVATION_GRACE_MS = 60_000;
const DEFAULT_TOOL_TIMEOUT_MS = 30_000;

type TSpentBudget = {
  id: string;
  name: string;
  metric: string;
  period: string;
  limit: number;
  used: number;
  reserved: number;
  windowStart: string;
  resetsAt: string;
  timezone: string;
};
type TReserveAnswer = { ok: true; reservation: string | null } | { ok: false; budget: TSpentBudget };

const METRIC_NOUNS: Record<string, string> = { tool_calls: "tool calls", outbound_messages: "outbound messages" };

/** "7 Dec 2026, 00:00 (Europe/Berlin)" */
function localTime(at: string, timezone: string): string {
  const text = new Intl.DateTimeFormat("en-GB", {
    timeZone: timezone,
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(new Date(at));
  return `${text} (${timezone})`;
}

/** Which budget, its window, limit, usage and reset: for the decision, the event log, the chat card and the model. */
export function spentExplanation(budget: TSpentBudget): string {
  const noun = METRIC_NOUNS[budget.metric] ?? budget.metric;
  const inUse = budget.used + budget.reserved;
  const running = budget.reserved > 0 ? ` (${budget.reserved} of them still running)` : "";
  return (
    `Budget "${budget.name}" is used up: ${inUse} of ${budget.limit} ${noun} this ${budget.period}${running}, ` +
    `since ${localTime(budget.windowStart, budget.timezone)}. 0 remain; it resets at ${localTime(budget.resetsAt, budget.timezone)}.`
  );
}

const RESERVE_SQL = "SELECT budget_reserve($1::uuid, $2::text[], $3, $4, 1, $5, now(), $6::interval) AS answer";

type TMeteredTool = { name: string; timeoutMs?: number; isOutboundMessage?: boolean };

async function reserveIn(db: TenantDb, call: TGateCall, tool: TMeteredTool, mode: "charge" | "reserve") {
  const ttlMs = (tool.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS) + RESERVATION_GRACE_MS;
  const rows = await db.$queryRawUnsafe<{ answer: TReserveAnswer }[]>(
    RESERVE_SQL,
    call.tenantId,
    tool.isOutboundMessage ? ["tool_calls", "outbound_messages"] : ["tool_calls"],
    principalId(call.principal),
    tool.name,
    mode,
    `${ttlMs} milliseconds`,
  );
  const answer = rows[0]?.answer;
  if (!answer) throw new Error("budget_reserve answered nothing");
  return answer;
}

function checkOf(answer: TReserveAnswer): TBudgetCheck {
  return answer.ok
    ? { isAllowed: true, reservation: answer.reservation }
    : { isAllowed: false, explanation: spentExplanation(answer.budget) };
}

const UNREADABLE =
  "The tenant's budgets could not be checked just now, so the call was not run (budgets fail closed). Try again in a moment.";

export const budgetPlugin: TBudgetStep = {
  async reserve(call, tool, db) {
    // In the call's transaction an error aborts it: the call fails whole, and nothing runs.
    if (db) return checkOf(await reserveIn(db, call, tool, "charge"));
    try {
      return checkOf(await withTenant(call.tenantId, (own) => reserveIn(own, call, tool, "reserve")));
    } catch (error) {
      logger.error({ err: error, tenantId: call.tenantId, tool: tool.name }, "reserving budget failed; the call is refused");
      return { isAllowed: false, explanation: UNREADABLE };
    }
  },

  async settle(tenantId, reservation, isUsed) {
    try {
      await withTenant(tenantId, (db) =>
        db.$executeRawUnsafe("SELECT budget_settle($1::uuid, $2::uuid, $3, now())", tenantId, reservation, isUsed ? 1 : 0),
      );
    } catch (error) {
      // The reservation then expires and gives its amount back; the use is not counted.
      logger.error({ err: error, tenantId, reservation }, "settling a budget reservation failed");
    }
  },
};
