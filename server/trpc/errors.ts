// The one place where domain errors become transport errors. Anything that is
// not an AppError or a known input problem is logged and answered with a
// generic message: no stack, SQL or internal detail reaches a client.
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { AppError, isUniqueViolation } from "@/server/errors";
import { logger } from "@/server/logger";

export const INTERNAL_MESSAGE = "Something went wrong on our side. It has been logged; please try again.";

function fromPrisma(error: unknown): TRPCError | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (isUniqueViolation(error)) return new TRPCError({ code: "CONFLICT", message: "That already exists." });
  if (code === "P2025") return new TRPCError({ code: "NOT_FOUND", message: "Not found." });
  return null;
}

export function toTRPCError(error: unknown): TRPCError {
  const cause = error instanceof TRPCError && error.cause ? error.cause : error;
  if (cause instanceof AppError) return new TRPCError({ code: cause.code, message: cause.message });
  if (error instanceof TRPCError && error.code !== "INTERNAL_SERVER_ERROR") return error;
  if (cause instanceof z.ZodError) return new TRPCError({ code: "BAD_REQUEST", message: describeZodError(cause), cause });
  const mapped = fromPrisma(cause);
  if (mapped) return mapped;
  logger.error({ err: cause }, "internal error");
  return new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: INTERNAL_MESSAGE });
}

export function describeZodError(error: z.ZodError): string {
  const parts = error.issues.slice(0, 5).map((issue) => {
    const field = issue.path.map(String).join(".");
    return field ? `${field}: ${issue.message}` : issue.message;
  });
  return parts.join("; ") || "The input is not valid.";
}
