// One tenant's policy text must never switch the gate off for the others. Cedar's
// WebAssembly traps on deep or long expressions; the limits refuse such text before
// Cedar sees it, and if Cedar traps anyway, only the call that trapped is denied.
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { logger } from "@/server/logger";
import { createRequire } from "node:module";
import path from "node:path";
import { cedarGeneration, type TCedar } from "./cedar";
import { CATALOG_PACKS } from "./catalog";
import { compileComposition, decide, PolicyCompileError, type TComposition, type TPolicyRequest } from "./evaluate";
import type { TPolicyLimits } from "./complexity";

const OTHER_TENANT: TComposition = { packs: [...CATALOG_PACKS] };
const NO_LIMITS: TPolicyLimits = { maxChars: 10_000_000, maxPolicies: 100_000, maxNesting: 1_000_000, maxOperators: 1_000_000 };

function request(tenantId: string, action = "memory.get"): TPolicyRequest {
  return {
    principal: { type: "User", id: "u-1", role: "member" },
    action,
    tenantId,
    context: { safetyClass: "read_only", tainted: false, tags: [], pii: { hasAny: false, kinds: [] }, amount: 7 },
  };
}

const repeat = (text: string, times: number) => text.repeat(times);
const chain = (term: string, operator: string, times: number, last: string) => `${repeat(`${term} ${operator} `, times)}${last}`;

// Conditions of a known value, in every shape that made Cedar trap.
const SHAPES: Record<string, (n: number) => { condition: string; value: boolean }> = {
  parentheses: (n) => ({ condition: `${repeat("(", n)}true${repeat(")", n)}`, value: true }),
  lists: (n) => ({ condition: `${repeat("[", n)}1${repeat("]", n)} == ${repeat("[", n)}1${repeat("]", n)}`, value: true }),
  records: (n) => ({ condition: `${repeat("{a: ", n)}1${repeat("}", n)} == ${repeat("{a: ", n)}1${repeat("}", n)}`, value: true }),
  ifThen: (n) => ({ condition: `${repeat("if true then ", n)}true${repeat(" else false", n)}`, value: true }),
  ifElse: (n) => ({ condition: `${repeat("if false then false else ", n)}true`, value: true }),
  negations: (n) => ({ condition: `${repeat("!(", n)}false${repeat(")", n)}`, value: n % 2 === 1 }),
  sums: (n) => ({ condition: `${chain("context.amount", "+", n, "1")} > 0`, value: true }),
  products: (n) => ({ condition: `${chain("1", "*", n, "1")} == 1`, value: true }),
  ors: (n) => ({ condition: chain("context.amount == 1", "||", n, "true"), value: true }),
  ands: (n) => ({ condition: chain("context has amount", "&&", n, "false"), value: false }),
  nestedSums: (n) => ({ condition: `${repeat("(context.amount + ", n)}1${repeat(")", n)} > 0`, value: true }),
};

const arbitraryCase = fc.record({
  shape: fc.constantFrom(...Object.keys(SHAPES)),
  size: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 100, max: 700 }), fc.integer({ min: 900, max: 1200 })),
  lines: fc.integer({ min: 0, max: 3 }),
});

function candidate(shape: string, size: number, lines: number) {
  const { condition, value } = (SHAPES[shape] as (n: number) => { condition: string; value: boolean })(size);
  const text = `${"\n".repeat(lines)}@id("candidate")\npermit (principal, action, resource)\nwhen { ${condition} };`;
  return { text, expected: value ? "allow" : "deny" };
}

// Compiled before any case runs: after a trap it belongs to a discarded instance and must still decide.
const staleOther = compileComposition(OTHER_TENANT);

function otherTenantStillDecides(): void {
  expect(decide(compileComposition(OTHER_TENANT), request("other-tenant")).effect).toBe("allow");
  expect(decide(staleOther, request("other-tenant", "memory.set")).effect).toBe("allow");
  expect(
    decide(compileComposition(OTHER_TENANT), { ...request("other-tenant"), principal: { type: "User", id: "v", role: "viewer" } }).effect,
  ).toBe("deny");
}

