// Deterministic replay: re-run a planner against a recorded run. Tool results
// are served from the log, never executed, so a replay has no side effects.
// The first step where the planner asks for something else than what was
// recorded (another tool, other arguments, or an early or late finish) is the
// divergence.
import { canonicalJson } from "./hash";

export type TRecordedEvent = { type: string; payload: unknown };
export type TToolCall = { tool: string; args: unknown };
export type TRecordedCall = TToolCall & { result: unknown };
export type TPlannerInput = { message: string; results: TRecordedCall[] };
/** Model tokens a planner step used (absent for planners without a model). */
export type TPlannerUsage = { inputTokens: number; outputTokens: number };
export type TPlannerStep = ({ call: TToolCall } | { final: string }) & { usage?: TPlannerUsage };
export type TPlanner = (input: TPlannerInput) => Promise<TPlannerStep>;

export type TReplayStep = { index: number; recorded: TToolCall | null; replayed: TPlannerStep; isSame: boolean };
export type TReplay = { message: string; steps: TReplayStep[]; divergedAt: number | null };

function asCall(payload: unknown): TToolCall | null {
  if (!payload || typeof payload !== "object") return null;
  const { tool, args } = payload as { tool?: unknown; args?: unknown };
  return typeof tool === "string" ? { tool, args: args ?? null } : null;
}

/** A proposed call as recorded: with its result when it executed, without when it was refused, held or failed. */
export type TRecordedProposal = TToolCall & { hasResult: boolean; result?: unknown };

/** The gate records { tool, ok, result } or { tool, ok, error }; the planner was given the result (or the error). */
function servedResult(payload: unknown): unknown {
  if (!payload || typeof payload !== "object" || !("ok" in payload)) return payload;
  const recorded = payload as { ok?: unknown; result?: unknown; error?: unknown };
  if (recorded.ok === true && "result" in recorded) return recorded.result;
  if (recorded.ok === false && "error" in recorded) return { error: recorded.error };
  return payload;
}

/**
 * The user's message, each executed call with its result, and every proposal in
 * order. Proposals come from plan.tool_call events (what the planner asked, before
 * the gate parsed it); older runs without them fall back to the executed calls.
 */
export function recordedCalls(events: TRecordedEvent[]): { message: string; calls: TRecordedCall[]; proposals: TRecordedProposal[] } {
  const first = events.find((event) => event.type === "message.user")?.payload as { text?: unknown } | undefined;
  const calls: TRecordedCall[] = [];
  const planned: TRecordedProposal[] = [];
  let open: TToolCall | null = null;
  for (const event of events) {
    if (event.type === "plan.tool_call") {
      const call = asCall(event.payload);
      if (call) planned.push({ ...call, hasResult: false });
    } else if (event.type === "tool.call") open = asCall(event.payload);
    else if (event.type === "tool.result" && open) {
      const result = servedResult(event.payload);
      calls.push({ ...open, result });
      const last = planned[planned.length - 1];
      if (last && !last.hasResult) Object.assign(last, { hasResult: true, result });
      open = null;
    }
  }
  const proposals = planned.length > 0 ? planned : calls.map((call) => ({ ...call, hasResult: true }));
  return { message: typeof first?.text === "string" ? first.text : "", calls, proposals };
}

function sameCall(a: TToolCall, b: TToolCall): boolean {
  return a.tool === b.tool && canonicalJson(a.args ?? null) === canonicalJson(b.args ?? null);
}

export async function replayRun(events: TRecordedEvent[], planner: TPlanner, options: { maxSteps?: number } = {}): Promise<TReplay> {
  const { message, proposals } = recordedCalls(events);
  const maxSteps = options.maxSteps ?? proposals.length + 1;
  const steps: TReplayStep[] = [];
  const served: TRecordedCall[] = [];
  for (let index = 0; index < maxSteps; index += 1) {
    const replayed = await planner({ message, results: [...served] });
    const recorded = proposals[index] ?? null;
    const shown = recorded ? { tool: recorded.tool, args: recorded.args } : null;
    if ("final" in replayed) {
      const isSame = recorded === null;
      steps.push({ index, recorded: shown, replayed, isSame });
      return { message, steps, divergedAt: isSame ? null : index };
    }
    const isSame = recorded !== null && sameCall(recorded, replayed.call);
    steps.push({ index, recorded: shown, replayed, isSame });
    // Past a divergence there is no recorded result to serve: stop rather than execute anything.
    if (!isSame || !recorded) return { message, steps, divergedAt: index };
    // The recorded run stopped at this call (refused, held or failed): so does the replay.
    if (!recorded.hasResult) return { message, steps, divergedAt: null };
    served.push({ tool: recorded.tool, args: recorded.args, result: recorded.result });
  }
  return { message, steps, divergedAt: steps.length < proposals.length ? steps.length : null };
}
