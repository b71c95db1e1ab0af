import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CATALOG_PACKS } from "./catalog";
import { compileComposition, decide, PolicyCompileError, validateComposition, type TComposition, type TPolicyRequest } from "./evaluate";
import type { TPolicyContext } from "./schema";

const TOOLS = ["memory.get", "memory.set", "memory.delete", "payments.transfer", "message.send", "web.fetch", "shell.exec"];
/** The newest version of each catalog pack (as the default composition uses them). */
const ALL: TComposition = {
  packs: CATALOG_PACKS.filter((pack) => !CATALOG_PACKS.some((other) => other.name === pack.name && other.version > pack.version)),
};
const packOf = (name: string, version: number) => CATALOG_PACKS.filter((pack) => pack.name === name && pack.version === version);

function request(action: string, context: Partial<TPolicyContext> = {}, role = "member"): TPolicyRequest {
  return {
    principal: { type: "User", id: "u-1", role },
    action,
    tenantId: "t-1",
    context: { safetyClass: "read_only", tainted: false, tags: [], pii: { hasAny: false, kinds: [] }, ...context },
  };
}

describe("catalog packs", () => {
  it("validate against the schema of the registered tools", () => {
    expect(validateComposition(ALL, TOOLS)).toEqual([]);
  });

  it("members may use tools; viewers may not (default deny names no policy)", () => {
    const compiled = compileComposition(ALL);
    expect(decide(compiled, request("memory.get"))).toMatchObject({ effect: "allow", policies: [{ id: "baseline@v1/permit-members" }] });
    expect(decide(compiled, request("memory.get", {}, "viewer"))).toMatchObject({
      effect: "deny",
      policies: [],
      explanation: "no policy permits this call (default deny)",
    });
  });

  it("treasury holds large transfers and unknown counterparties, with its routing tags", () => {
    const compiled = compileComposition(ALL);
    const small = request("payments.transfer", {
      safetyClass: "financial",
      amount: 50_00,
      counterparty: "Northwind",
      knownCounterparty: true,
    });
    expect(decide(compiled, small).effect).toBe("allow");
    const large = decide(compiled, { ...small, context: { ...small.context, amount: 4_200_00 } });
    expect(large).toMatchObject({
      effect: "require_approval",
      policies: [{ id: "treasury@v2/large-transfer", pack: "treasury", version: 2 }],
      tags: ["finance"],
    });
    const unknown = decide(compiled, { ...small, context: { ...small.context, knownCounterparty: false } });
    expect(unknown.policies.map((policy) => policy.id)).toEqual(["treasury@v2/unknown-counterparty"]);
  });

  it("treasury v2 compares the threshold in the transfer's own currency; v1 in minor units whatever it is", () => {
    const v2 = compileComposition({ packs: [...packOf("baseline", 1), ...packOf("treasury", 2)] });
    const v1 = compileComposition({ packs: [...packOf("baseline", 1), ...packOf("treasury", 1)] });
    const transfer = (amount: number, currency?: string) =>
      request("payments.transfer", {
        safetyClass: "financial",
        amount,
        ...(currency ? { currency } : {}),
        counterparty: "Northwind",
        knownCounterparty: true,
      });
    const cases: [number, string | undefined, "allow" | "require_approval", "allow" | "require_approval"][] = [
      // amount, currency, v2, v1
      [100_000, "USD", "allow", "allow"],
      [100_001, "USD", "require_approval", "require_approval"],
      // 50,000 JPY (about 300 USD) is 50,000 minor units: v1 let it through; 5,000 JPY too.
      [50_000, "JPY", "require_approval", "allow"],
      [1_000, "JPY", "allow", "allow"],
      [1_001, "JPY", "require_approval", "allow"],
      // 500.000 KWD is 500,000 minor units: v1 held it, it is below 1,000 KWD.
      [500_000, "KWD", "allow", "require_approval"],
      [1_000_001, "KWD", "require_approval", "require_approval"],
      // No currency: compared in minor units, as before.
      [100_001, undefined, "require_approval", "require_approval"],
      [100_000, undefined, "allow", "allow"],
    ];
    for (const [amount, currency, expectedV2, expectedV1] of cases) {
      expect([amount, currency, decide(v2, transfer(amount, currency)).effect]).toEqual([amount, currency, expectedV2]);
      expect([amount, currency, decide(v1, transfer(amount, currency)).effect]).toEqual([amount, currency, expectedV1]);
    }
  });

  it("pii-strict holds outbound calls that carry personal data", () => {
    const compiled = compileComposition(ALL);
    expect(
      decide(compiled, request("message.send", { safetyClass: "external_side_effect", pii: { hasAny: true, kinds: ["email"] } })),
    ).toMatchObject({
      effect: "require_approval",
      policies: [{ id: "pii-strict@v1/outbound-pii" }],
    });
    expect(decide(compiled, request("message.send", { safetyClass: "external_side_effect" })).effect).toBe("allow");
  });

  it("external-tools-untrusted holds external and financial calls of a tainted run", () => {
    const compiled = compileComposition(ALL);
    expect(decide(compiled, request("message.send", { safetyClass: "external_side_effect", tainted: true })).effect).toBe(
      "require_approval",
    );
    expect(decide(compiled, request("memory.set", { safetyClass: "write_internal", tainted: true })).effect).toBe("allow");
  });
});

