import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_ROUTE_NAME, globMatches, matchRoute, routeMatches } from "./routing";
import { DEFAULT_WORKFLOW, ZApprovalWorkflow, type TApprovalWorkflow, type TRouteMatch, type TRoutedCall, type TTier } from "./types";

function tier(name: string): TTier {
  return {
    name,
    approvers: { roles: ["approver"], users: [], agents: [] },
    quorum: 1,
    distinctFromEarlierTiers: true,
    distinctFromRequester: true,
    slaMinutes: 60,
    onTimeout: "deny",
  };
}

function call(overrides: Partial<TRoutedCall> = {}): TRoutedCall {
  return { tool: "payments.transfer", safetyClass: "financial", tags: [], ...overrides };
}

function workflow(...matches: Array<[string, TRouteMatch]>): TApprovalWorkflow {
  return ZApprovalWorkflow.parse({
    routes: matches.map(([id, match]) => ({ id, name: `Route ${id}`, match, tiers: [tier(`${id} tier`)] })),
    defaultRoute: { tiers: [tier("default tier")] },
  });
}

type TCase = { name: string; match: TRouteMatch; call: TRoutedCall; expected: boolean };

const AMOUNT = { min: 100_00, max: 5_000_00 };

const CASES: TCase[] = [
  // safety classes and tools
  { name: "empty match matches anything", match: {}, call: call(), expected: true },
  { name: "class in list", match: { safetyClasses: ["destructive", "financial"] }, call: call(), expected: true },
  { name: "class not in list", match: { safetyClasses: ["destructive"] }, call: call(), expected: false },
  { name: "empty class list matches nothing", match: { safetyClasses: [] }, call: call(), expected: false },
  { name: "tool in list", match: { tools: ["message.send", "payments.transfer"] }, call: call(), expected: true },
  { name: "tool not in list", match: { tools: ["message.send"] }, call: call(), expected: false },
  { name: "tool names are exact", match: { tools: ["payments.*"] }, call: call(), expected: false },
  { name: "fields are ANDed (class ok, tool not)", match: { safetyClasses: ["financial"], tools: ["x.y"] }, call: call(), expected: false },
  // amount edges (inclusive bounds, minor units)
  { name: "amount min-1", match: { amount: AMOUNT }, call: call({ amount: 100_00 - 1 }), expected: false },
  { name: "amount at min", match: { amount: AMOUNT }, call: call({ amount: 100_00 }), expected: true },
  { name: "amount at max", match: { amount: AMOUNT }, call: call({ amount: 5_000_00 }), expected: true },
  { name: "amount max+1", match: { amount: AMOUNT }, call: call({ amount: 5_000_00 + 1 }), expected: false },
  { name: "amount with only min is open above", match: { amount: { min: 10 } }, call: call({ amount: 1e12 }), expected: true },
  { name: "amount with only max is open below", match: { amount: { max: 10 } }, call: call({ amount: -5 }), expected: true },
  { name: "amount condition, call without amount", match: { amount: {} }, call: call(), expected: false },
  { name: "amount condition, NaN amount", match: { amount: {} }, call: call({ amount: Number.NaN }), expected: false },
  { name: "min above max matches nothing", match: { amount: { min: 10, max: 5 } }, call: call({ amount: 7 }), expected: false },
  // currencies
  {
    name: "currency listed",
    match: { amount: { currencies: ["EUR", "USD"] } },
    call: call({ amount: 1, currency: "EUR" }),
    expected: true,
  },
  {
    name: "currency compared upper-cased",
    match: { amount: { currencies: ["EUR"] } },
    call: call({ amount: 1, currency: " eur " }),
    expected: true,
  },
  { name: "currency not listed", match: { amount: { currencies: ["EUR"] } }, call: call({ amount: 1, currency: "GBP" }), expected: false },
  { name: "currencies listed, call has none", match: { amount: { currencies: ["EUR"] } }, call: call({ amount: 1 }), expected: false },
  { name: "no currency list, any currency", match: { amount: { min: 0 } }, call: call({ amount: 1, currency: "JPY" }), expected: true },
  // counterparty: exact, anyOf, pattern
  {
    name: "exact, case and spaces ignored",
    match: { counterparty: { exact: "Northwind Ltd" } },
    call: call({ counterparty: "  NORTHWIND ltd " }),
    expected: true,
  },
  {
    name: "exact, different",
    match: { counterparty: { exact: "Northwind" } },
    call: call({ counterparty: "Northwind Ltd" }),
    expected: false,
  },
  { name: "counterparty condition, call without", match: { counterparty: { pattern: "*" } }, call: call(), expected: false },
  {
    name: "counterparty condition, blank counterparty",
    match: { counterparty: { pattern: "*" } },
    call: call({ counterparty: "   " }),
    expected: false,
  },
  { name: "anyOf hit", match: { counterparty: { anyOf: ["Acme", "Globex"] } }, call: call({ counterparty: "globex" }), expected: true },
  { name: "anyOf miss", match: { counterparty: { anyOf: ["Acme", "Globex"] } }, call: call({ counterparty: "Initech" }), expected: false },
  {
    name: "empty counterparty condition matches nothing",
    match: { counterparty: {} },
    call: call({ counterparty: "Acme" }),
    expected: false,
  },
  {
    name: "exact or pattern: pattern is enough",
    match: { counterparty: { exact: "Acme", pattern: "*bank*" } },
    call: call({ counterparty: "First Bank" }),
    expected: true,
  },
  {
    name: "exact or anyOf: exact is enough",
    match: { counterparty: { exact: "Acme", anyOf: ["Globex"] } },
    call: call({ counterparty: "ACME" }),
    expected: true,
  },
  { name: "pattern * suffix", match: { counterparty: { pattern: "acme*" } }, call: call({ counterparty: "ACME Corp" }), expected: true },
  {
    name: "pattern is anchored at the start",
    match: { counterparty: { pattern: "acme*" } },
    call: call({ counterparty: "The Acme Corp" }),
    expected: false,
  },
  {
    name: "pattern is anchored at the end",
    match: { counterparty: { pattern: "*corp" } },
    call: call({ counterparty: "Acme Corp Ltd" }),
    expected: false,
  },
  {
    name: "pattern ? is one character",
    match: { counterparty: { pattern: "acme-??" } },
    call: call({ counterparty: "acme-de" }),
    expected: true,
  },
  {
    name: "pattern ? is not zero characters",
    match: { counterparty: { pattern: "acme-??" } },
    call: call({ counterparty: "acme-d" }),
    expected: false,
  },
  {
    name: "pattern ? is not two characters",
    match: { counterparty: { pattern: "acme-?" } },
    call: call({ counterparty: "acme-de" }),
    expected: false,
  },
  {
    name: "regex .* in pattern is literal dot then star",
    match: { counterparty: { pattern: ".*" } },
    call: call({ counterparty: "Acme" }),
    expected: false,
  },
  {
    name: "regex .* in pattern matches a leading dot",
    match: { counterparty: { pattern: ".*" } },
    call: call({ counterparty: ".hidden" }),
    expected: true,
  },
  {
    name: "( in pattern is literal",
    match: { counterparty: { pattern: "acme (*" } },
    call: call({ counterparty: "Acme (Europe)" }),
    expected: true,
  },
  {
    name: "unbalanced ( does not throw and is literal",
    match: { counterparty: { pattern: "(" } },
    call: call({ counterparty: "(" }),
    expected: true,
  },
  { name: "+ in pattern is literal", match: { counterparty: { pattern: "a+b" } }, call: call({ counterparty: "aab" }), expected: false },
  { name: "+ in pattern matches itself", match: { counterparty: { pattern: "a+b" } }, call: call({ counterparty: "A+B" }), expected: true },
  {
    name: "[ ] ^ $ | \\ are literal",
    match: { counterparty: { pattern: "^[a]|b$\\" } },
    call: call({ counterparty: "^[A]|B$\\" }),
    expected: true,
  },
  {
    name: "character class is not a class",
    match: { counterparty: { pattern: "[ab]" } },
    call: call({ counterparty: "a" }),
    expected: false,
  },
  {
    name: "regex in the counterparty is just text",
    match: { counterparty: { exact: "acme" } },
    call: call({ counterparty: ".*" }),
    expected: false,
  },
  {
    name: "regex in the counterparty vs pattern",
    match: { counterparty: { pattern: "acme?" } },
    call: call({ counterparty: "acm.*" }),
    expected: false,
  },
  {
    name: "* in the counterparty is not a wildcard",
    match: { counterparty: { exact: "acme" } },
    call: call({ counterparty: "*" }),
    expected: false,
  },
  // tags
  { name: "tag listed", match: { tags: ["finance", "pii"] }, call: call({ tags: ["pii"] }), expected: true },
  { name: "tags compared case-insensitively", match: { tags: ["Finance"] }, call: call({ tags: ["finance "] }), expected: true },
  { name: "no tag in common", match: { tags: ["finance"] }, call: call({ tags: ["pii"] }), expected: false },
  { name: "call without tags", match: { tags: ["finance"] }, call: call(), expected: false },
  { name: "empty tag list matches nothing", match: { tags: [] }, call: call({ tags: ["finance"] }), expected: false },
  // everything together
  {
    name: "all fields hold",
    match: {
      safetyClasses: ["financial"],
      tools: ["payments.transfer"],
      amount: { min: 1, currencies: ["EUR"] },
      counterparty: { pattern: "*" },
      tags: ["finance"],
    },
    call: call({ amount: 5, currency: "EUR", counterparty: "x", tags: ["finance"] }),
    expected: true,
  },
  {
    name: "all fields but tags hold",
    match: {
      safetyClasses: ["financial"],
      tools: ["payments.transfer"],
      amount: { min: 1, currencies: ["EUR"] },
      counterparty: { pattern: "*" },
      tags: ["finance"],
    },
    call: call({ amount: 5, currency: "EUR", counterparty: "x", tags: ["ops"] }),
    expected: false,
  },
];

