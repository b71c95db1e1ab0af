// The work two app processes race over in the several-instances tests: each is what
// an instance does on its own (a settle after a vote, an approver's vote, the approval
// sweep's part for one tenant, the schedule tick's part for one tenant, gate calls). The test
// process and the second process (./second-process-child.ts) run the same functions,
// so a race between them is a race between two instances of the app.
//
// Per tenant on purpose: the worker's jobs walk every active tenant, and test files
// running beside these ones keep their own tenants with simulated clocks.
import { settle, voteOnRequest } from "@/server/approvals/service";
import { expireOverdue, finishDecided } from "@/server/approvals/sweep";
import { AppError } from "@/server/errors";
import { runGate } from "@/server/gate/pipeline";
import { claimDueFires, runFires } from "@/server/schedules/tick";

/** Inputs and outputs cross a pipe as JSON: times are ISO strings. */
export const RACE_TASKS = {
  /** Settle approved requests (the step after a vote, and the sweep's finish): the call's outcome here, null if the other process claimed it. */
  settle: async (input: { tenantId: string; requestIds: string[] }) =>
    Promise.all(
      input.requestIds.map(async (requestId) => {
        const outcome = await settle(input.tenantId, requestId);
        return { requestId, status: outcome?.status ?? null, error: outcome?.status === "failed" ? outcome.error : null };
      }),
    ),

  /** One approver's vote on each request: "accepted" or the refusal's code. */
  vote: async (input: { tenantId: string; requestIds: string[]; principal: string; role: "approver" | "admin" | "owner" }) =>
    Promise.all(
      input.requestIds.map(async (requestId) => {
        try {
          const result = await voteOnRequest(input.tenantId, requestId, { principal: input.principal, role: input.role }, "approve", "ok");
          return { requestId, answer: "accepted" as const, status: result.status, executed: result.outcome?.status ?? null };
        } catch (error) {
          if (error instanceof AppError) return { requestId, answer: error.code, status: null, executed: null };
          throw error;
        }
      }),
    ),

  /** The approval sweep's work for one tenant at `now` (server/jobs/handlers.ts runApprovalSweep). */
  sweep: async (input: { tenantId: string; now: string }) => {
    const now = new Date(input.now);
    return { expired: await expireOverdue(input.tenantId, now), finished: await finishDecided(input.tenantId, now) };
  },

  /** The schedule tick's work for one tenant at `now`: claim the due fires, then run their agent turns (runScheduleTick). */
  tick: async (input: { tenantId: string; now: string }) => {
    const claimed = await claimDueFires(input.tenantId, new Date(input.now));
    await runFires(claimed.fires);
    return { fired: claimed.fires.map((fire) => fire.scheduleId), refused: claimed.refusals.length };
  },

  /** `count` memory.set calls through the gate at once, by one member in one run: how many ran, and the refusals' explanations. */
  gateCalls: async (input: { tenantId: string; runId: string; userId: string; count: number; prefix: string }) => {
    const outcomes = await Promise.all(
      Array.from({ length: input.count }, (_, index) =>
        runGate({
          tenantId: input.tenantId,
          runId: input.runId,
          principal: { type: "User", id: input.userId, role: "member" },
          tool: "memory.set",
          args: { key: `${input.prefix}-${index}`, value: "v" },
        }),
      ),
    );
    return {
      executed: outcomes.filter((outcome) => outcome.status === "executed").length,
      refusals: outcomes.filter((outcome) => outcome.status === "denied").map((outcome) => outcome.decision.explanation),
    };
  },
} as const;

export type TRaceTask = keyof typeof RACE_TASKS;
export type TRaceInput<K extends TRaceTask> = Parameters<(typeof RACE_TASKS)[K]>[0];
export type TRaceOutput<K extends TRaceTask> = Awaited<ReturnType<(typeof RACE_TASKS)[K]>>;

export function isRaceTask(name: string): name is TRaceTask {
  return Object.hasOwn(RACE_TASKS, name);
}
