// payments.transfer: money out through the tenant's payments API. Financial: the
// treasury pack holds large transfers and unknown counterparties for approval,
// routing on the fields below. Without a credential the transfer goes to the
// sandbox outbox; no money moves.
import { z } from "zod";
import { createTransfer, knownCounterparties, normalizeCounterparty, type TTransfer } from "@/server/connectors/payments";
// Renamed here: the React hooks lint takes any use… function for a hook.
import { openCredentialForCall } from "@/server/credentials/service";
import { withTenant } from "@/server/db";
import { callDigest } from "@/server/tools/call-digest";
import { deliverToOutbox } from "@/server/outbox/service";
import type { TToolDefinition } from "../types";

/** 10,000,000.00 in a two-decimal currency: anything above is a mistake or an attack, not a plan. */
export const MAX_TRANSFER_MINOR = 1_000_000_000;

const ZText = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), { message: "must not contain control characters" });

export const ZTransfer = z
  .object({
    amount: z.number().int().positive().max(MAX_TRANSFER_MINOR),
    currency: z.string().regex(/^[A-Z]{3}$/, { message: "must be an ISO 4217 code of three capital letters, e.g. EUR" }),
    counterparty: ZText(200),
    reference: ZText(140).optional(),
  })
  .strict();

/** Whether the counterparty is on the list in the tenant's payments credential (plain config; the secret stays sealed). */
async function isKnownCounterparty(tenantId: string, counterparty: string): Promise<boolean> {
  const row = await withTenant(tenantId, (db) =>
    db.credential.findFirst({
      where: { tenantId, provider: "payments", deletedAt: null },
      // The same credential openCredentialForCall picks: the newest.
      orderBy: { createdAt: "desc" },
      select: { config: true },
    }),
  );
  return row ? knownCounterparties(row.config).has(normalizeCounterparty(counterparty)) : false;
}

export const paymentsTransfer: TToolDefinition<TTransfer> = {
  name: "payments.transfer",
  description:
    "Transfer money to a counterparty. amount is an integer in minor units (cents: 50.00 EUR is 5000), currency an ISO 4217 code.",
  input: ZTransfer,
  safetyClass: "financial",
  capability: "api",
  timeoutMs: 30_000,
  policyFields: async (args, { tenantId }) => ({
    amount: args.amount,
    currency: args.currency,
    counterparty: args.counterparty,
    knownCounterparty: await isKnownCounterparty(tenantId, args.counterparty),
  }),
  execute: async (context, args) => {
    // The digest the gate binds approvals to: the same call (run, tool, arguments) has the same key.
    const idempotencyKey = callDigest({ runId: context.runId, tool: "payments.transfer", args });
    const credential = await openCredentialForCall(context.tenantId, "payments", {
      tool: "payments.transfer",
      runId: context.runId,
      principal: context.principal,
    });
    if (!credential)
      return deliverToOutbox(context.tenantId, {
        runId: context.runId,
        tool: "payments.transfer",
        provider: "payments",
        target: args.counterparty,
        payload: { ...args, idempotencyKey },
      });
    return createTransfer(credential, args, idempotencyKey, context.signal);
  },
};

export const PAYMENTS_TOOLS = [paymentsTransfer];