describe("routeMatches", () => {
  it.each(CASES)("$name", ({ match, call: routed, expected }) => {
    expect(routeMatches(match, routed)).toBe(expected);
    // The same through matchRoute: the route or the default.
    const chosen = matchRoute(workflow(["only", match]), routed);
    expect(chosen.routeId).toBe(expected ? "only" : null);
  });
});

describe("matchRoute", () => {
  const routes = workflow(
    ["large", { safetyClasses: ["financial"], amount: { min: 10_000_00 } }],
    ["finance", { safetyClasses: ["financial"] }],
    ["tagged", { tags: ["pii"] }],
  );

  it.each([
    { name: "first matching route wins over a later broader one", call: call({ amount: 20_000_00 }), routeId: "large" },
    { name: "falls through to the next route", call: call({ amount: 5_00 }), routeId: "finance" },
    { name: "an earlier route wins even if a later one matches too", call: call({ tags: ["pii"] }), routeId: "finance" },
    {
      name: "a later route when earlier ones miss",
      call: call({ tool: "message.send", safetyClass: "external_side_effect", tags: ["pii"] }),
      routeId: "tagged",
    },
    { name: "default route when none matches", call: call({ tool: "memory.get", safetyClass: "read_only" }), routeId: null },
  ])("$name", ({ call: routed, routeId }) => {
    const chosen = matchRoute(routes, routed);
    expect(chosen.routeId).toBe(routeId);
    if (routeId === null) {
      expect(chosen).toEqual({ routeId: null, name: DEFAULT_ROUTE_NAME, tiers: routes.defaultRoute.tiers });
    } else {
      expect(chosen.name).toBe(`Route ${routeId}`);
      expect(chosen.tiers.map((t) => t.name)).toEqual([`${routeId} tier`]);
    }
  });

  it("the built-in default workflow sends everything to its default route", () => {
    expect(matchRoute(DEFAULT_WORKFLOW, call())).toEqual({
      routeId: null,
      name: DEFAULT_ROUTE_NAME,
      tiers: DEFAULT_WORKFLOW.defaultRoute.tiers,
    });
  });
});

