import { env } from "@/server/env";
import { authedProcedure, createTRPCRouter, publicProcedure } from "@/server/trpc/init";
import { ZChangePassword, ZCompleteReset, ZRequestReset } from "./schemas";
import { changePassword, completePasswordReset, endAllSessions, requestPasswordReset } from "./service";

// Links in emails point at the configured public URL, never at a Host header.
const baseUrl = () => env.NEXTAUTH_URL ?? "http://localhost:3000";

export const accountRouter = createTRPCRouter({
  changePassword: authedProcedure.input(ZChangePassword).mutation(({ ctx, input }) => changePassword(ctx.user.id, input)),
  signOutEverywhere: authedProcedure.mutation(({ ctx }) => endAllSessions(ctx.user.id)),
  // Public: the answer is the same whether the email has an account.
  requestReset: publicProcedure.input(ZRequestReset).mutation(({ input }) => requestPasswordReset(input.email, baseUrl())),
  completeReset: publicProcedure.input(ZCompleteReset).mutation(({ input }) => completePasswordReset(input)),
});
