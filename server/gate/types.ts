import type { TenantDb } from "@/server/db";
import type { TPrincipal } from "@/server/policy/evaluate";
import type { ToolRegistry } from "@/server/tools/registry";

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

/** How long each step took, in milliseconds (recorded with the decision, for the run viewer). */
export type TStepDurations = Partial<Record<TGateStep, number>>;

export type TGateOutcome = (
  | { status: "executed"; decision: TGateDecision; result: unknown }
  | { status: "denied"; decision: TGateDecision }
  | { status: "held"; decision: TGateDecision; approvalRequestId: string; isPackTier?: boolean }
  | { status: "failed"; decision: TGateDecision; error: string }
) & { durationsMs?: TStepDurations };

/** The budget step's answer: allowed (with the reservation to settle, if one was made) or refused, explained. */
export type TBudgetCheck = { isAllowed: true; reservation: string | null } | { isAllowed: false; explanation: string };

/**
 * The budget step's seam, filled by server/budgets: one call against the tenant's
 * budgets, all or nothing, with no application lock.
 */
export type TBudgetStep = {
  /**
   * With `db` (an internal tool's transaction) the call is charged in it: it commits
   * with the call's record or rolls back with it, and there is nothing to settle.
   * Without, it is reserved until `settle` (or until the reservation expires).
   * Refuses, never throws, when usage cannot be read or reserved (fail closed).
   */
  reserve(call: TGateCall, tool: { name: string; timeoutMs?: number; isOutboundMessage?: boolean }, db?: TenantDb): Promise<TBudgetCheck>;
  /** A reserved call ended: its use is counted when it ran (`isUsed`), else released. */
  settle(tenantId: string, reservation: string, isUsed: boolean): Promise<void>;
};
export const noBudget: TBudgetStep = { reserve: async () => ({ isAllowed: true, reservation: null }), settle: async () => undefined };

/** What the gate hands the approval plug-in for a held call: bound to exactly this run, tool and arguments. */
export type THeldCall = {
  tenantId: string;
  runId: string;
  tool: string;
  args: unknown;
  /** callDigest of run, tool and arguments: an approval is for exactly this call. */
  digest: string;
  decision: TGateDecision;
  requestedBy: string;
  /** The fields approval routes match on. */
  routed: { tool: string; safetyClass: string; tags: string[]; amount?: number; currency?: string; counterparty?: string };
};

/**
 * The approval step's plug-in: approvals route and decide held calls; the gate only
 * hands them over. Installed at start-up (server/plugins.ts), so the gate never
 * imports the approvals domain.
 */
export type TApprovalPlugin = {
  /**
   * File the held call as an approval request, routed by the tenant's workflow; in the
   * caller's tenant transaction when `db` is given (an internal tool's call, recorded
   * with that transaction's COMMIT), else in one of its own.
   */
  hold(held: THeldCall, db?: TenantDb): Promise<{ id: string; isPackTier: boolean }>;
  /** After the hold is recorded: a first tier decided by a policy pack decides now. */
  afterHold(tenantId: string, requestId: string): Promise<void>;
};

/**
 * The tools the gate runs: the deployment's registry, assembled above the gate
 * (server/tools/catalog.ts) and handed to it at start-up, so the gate never
 * imports the tools' definitions and no caller passes it a registry of its own.
 */
export type TToolSource = () => Promise<ToolRegistry>;

export type TGatePlugins = { approval: TApprovalPlugin; budget: TBudgetStep; tools: TToolSource };
