import type { TPrincipal } from "@/server/policy/evaluate";

export type TGateCall = {
  tenantId: string;
  runId: string;
  principal: TPrincipal;
  /** Whatever the planner produced: untrusted until the registry step parses it. */
  tool: string;
  args: unknown;
};

export const GATE_STEPS = ["registry", "tenant", "policy", "budget", "approval", "execute"] as const;
export type TGateStep = (typeof GATE_STEPS)[number];

/** Why the gate decided what it did: the step, and for policy the pack, version and policy ids. */
export type TGateDecision = {
  effect: "allow" | "deny" | "require_approval";
  step: TGateStep;
  explanation: string;
  policies: { id: string; pack: string; version: number }[];
  tags: string[];
};

export type TGateOutcome =
  | { status: "executed"; decision: TGateDecision; result: unknown }
  | { status: "denied"; decision: TGateDecision }
  | { status: "held"; decision: TGateDecision; approvalRequestId: string; isPackTier?: boolean }
  | { status: "failed"; decision: TGateDecision; error: string };

/** The budget step's seam: the budgets issue fills it with atomic reservations. */
export type TBudgetStep = (
  call: TGateCall,
  tool: { name: string; safetyClass: string },
) => Promise<{ isAllowed: true } | { isAllowed: false; explanation: string }>;
export const noBudget: TBudgetStep = async () => ({ isAllowed: true });