describe("Cedar cannot be poisoned for every tenant", () => {
  it("deep and long policy text is refused with a line-precise message or decides correctly; other tenants keep deciding", () => {
    fc.assert(
      fc.property(arbitraryCase, ({ shape, size, lines }) => {
        const { text, expected } = candidate(shape, size, lines);
        let outcome: string;
        try {
          outcome = decide(compileComposition({ packs: [{ name: "candidate", version: 1, text }] }), request("tenant-a")).effect;
        } catch (error) {
          expect(error).toBeInstanceOf(PolicyCompileError);
          expect((error as PolicyCompileError).issues[0]).toMatch(/^line \d+(, column \d+)?: /);
          outcome = "refused";
        }
        if (outcome !== "refused") expect(outcome).toBe(expected);
        otherTenantStillDecides();
      }),
      { numRuns: 120 },
    );
  });

  it("with the limits off, Cedar's own traps are survived: the trapping call is denied or refused, the rest decide", () => {
    const errors = vi.spyOn(logger, "error").mockImplementation(() => undefined);
    let traps = 0;
    fc.assert(
      fc.property(arbitraryCase, ({ shape, size, lines }) => {
        const { text, expected } = candidate(shape, size, lines);
        const before = cedarGeneration();
        try {
          const decision = decide(
            compileComposition({ packs: [{ name: "candidate", version: 1, text }] }, { limits: NO_LIMITS }),
            request("tenant-a"),
          );
          if (decision.explanation.startsWith("policy evaluation failed inside the policy engine")) expect(decision.effect).toBe("deny");
          else expect(decision.effect).toBe(expected);
        } catch (error) {
          expect(error).toBeInstanceOf(PolicyCompileError);
          expect((error as PolicyCompileError).issues.join(" ")).toMatch(/policy engine failed|not valid|parse|too many/i);
        }
        if (cedarGeneration() !== before) traps += 1;
        otherTenantStillDecides();
      }),
      { numRuns: 60, seed: 20261206 },
    );
    // The seed makes some cases deep enough to trap: recovery was exercised, and logged.
    expect(traps).toBeGreaterThan(0);
    expect(errors).toHaveBeenCalled();
    errors.mockRestore();
  });

  it("a trap inside decide() denies that one call; the next call of another tenant is decided normally", () => {
    const errors = vi.spyOn(logger, "error").mockImplementation(() => undefined);
    const tenantA = compileComposition(OTHER_TENANT);
    expect(decide(tenantA, request("tenant-a")).effect).toBe("allow");
    // The live instance is the module in Node's require cache (cedar.ts loads it there).
    const live = createRequire(path.join(process.cwd(), "package.json"))("@cedar-policy/cedar-wasm/nodejs") as TCedar;
    const poison = `@id("p") permit (principal, action, resource) when { ${repeat("(", 400)}true${repeat(")", 400)} };`;
    // The decision traps for real inside the instance: its memory is left corrupt.
    const spy = vi.spyOn(live, "statefulIsAuthorized").mockImplementationOnce(() => {
      live.policyToJson(poison);
      throw new Error("unreachable: the line above traps");
    });
    const before = cedarGeneration();
    // Another amount: a request decided before would be answered from the set's decisions without Cedar.
    const trapped = decide(tenantA, { ...request("tenant-a"), context: { ...request("tenant-a").context, amount: 8 } });
    spy.mockRestore();
    expect(trapped).toMatchObject({ effect: "deny", policies: [] });
    expect(trapped.explanation).toContain("policy evaluation failed inside the policy engine");
    expect(cedarGeneration()).toBeGreaterThan(before);
    expect(errors).toHaveBeenCalledWith(expect.objectContaining({ tenantId: "tenant-a", action: "memory.get" }), "policy decision failed");
    // The trapped instance is not used again: another tenant, and the same tenant, decide normally.
    otherTenantStillDecides();
    expect(decide(tenantA, request("tenant-a")).effect).toBe("allow");
    // The trap's denial was not kept: the same request, asked again, is decided by the new instance.
    expect(decide(tenantA, { ...request("tenant-a"), context: { ...request("tenant-a").context, amount: 8 } }).effect).toBe("allow");
    errors.mockRestore();
  });

  it("text that traps Cedar while parsing is refused, and not handed to Cedar again", () => {
    const errors = vi.spyOn(logger, "error").mockImplementation(() => undefined);
    const deep = `@id("deep")\npermit (principal, action, resource)\nwhen { ${repeat("(", 200)}true${repeat(")", 200)} };`;
    const composition = { packs: [{ name: "deep", version: 1, text: deep }] };
    const before = cedarGeneration();
    expect(() => compileComposition(composition, { limits: NO_LIMITS })).toThrow(/not valid: the policy engine failed on this text/);
    const afterTrap = cedarGeneration();
    expect(afterTrap).toBeGreaterThan(before);
    expect(() => compileComposition(composition, { limits: NO_LIMITS })).toThrow(/made the policy engine fail before/);
    expect(cedarGeneration()).toBe(afterTrap);
    otherTenantStillDecides();
    errors.mockRestore();
  });
});
