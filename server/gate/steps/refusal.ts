// How every step says no: the step, the reason, and for policy the pack, version
// and rule that decided.
import type { TPolicyDecision } from "@/server/policy/evaluate";
import type { TGateDecision, TGateStep } from "../types";

export function refusal(step: TGateStep, explanation: string, from?: TPolicyDecision): TGateDecision {
  return {
    effect: from?.effect === "require_approval" ? "require_approval" : "deny",
    step,
    explanation,
    policies: from?.policies.map((policy) => ({ id: policy.id, pack: policy.pack, version: policy.version })) ?? [],
    tags: from?.tags ?? [],
  };
}

/** A step's answer: go on with its output, or stop with a denial. */
export type TStepResult<T> = { ok: true; value: T } | { ok: false; decision: TGateDecision };

export const pass = <T>(value: T): TStepResult<T> => ({ ok: true, value });
export const stop = (decision: TGateDecision): TStepResult<never> => ({ ok: false, decision });
