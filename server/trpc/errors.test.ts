import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError } from "@/server/errors";
import { INTERNAL_MESSAGE, toTRPCError } from "./errors";

describe("error mapping", () => {
  it("maps coded domain errors to the same tRPC code and message", () => {
    const mapped = toTRPCError(new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: new AppError("CONFLICT", "Already there.") }));
    expect(mapped.code).toBe("CONFLICT");
    expect(mapped.message).toBe("Already there.");
  });

  it("hides anything unexpected behind a generic message", () => {
    const leak = new Error('relation "memberships" violates ... at Object.<anonymous> (/srv/app.js:1:1)');
    const mapped = toTRPCError(new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: leak }));
    expect(mapped.code).toBe("INTERNAL_SERVER_ERROR");
    expect(mapped.message).toBe(INTERNAL_MESSAGE);
    expect(mapped.message).not.toContain("memberships");
  });

  it("turns validation errors into a 400 naming the field", () => {
    const parsed = z.object({ email: z.email() }).safeParse({ email: "nope" });
    if (parsed.success) throw new Error("expected a validation error");
    const mapped = toTRPCError(new TRPCError({ code: "BAD_REQUEST", cause: parsed.error }));
    expect(mapped.code).toBe("BAD_REQUEST");
  });

  it("maps unique violations to CONFLICT, also a raw query's", () => {
    const mapped = toTRPCError(new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: Object.assign(new Error("x"), { code: "P2002" }) }));
    expect(mapped.code).toBe("CONFLICT");
    const raw = Object.assign(new Error("Raw query failed"), {
      code: "P2010",
      meta: { driverAdapterError: { cause: { kind: "UniqueConstraintViolation", originalCode: "23505" } } },
    });
    expect(toTRPCError(raw).code).toBe("CONFLICT");
    // Another failed raw query stays an internal error.
    const other = Object.assign(new Error("Raw query failed"), {
      code: "P2010",
      meta: { driverAdapterError: { cause: { kind: "Other" } } },
    });
    expect(toTRPCError(other).code).toBe("INTERNAL_SERVER_ERROR");
  });
});
