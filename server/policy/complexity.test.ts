import { describe, expect, it } from "vitest";
import { CATALOG_PACKS } from "./catalog";
import { POLICY_LIMITS, policyTextProblems } from "./complexity";
import { compileComposition, decide, PolicyCompileError } from "./evaluate";

const permitWhen = (condition: string) => `@id("p")\npermit (principal, action, resource)\nwhen { ${condition} };`;

function request() {
  return {
    principal: { type: "User" as const, id: "u-1", role: "member" },
    action: "memory.get",
    tenantId: "t-1",
    context: { safetyClass: "read_only" as const, tainted: false, tags: [], pii: { hasAny: false, kinds: [] }, amount: 5 },
  };
}

describe("policy text limits", () => {
  it("every catalog pack is well inside them", () => {
    for (const pack of CATALOG_PACKS) expect(policyTextProblems(pack.text)).toEqual([]);
  });

  it("refuses nesting past the limit, naming the line and column where it goes too deep", () => {
    const depth = POLICY_LIMITS.maxNesting + 1;
    const text = `// a comment ((((\n@id("deep")\npermit (principal, action, resource)\nwhen { ${"(".repeat(depth)}true${")".repeat(depth)} };`;
    const problems = policyTextProblems(text);
    expect(problems).toHaveLength(1);
    // "when { " is 7 characters and its brace is level 1: the 16th "(" (column 7 + 16) is level 17.
    expect(problems[0]).toBe(
      `line 4, column 23: nesting deeper than ${POLICY_LIMITS.maxNesting} levels of (, [ or {; simplify the condition`,
    );
  });

  it("counts brackets and braces as nesting too", () => {
    const depth = POLICY_LIMITS.maxNesting + 1;
    expect(policyTextProblems(permitWhen(`${"[".repeat(depth)}1${"]".repeat(depth)} == []`))[0]).toContain("nesting deeper");
    expect(policyTextProblems(permitWhen(`${"{a: ".repeat(depth)}1${"}".repeat(depth)} == {}`))[0]).toContain("nesting deeper");
  });

  it("refuses long operator chains, naming the policy's first line", () => {
    const chain = Array.from({ length: POLICY_LIMITS.maxOperators + 2 }, () => "context.amount").join("\n + ");
    const problems = policyTextProblems(`\n\n${permitWhen(`${chain} > 0`)}`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^line \d+, column \d+: the policy that starts on line 3 has more than 48 operators/);
    const ifs = `${"if false then false else ".repeat(POLICY_LIMITS.maxOperators + 1)}true`;
    expect(policyTextProblems(permitWhen(ifs))[0]).toContain("more than 48 operators");
    const ors = Array.from({ length: POLICY_LIMITS.maxOperators + 2 }, () => "false").join(" || ");
    expect(policyTextProblems(permitWhen(ors))[0]).toContain("more than 48 operators");
  });

  it("counts operators per policy: many moderate policies are fine", () => {
    // 12 clauses of 3 operators each (".", ">", "&&"), 40 times over.
    const moderate = Array.from({ length: 40 }, (_, index) =>
      permitWhen(Array.from({ length: 12 }, () => "context.amount > 1").join(" && ")).replace('@id("p")', `@id("p${index}")`),
    ).join("\n");
    expect(policyTextProblems(moderate)).toEqual([]);
  });

  it("ignores operators and brackets inside strings and comments", () => {
    const noisy = `// ${"(".repeat(200)} || && + ${"[".repeat(200)}\n@id("x")\n@reason("${"((((".repeat(100)} \\" ))")\npermit (principal, action, resource) when { principal.role == "${"(|| &&".repeat(200)}" };`;
    expect(policyTextProblems(noisy)).toEqual([]);
  });

  it("refuses oversized texts and too many policies", () => {
    expect(policyTextProblems(" ".repeat(POLICY_LIMITS.maxChars + 1))[0]).toContain("at most 100,000 are allowed");
    const many = Array.from(
      { length: POLICY_LIMITS.maxPolicies + 1 },
      (_, index) => `@id("p${index}") permit (principal, action, resource);`,
    ).join("\n");
    expect(policyTextProblems(many)[0]).toMatch(/^line 501: more than 500 policies/);
  });

  it("the deepest trees inside the limits still compile and decide, with optimised code and a deep caller", () => {
    // V8 optimises Cedar's code after some use, and optimised frames are larger: warm it up first.
    for (let round = 0; round < 1500; round += 1) {
      const warm = permitWhen(`${"(".repeat(round % 12)}context.amount + ${"1 + ".repeat(round % 20)}1 > 0${")".repeat(round % 12)}`);
      decide(compileComposition({ packs: [{ name: "warm", version: 1, text: warm.replace('@id("p")', `@id("w${round}")`) }] }), request());
    }
    const depth = POLICY_LIMITS.maxNesting - 1; // the braces of `when { … }` are the first level
    const ops = POLICY_LIMITS.maxOperators;
    const worst = {
      ifs: `${"(".repeat(depth)}${"if true then ".repeat(ops)}true${" else false".repeat(ops)}${")".repeat(depth)}`,
      sums: `${"(".repeat(depth)}${"1 + ".repeat(ops - 1)}1 > 0${")".repeat(depth)}`,
      ors: `${"(".repeat(depth)}${"false || ".repeat(ops)}true${")".repeat(depth)}`,
      nestedSums: `${"(1 + ".repeat(depth)}1${")".repeat(depth)} > 0`,
      lists: `${"[".repeat(depth)}1${"]".repeat(depth)} == ${"[".repeat(depth)}1${"]".repeat(depth)}`,
    };
    // The gate calls Cedar from inside its own frames: leave room for a caller much deeper than it.
    const fromDeepCaller = <T>(frames: number, work: () => T): T => (frames === 0 ? work() : fromDeepCaller(frames - 1, work));
    for (const [shape, condition] of Object.entries(worst)) {
      expect(policyTextProblems(permitWhen(condition)), shape).toEqual([]);
      const text = permitWhen(condition).replace('@id("p")', `@id("${shape}")`);
      const effect = fromDeepCaller(
        300,
        () => decide(compileComposition({ packs: [{ name: "worst", version: 1, text }] }), request()).effect,
      );
      expect(effect, shape).toBe("allow");
    }
  }, 30_000); // 1,500 warm-up compilations: seconds on a busy 2-core machine

  it("the gate's compile refuses text over the limits with the same line-precise message", () => {
    const deep = `${"(".repeat(POLICY_LIMITS.maxNesting + 5)}true${")".repeat(POLICY_LIMITS.maxNesting + 5)}`;
    expect(() => compileComposition({ packs: [{ name: "deep", version: 1, text: permitWhen(deep) }] })).toThrow(PolicyCompileError);
    try {
      compileComposition({ packs: [], tenantPolicies: permitWhen(deep) });
    } catch (error) {
      expect(error).toBeInstanceOf(PolicyCompileError);
      expect((error as PolicyCompileError).issues[0]).toMatch(/^line 3, column \d+: nesting deeper than 16/);
    }
  });
});
