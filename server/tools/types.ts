import type { z } from "zod";
import type { SqlClient, TenantDb, TSql } from "@/server/db";
import type { TPolicyContext, TSafetyClass } from "@/server/policy/schema";

/** What a nested call through the gate comes back as (the gate's outcome, as tools see it). */
export type TNestedOutcome =
  | { status: "executed"; decision: { step: string; explanation: string }; result: unknown }
  | { status: "denied"; decision: { step: string; explanation: string } }
  | { status: "held"; decision: { step: string; explanation: string }; approvalRequestId: string }
  | { status: "failed"; decision: { step: string; explanation: string }; error: string };

/**
 * A call of another tool through the gate, in the same run and as the same principal
 * (workflow steps): handed to a tool by the gate, so no tool imports the gate.
 */
export type TNestedGate = (tool: string, args: unknown) => Promise<TNestedOutcome>;

/** The record step's transaction, handed to an internal tool (Prisma and raw SQL). */
export type TToolTransaction = { db: TenantDb; sql: SqlClient };

/**
 * What a tool sees of the call. The tenant comes from the gate, never from the arguments.
 * `tx` is given to internal tools only: their effect runs in the transaction that records it.
 */
export type TToolContext = {
  tenantId: string;
  runId: string;
  principal: string;
  signal: AbortSignal;
  gate?: TNestedGate;
  tx?: TToolTransaction;
};

export type TCapability = "api" | "local";

/**
 * An internal tool's effect as one SQL statement, sent in the same round trip as the
 * COMMIT that records it (server/gate/steps/record.ts, recordEffectWithCommit): the
 * statement returns one row whose column `value` is an integer (a new version), and
 * `result` turns that value into the tool's result. Its events and the effect commit
 * together or not at all, as with `execute`; the call takes one round trip fewer. The
 * result is the tool's own code around an integer: it opens no secret and has nothing
 * to scrub or cap.
 */
export type TCommitEffect = { statement: TSql; result: (value: number) => unknown };

export type TToolDefinition<TInput = unknown> = {
  name: string;
  description: string;
  input: z.ZodType<TInput>;
  safetyClass: TSafetyClass;
  /** `local` tools touch the host (shell, files, processes): they cannot exist in saas. */
  capability: TCapability;
  /**
   * `internal`: the effect is rows in our own database (memory). The tool runs inside the
   * record step's transaction (context.tx): its effect and its events commit together or
   * not at all. Other tools act outside (HTTP, messages, payments): the gate commits a
   * "started" record before they run, so a crash leaves a visible unknown outcome.
   */
  effect?: "internal";
  /** Results come from outside (web, inbound messages, sheets): the run becomes tainted. */
  readsUntrustedContent?: boolean;
  /** Runs gated steps of its own that may hold the run for approval (workflow.run). */
  mayHoldRun?: boolean;
  timeoutMs?: number;
  /** Sends a message to people outside (email, chat, WhatsApp): counted by `outbound_messages` budgets. */
  isOutboundMessage?: boolean;
  maxOutputBytes?: number;
  /**
   * Fields policies route on (amount, counterparty, path…), from the validated arguments
   * and, where needed, the tenant's own data (e.g. its known counterparties).
   */
  policyFields?: (args: TInput, tenant: { tenantId: string }) => Partial<TPolicyContext> | Promise<Partial<TPolicyContext>>;
  execute: (context: TToolContext, args: TInput) => Promise<unknown>;
  /**
   * The same effect as `execute`, as one statement sent with COMMIT (internal tools
   * only). The gate uses it for a call it decides and executes in one transaction, and
   * falls back to `execute` when the database refuses it.
   */
  commitEffect?: (context: Pick<TToolContext, "tenantId" | "runId" | "principal">, args: TInput) => TCommitEffect;
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a registry holds tools of every input type
export type TAnyTool = TToolDefinition<any>;
