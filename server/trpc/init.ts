// tRPC initialisation: the context every procedure sees, the transformer, and the
// error formatter that keeps internal details out of responses.
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { z } from "zod";
import type { TSessionUser } from "@/server/auth/users";
import { describeZodError, INTERNAL_MESSAGE, toTRPCError } from "./errors";

export type TContext = {
  /** The signed-in user, reloaded from the database for this request, or null. */
  user: TSessionUser | null;
};

const t = initTRPC.context<TContext>().create({
  transformer: superjson,
  // Never send stack traces, whatever NODE_ENV says.
  isDev: false,
  errorFormatter({ shape, error }) {
    const isInternal = error.code === "INTERNAL_SERVER_ERROR";
    const zodError = error.cause instanceof z.ZodError ? error.cause : null;
    return {
      ...shape,
      message: isInternal ? INTERNAL_MESSAGE : zodError ? describeZodError(zodError) : shape.message,
      data: { code: shape.data.code, httpStatus: shape.data.httpStatus, path: shape.data.path },
    };
  },
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;
export const middleware = t.middleware;

/** Maps every thrown error once, at the outermost layer. */
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) throw toTRPCError(result.error);
  return result;
});

export const publicProcedure = t.procedure.use(mapErrors);

export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue." });
  return next({ ctx: { user: ctx.user } });
});

export const operatorProcedure = authedProcedure.use(({ ctx, next }) => {
  if (!ctx.user.isOperator) throw new TRPCError({ code: "FORBIDDEN", message: "Only platform operators can do this." });
  return next();
});
