// Budgets' figures for `npm run bench` (called by scripts/bench-gate.ts):
//
//   reservations/s: the budget step's reserve and settle (each its own short
//     transaction, as for an external tool's call), one tenant with 32 concurrent
//     callers on one budget, and 8 tenants with 4 callers each;
//   the whole pipeline with two budgets applying to every call against the same
//     pipeline without budgets, in alternating rounds of one run (the machine's noise
//     hits both sides alike): the cost per call of budgets, as a ratio.
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { TGateCall } from "../server/gate/types";
import type { TPrincipal } from "../server/policy/evaluate";
import type { TBenchResult } from "./bench-gate";

type TBenchTenant = { tenantId: string; runIds: string[]; member: TPrincipal; viewer: TPrincipal };
type TPipeline = (
  tenants: TBenchTenant[],
  options: { seconds: number; offset: number },
) => Promise<{ rate: number; p50: number; p99: number }>;

const ADMIN = { userId: null, label: "user:bench" };
/** Far above what a round can use: every call passes, every call is counted. */
const HIGH_LIMIT = 1_000_000_000;

async function reservations(tenantIds: string[], callersPerTenant: number, seconds: number) {
  const { budgetPlugin } = await import("../server/budgets/gate-plugin");
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  let count = 0;
  let refused = 0;
  await Promise.all(
    tenantIds.flatMap((tenantId) =>
      Array.from({ length: callersPerTenant }, async () => {
        const call: TGateCall = {
          tenantId,
          runId: randomUUID(),
          principal: { type: "User", id: randomUUID(), role: "member" },
          tool: "web.fetch",
          args: {},
        };
        while (performance.now() < deadline) {
          const check = await budgetPlugin.reserve(call, { name: "web.fetch", timeoutMs: 10_000 });
          if (!check.isAllowed || !check.reservation) refused += 1;
          else await budgetPlugin.settle(tenantId, check.reservation, true);
          count += 1;
        }
      }),
    ),
  );
  return { rate: count / ((performance.now() - started) / 1000), refused };
}

export async function benchBudgets(
  log: (result: TBenchResult) => void,
  tenants: TBenchTenant[],
  pipeline: TPipeline,
  options: { seconds: number },
) {
  const { withTenant } = await import("../server/db");
  const { createBudget, deleteBudget } = await import("../server/budgets/service");
  const roundSeconds = Math.max(3, options.seconds / 2);

  const addBudgets = () =>
    Promise.all(
      tenants.map(({ tenantId }) =>
        withTenant(tenantId, async (db) => {
          const common = { metric: "tool_calls" as const, limitAmount: HIGH_LIMIT, principal: null, tool: null };
          return [
            (await createBudget(db, tenantId, ADMIN, { ...common, name: "calls per day", period: "day" })).id,
            (await createBudget(db, tenantId, ADMIN, { ...common, name: "calls per minute", period: "minute" })).id,
          ];
        }),
      ),
    );
  const removeBudgets = (ids: string[][]) =>
    Promise.all(
      tenants.map(({ tenantId }, index) =>
        withTenant(tenantId, async (db) => {
          for (const id of ids[index] ?? []) await deleteBudget(db, tenantId, ADMIN, id);
        }),
      ),
    );

  // Alternating rounds: without, with two budgets on every call, three times.
  const rounds: { without: number; with: number; withP99: number; withoutP99: number }[] = [];
  for (let round = 0; round < 3; round += 1) {
    const without = await pipeline(tenants, { seconds: roundSeconds, offset: 10_000 * (round + 1) });
    const ids = await addBudgets();
    const withBudgets = await pipeline(tenants, { seconds: roundSeconds, offset: 20_000 * (round + 1) });
    await removeBudgets(ids);
    rounds.push({ without: without.rate, with: withBudgets.rate, withoutP99: without.p99, withP99: withBudgets.p99 });
  }
  // Time per call is 1/rate: the ratio of times is the inverse ratio of rates.
  const ratios = rounds.map((round) => round.without / round.with).sort((a, b) => a - b);
  const median = ratios[1] ?? 1;
  log({
    name: "gate whole pipeline, two budgets on every call vs none: time per call",
    value: median,
    unit: "× (target ≤ 1.25)",
    detail: rounds
      .map(
        (round) =>
          `${round.without.toFixed(0)} → ${round.with.toFixed(0)} calls/s (p99 ${round.withoutP99.toFixed(1)} → ${round.withP99.toFixed(1)} ms)`,
      )
      .join("; "),
    rounds: rounds.map((round) => ({ ...round })),
  });

  // Reservations: a budget on every tenant, reserve then settle.
  const ids = await addBudgets();
  const one = await reservations([tenants[0]?.tenantId ?? ""], 32, roundSeconds);
  log({
    name: "budget reservations (reserve + settle), 1 tenant, 32 concurrent callers",
    value: one.rate,
    unit: "reservations/s",
    detail: `${one.refused} refused`,
  });
  const eight = await reservations(
    tenants.map((tenant) => tenant.tenantId),
    4,
    roundSeconds,
  );
  log({
    name: "budget reservations (reserve + settle), 8 tenants, 4 callers each",
    value: eight.rate,
    unit: "reservations/s",
    detail: `${eight.refused} refused`,
  });
  await removeBudgets(ids);
}