describe("composition", () => {
  it("a plain forbid denies, and deny beats approval beats allow", () => {
    const compiled = compileComposition({
      packs: [
        ...CATALOG_PACKS,
        {
          name: "no-shell",
          version: 3,
          text: '@id("never") @reason("no shell here") forbid (principal, action == Action::"shell.exec", resource);',
        },
      ],
    });
    expect(decide(compiled, request("shell.exec"))).toMatchObject({ effect: "deny", policies: [{ id: "no-shell@v3/never" }] });
    const both = compileComposition({
      packs: [
        ...CATALOG_PACKS,
        {
          name: "strict",
          version: 1,
          text: '@id("no-big") forbid (principal, action, resource) when { context has amount && context.amount > 100 };',
        },
      ],
    });
    const decision = decide(both, request("payments.transfer", { safetyClass: "financial", amount: 500_000, knownCounterparty: true }));
    expect(decision.effect).toBe("deny");
    expect(decision.policies.map((policy) => policy.id)).toEqual(["strict@v1/no-big"]);
  });

  it("tenant overrides disable a policy by id and add tenant policies", () => {
    const compiled = compileComposition({
      packs: [...(ALL.packs ?? [])],
      disabledPolicies: ["treasury@v2/large-transfer"],
      tenantPolicies:
        '@id("hold-memory-delete") @effect("require_approval") @reason("deleting memory needs approval") forbid (principal, action == Action::"memory.delete", resource);',
    });
    expect(
      decide(compiled, request("payments.transfer", { safetyClass: "financial", amount: 4_200_00, knownCounterparty: true })).effect,
    ).toBe("allow");
    expect(decide(compiled, request("memory.delete", { safetyClass: "destructive" }))).toMatchObject({
      effect: "require_approval",
      policies: [{ id: "tenant@v0/hold-memory-delete" }],
    });
  });

  it("the same content compiles once, and any change to it is a different set", () => {
    const all = compileComposition(ALL);
    expect(compileComposition({ packs: [...(ALL.packs ?? [])] })).toBe(all);
    const disabled = compileComposition({ ...ALL, disabledPolicies: ["baseline@v1/permit-agents"] });
    expect(disabled.setId).not.toBe(all.setId);
    expect(disabled.policies.has("baseline@v1/permit-agents")).toBe(false);
    const edited = CATALOG_PACKS.map((pack) =>
      pack.name === "baseline" ? { ...pack, text: pack.text.replace('!= "viewer"', '== "admin"') } : pack,
    );
    const narrowed = compileComposition({ packs: edited });
    expect(narrowed.setId).not.toBe(all.setId);
    expect(decide(narrowed, request("memory.get")).effect).toBe("deny");
    expect(decide(all, request("memory.get")).effect).toBe("allow");
  });

  it("bad packs give clear errors", () => {
    expect(() => compileComposition({ packs: [{ name: "broken", version: 1, text: "permit (principal, action resource);" }] })).toThrow(
      PolicyCompileError,
    );
    expect(() => compileComposition({ packs: [{ name: "anon", version: 1, text: "permit (principal, action, resource);" }] })).toThrow(
      /needs an @id/,
    );
    expect(() =>
      compileComposition({ packs: [{ name: "odd", version: 1, text: '@id("x") @effect("maybe") forbid (principal, action, resource);' }] }),
    ).toThrow(/@effect may only be/);
    const errors = validateComposition(
      {
        packs: [
          {
            name: "typo",
            version: 1,
            text: '@id("x") forbid (principal, action == Action::"shel.exec", resource) when { context.amout > 1 };',
          },
        ],
      },
      TOOLS,
    );
    expect(errors.join(" ")).toMatch(/shel\.exec|amout/);
  });

  it("decisions are total: any context gives allow, deny or require_approval, never a throw", () => {
    const compiled = compileComposition(ALL);
    fc.assert(
      fc.property(
        fc.constantFrom(...TOOLS, "unknown.tool"),
        fc.constantFrom("read_only", "write_internal", "external_side_effect", "financial", "destructive", "local_exec" as const),
        fc.boolean(),
        fc.option(fc.integer(), { nil: undefined }),
        (action, safetyClass, tainted, amount) => {
          const decision = decide(compiled, request(action, { safetyClass, tainted, amount }));
          expect(["allow", "deny", "require_approval"]).toContain(decision.effect);
          if (decision.effect !== "allow") expect(decision.explanation.length).toBeGreaterThan(0);
        },
      ),
    );
  });
});

describe("compiled compositions are cached by content", () => {
  const own = (text: string) => ({ name: "own", version: 1, text });
  const permit = '@id("all")\npermit (principal, action, resource);';
  const forbid = '@id("all")\nforbid (principal, action, resource);';

  it("a tenant pack with the same name and version but another text compiles anew", () => {
    expect(decide(compileComposition({ packs: [own(permit)] }), request("memory.get")).effect).toBe("allow");
    expect(decide(compileComposition({ packs: [own(forbid)] }), request("memory.get")).effect).toBe("deny");
    // An (unfrozen) source object changed in place is hashed again, not read from the cache.
    const source = own(permit);
    expect(decide(compileComposition({ packs: [source] }), request("memory.get")).effect).toBe("allow");
    source.text = forbid;
    expect(decide(compileComposition({ packs: [source] }), request("memory.get")).effect).toBe("deny");
  });

  it("catalog packs are frozen, so their cached hashes cannot go stale", () => {
    expect(CATALOG_PACKS.every((pack) => Object.isFrozen(pack))).toBe(true);
    expect(Object.isFrozen(CATALOG_PACKS)).toBe(true);
    expect(compileComposition(ALL)).toBe(compileComposition({ packs: [...ALL.packs] }));
  });
});
