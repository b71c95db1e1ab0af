import { z } from "zod";
import { toTRPCError } from "@/server/trpc/errors";
import { createTRPCRouter } from "@/server/trpc/init";
import { tenantProcedure } from "@/server/trpc/tenant-procedure";
import { zText } from "@/server/validation";
import { cancelRequest } from "./cancel";
import { getRequest, listHistory, listInbox } from "./queries";
import { voteOnRequest } from "./service";
import { currentWorkflow, saveWorkflow } from "./workflow";
import { closeStalled, listStalled, ZCloseResult } from "./stalled";
import { userPrincipal } from "@/server/principals";

const ZVote = z.enum(["approve", "deny"]);
const ZComment = zText({ max: 2_000 }).optional();
const me = (ctx: { user: { id: string }; membership: { role: "viewer" | "member" | "approver" | "admin" | "owner" } }) => ({
  principal: userPrincipal(ctx.user.id),
  role: ctx.membership.role,
});

// The approvers' inbox. Reading needs membership; deciding needs to be an eligible
// approver of the request's current tier (checked by the service, per request).
export const approvalRouter = createTRPCRouter({
  inbox: tenantProcedure("member")
    .input(
      z.object({
        tool: z.string().max(100).optional(),
        safetyClass: z.string().max(40).optional(),
        minAmount: z.number().int().optional(),
        maxAmount: z.number().int().optional(),
      }),
    )
    .query(({ ctx, input }) => ctx.withTenant((db) => listInbox(db, ctx.tenant.id, me(ctx), input))),
  count: tenantProcedure("member").query(async ({ ctx }) => ({
    pending: (await ctx.withTenant((db) => listInbox(db, ctx.tenant.id, me(ctx)))).length,
  })),
  get: tenantProcedure("member")
    .input(z.object({ requestId: z.uuid() }))
    .query(({ ctx, input }) => ctx.withTenant((db) => getRequest(db, ctx.tenant.id, input.requestId))),
  history: tenantProcedure("member")
    .input(z.object({ query: z.string().max(200).optional(), limit: z.number().int().min(1).max(200).default(50) }))
    .query(({ ctx, input }) => ctx.withTenant((db) => listHistory(db, ctx.tenant.id, input))),
  // No transaction around a decision: an approval may execute the held call.
  decide: tenantProcedure("member")
    .input(z.object({ requestId: z.uuid(), vote: ZVote, comment: ZComment }))
    .mutation(({ ctx, input }) => voteOnRequest(ctx.tenant.id, input.requestId, me(ctx), input.vote, input.comment ?? null)),
  decideMany: tenantProcedure("member")
    .input(z.object({ requestIds: z.array(z.uuid()).min(1).max(50), vote: ZVote, comment: ZComment }))
    .mutation(async ({ ctx, input }) => {
      const results = [];
      for (const requestId of input.requestIds) {
        try {
          results.push({
            requestId,
            ...(await voteOnRequest(ctx.tenant.id, requestId, me(ctx), input.vote, input.comment ?? null)),
            error: null,
          });
        } catch (error) {
          // Each request answers for itself, with the message the single decide would give.
          results.push({ requestId, status: null, error: toTRPCError(error).message });
        }
      }
      return results.map((result) => ({ requestId: result.requestId, status: result.status, error: result.error }));
    }),
  // The requester withdraws their own held call; admins may withdraw any (checked by the service).
  cancel: tenantProcedure("member")
    .input(z.object({ requestId: z.uuid(), comment: ZComment }))
    .mutation(({ ctx, input }) => cancelRequest(ctx.tenant.id, input.requestId, me(ctx), input.comment ?? null)),
  // Decided requests whose call has no outcome long after: an admin checks the tool's side and closes them.
  stalled: tenantProcedure("admin").query(({ ctx }) => ctx.withTenant((db) => listStalled(db, ctx.tenant.id))),
  close: tenantProcedure("admin")
    .input(z.object({ requestId: z.uuid(), result: ZCloseResult, note: zText({ max: 2_000 }) }))
    .mutation(({ ctx, input }) =>
      closeStalled(
        ctx.tenant.id,
        input.requestId,
        { userId: ctx.user.id, principal: userPrincipal(ctx.user.id) },
        input.result,
        input.note,
      ),
    ),
  workflow: tenantProcedure("viewer").query(({ ctx }) => ctx.withTenant((db) => currentWorkflow(db, ctx.tenant.id))),
  saveWorkflow: tenantProcedure("admin")
    .input(z.object({ definition: z.unknown() }))
    .mutation(({ ctx, input }) => ctx.withTenant((db) => saveWorkflow(db, ctx.tenant.id, ctx.user.id, input.definition))),
});
