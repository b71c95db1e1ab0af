// Approval workflows: how a held tool call is routed to people (or agents, or a
// policy pack) and decided. A tenant's workflow is a list of routes (first match
// wins) and a default route; a route is a chain of tiers. Each saved edit is a new
// version; a request keeps the version it started with.
import { z } from "zod";
import { ROLES } from "@/server/auth/roles";
import { SAFETY_CLASSES } from "@/server/policy/schema";

const ZName = z.string().trim().min(1).max(80);
const ZCurrency = z.string().regex(/^[A-Z]{3}$/, { message: "use an ISO 4217 code such as EUR" });

export const ZTier = z
  .object({
    name: ZName,
    approvers: z
      .object({
        roles: z.array(z.enum(ROLES)).max(5).default([]),
        /** User ids (members of the tenant). */
        users: z.array(z.uuid()).max(50).default([]),
        /** Agent principal ids that decide through the API. */
        agents: z
          .array(z.string().regex(/^[a-z0-9][a-z0-9._:-]{0,79}$/))
          .max(20)
          .default([]),
        /** A policy pack (catalog or tenant) that decides this tier without people. */
        pack: z
          .object({ name: z.string().min(1).max(63), version: z.number().int().min(1) })
          .strict()
          .optional(),
      })
      .strict(),
    /** n of m: how many approvals this tier needs. One deny ends the request. */
    quorum: z.number().int().min(1).max(20).default(1),
    distinctFromEarlierTiers: z.boolean().default(true),
    distinctFromRequester: z.boolean().default(true),
    slaMinutes: z
      .number()
      .int()
      .min(1)
      .max(60 * 24 * 30),
    /** Alert this many minutes before the deadline (notification), if set. */
    warnBeforeMinutes: z
      .number()
      .int()
      .min(1)
      .max(60 * 24)
      .optional(),
    /** When the SLA passes: deny (default, fail closed), allow, or move to the next tier. */
    onTimeout: z.enum(["deny", "allow", "escalate"]).default("deny"),
  })
  .strict()
  .refine(
    (tier) =>
      tier.approvers.roles.length + tier.approvers.users.length + tier.approvers.agents.length > 0 || tier.approvers.pack !== undefined,
    { message: "a tier needs approvers: a role, users, agents or a pack" },
  );
export type TTier = z.infer<typeof ZTier>;

export const ZRouteMatch = z
  .object({
    safetyClasses: z.array(z.enum(SAFETY_CLASSES)).max(6).optional(),
    tools: z.array(z.string().min(1).max(100)).max(50).optional(),
    /** Amount in minor units, bounds inclusive; currencies, if given, must include the call's. */
    amount: z
      .object({ min: z.number().int().optional(), max: z.number().int().optional(), currencies: z.array(ZCurrency).max(20).optional() })
      .strict()
      .optional(),
    /** Counterparty: exact (case-insensitive), one of a list, or a glob pattern (* and ?). */
    counterparty: z
      .object({
        exact: z.string().min(1).max(200).optional(),
        anyOf: z.array(z.string().min(1).max(200)).max(200).optional(),
        pattern: z.string().min(1).max(200).optional(),
      })
      .strict()
      .optional(),
    /** Tags of the deciding policy: the route matches if the call has any of them. */
    tags: z.array(z.string().min(1).max(50)).max(20).optional(),
  })
  .strict();
export type TRouteMatch = z.infer<typeof ZRouteMatch>;

export const ZRoute = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, { message: "use lower-case letters, digits and dashes" }),
    name: ZName,
    match: ZRouteMatch,
    tiers: z.array(ZTier).min(1).max(5),
  })
  .strict();
export type TRoute = z.infer<typeof ZRoute>;

export const ZApprovalWorkflow = z
  .object({
    routes: z.array(ZRoute).max(50),
    defaultRoute: z.object({ tiers: z.array(ZTier).min(1).max(5) }).strict(),
  })
  .strict()
  .refine((workflow) => new Set(workflow.routes.map((route) => route.id)).size === workflow.routes.length, {
    message: "route ids must be unique",
  });
export type TApprovalWorkflow = z.infer<typeof ZApprovalWorkflow>;

/** What routing looks at: the held call as the gate saw it. */
export type TRoutedCall = {
  tool: string;
  safetyClass: string;
  amount?: number;
  currency?: string;
  counterparty?: string;
  tags: string[];
};

/** Who decided what. Principals: "user:<id>", "agent:<id>", "pack:<name>@v<version>", "timeout". */
export type TApprovalVote = { tier: number; approver: string; vote: "approve" | "deny"; at: Date };

/** A request's place in its chain. */
export type TChainState = { status: "pending"; tier: number } | { status: "approved" | "denied" | "expired"; tier: number; reason: string };

/** Used when a tenant has no workflow yet: one tier of approvers (and above), 24 h, deny on timeout. */
export const DEFAULT_WORKFLOW: TApprovalWorkflow = {
  routes: [],
  defaultRoute: {
    tiers: [
      {
        name: "Approvers",
        approvers: { roles: ["approver"], users: [], agents: [] },
        quorum: 1,
        distinctFromEarlierTiers: true,
        distinctFromRequester: true,
        slaMinutes: 24 * 60,
        onTimeout: "deny",
      },
    ],
  },
};