// A reference glob built the obvious way, with every regex metacharacter escaped: used
// only here, to check the hand-written matcher on random input.
function referenceGlob(pattern: string, text: string): boolean {
  const norm = (value: string) => value.normalize("NFC").trim().toLowerCase();
  const source = Array.from(norm(pattern))
    .map((char) => (char === "*" ? ".*" : char === "?" ? "." : char.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`, "su").test(norm(text));
}

describe("globMatches", () => {
  const alphabet = fc.constantFrom("a", "B", "b", "*", "?", ".", "(", ")", "+", "[", "]", "\\", "^", "$", "|", "é", "😀", " ");

  it("agrees with an escaped-regex reference on random patterns and texts with metacharacters", () => {
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 8 }), fc.array(alphabet, { maxLength: 10 }), (pattern, text) => {
        expect(globMatches(pattern.join(""), text.join(""))).toBe(referenceGlob(pattern.join(""), text.join("")));
      }),
      { numRuns: 2000 },
    );
  });

  it("stays fast on patterns that make naive backtracking explode", () => {
    const pattern = `${"*a".repeat(100)}b`;
    const text = "a".repeat(5_000);
    const started = performance.now();
    expect(globMatches(pattern, text)).toBe(false);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("? takes one code point, not one UTF-16 unit", () => {
    expect(globMatches("?", "😀")).toBe(true);
    expect(globMatches("??", "😀")).toBe(false);
  });
});
