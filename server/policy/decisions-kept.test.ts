// A decision is kept by its policy set and request and handed back for the same request,
// so Cedar is asked once per distinct request; anything Cedar sees that differs is asked again.
import { createRequire } from "node:module";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { TCedar } from "./cedar";
import { compileComposition, decide, type TComposition, type TPolicyRequest } from "./evaluate";

const live = () => createRequire(path.join(process.cwd(), "package.json"))("@cedar-policy/cedar-wasm/nodejs") as TCedar;

const PACK = `
@id("members-write") @reason("members write memory")
permit (principal, action == Action::"memory.set", resource) when { principal.role == "member" && !context.tainted };
@id("no-card-numbers") @reason("card numbers stay out of memory")
forbid (principal, action, resource) when { context.pii.kinds.contains("card") };
@id("big-amounts") @effect("require_approval") @tags("finance") @reason("large amounts need a second pair of eyes")
forbid (principal, action == Action::"memory.set", resource) when { context has amount && context.amount > 1000 };
`;
const composition = (text: string): TComposition => ({ packs: [{ name: "kept", version: 1, text }] });

function request(overrides: Partial<TPolicyRequest> = {}, context: Partial<TPolicyRequest["context"]> = {}): TPolicyRequest {
  return {
    principal: { type: "User", id: "u-1", role: "member" },
    action: "memory.set",
    tenantId: "tenant-a",
    ...overrides,
    context: { safetyClass: "write_internal", tainted: false, tags: [], pii: { hasAny: false, kinds: [] }, ...context },
  };
}

describe("decisions kept per policy set", () => {
  afterEach(() => vi.restoreAllMocks());

  it("asks Cedar once for the same request, and hands back the same frozen decision", () => {
    const compiled = compileComposition(composition(PACK));
    const cedar = vi.spyOn(live(), "statefulIsAuthorized");
    const first = decide(compiled, request());
    const second = decide(compiled, request());
    expect(first.effect).toBe("allow");
    expect(second).toBe(first);
    expect(cedar).toHaveBeenCalledTimes(1);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.policies)).toBe(true);
    expect(() => (first.policies as unknown[]).push("x")).toThrow();
  });

  it("asks again whenever anything Cedar sees differs, and each answer is its own", () => {
    const compiled = compileComposition(composition(PACK));
    decide(compiled, request());
    const cedar = vi.spyOn(live(), "statefulIsAuthorized");
    const variants: [TPolicyRequest, string][] = [
      [request({ principal: { type: "User", id: "u-1", role: "viewer" } }), "deny"],
      [request({ principal: { type: "User", id: "u-2", role: "member" } }), "allow"],
      [request({ principal: { type: "Agent", id: "u-1" } }), "deny"],
      [request({ action: "memory.delete" }), "deny"],
      [request({ tenantId: "tenant-b" }), "allow"],
      [request({}, { tainted: true }), "deny"],
      [request({}, { pii: { hasAny: true, kinds: ["card"] } }), "deny"],
      [request({}, { amount: 5_000 }), "require_approval"],
      [request({}, { amount: 5 }), "allow"],
    ];
    for (const [variant, effect] of variants) expect(decide(compiled, variant).effect).toBe(effect);
    expect(cedar).toHaveBeenCalledTimes(variants.length);
    // Asked again, every one of them is answered from what was kept.
    for (const [variant, effect] of variants) expect(decide(compiled, variant).effect).toBe(effect);
    expect(cedar).toHaveBeenCalledTimes(variants.length);
  });

  it("a changed composition is decided afresh: nothing kept for the old text answers for the new", () => {
    const before = compileComposition(composition(PACK));
    expect(decide(before, request()).effect).toBe("allow");
    const edited = compileComposition(composition(`${PACK}\n@id("freeze") forbid (principal, action, resource);`));
    const cedar = vi.spyOn(live(), "statefulIsAuthorized");
    expect(decide(edited, request()).effect).toBe("deny");
    expect(cedar).toHaveBeenCalledTimes(1);
  });
});
