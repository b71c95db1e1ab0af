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

/** The user's message and each executed call with its result, in order. */
export function recordedCalls(events: TRecordedEvent[]): { message: string; calls: TRecordedCall[] } {
  const first = events.find((event) => event.type === "message.user")?.payload as { text?: unknown } | undefined;
  const calls: TRecordedCall[] = [];
  let open: TToolCall | null = null;
  for (const event of events) {
    if (event.type === "tool.call") open = asCall(event.payload);
    else if (event.type === "tool.result" && open) {
      calls.push({ ...open, result: event.payload });
      open = null;
    }
  }
  return { message: typeof first?.text === "string" ? first.text : "", calls };
}

function sameCall(a: TToolCall, b: TToolCall): boolean {
  return a.tool === b.tool && canonicalJson(a.args ?? null) === canonicalJson(b.args ?? null);
}

export async function replayRun(events: TRecordedEvent[], planner: TPlanner, options: { maxSteps?: number } = {}): Promise<TReplay> {
  const { message, calls } = recordedCalls(events);
  const maxSteps = options.maxSteps ?? calls.length + 1;
  const steps: TReplayStep[] = [];
  const served: TRecordedCall[] = [];
  for (let index = 0; index < maxSteps; index += 1) {
    const replayed = await planner({ message, results: [...served] });
    const recorded = calls[index] ?? null;
    if ("final" in replayed) {
      const isSame = recorded === null;
      steps.push({ index, recorded: recorded ? { tool: recorded.tool, args: recorded.args } : null, replayed, isSame });
      return { message, steps, divergedAt: isSame ? null : index };
    }
    const isSame = recorded !== null && sameCall(recorded, replayed.call);
    steps.push({ index, recorded: recorded ? { tool: recorded.tool, args: recorded.args } : null, replayed, isSame });
    // Past a divergence there is no recorded result to serve: stop rather than execute anything.
    if (!isSame || !recorded) return { message, steps, divergedAt: index };
    served.push(recorded);
  }
  return { message, steps, divergedAt: steps.length < calls.length ? steps.length : null };
}
