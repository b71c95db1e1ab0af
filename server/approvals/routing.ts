// Routing: which route of a tenant's approval workflow a held call goes to.
//
// The routes are tried in order; the first whose match holds wins, otherwise the
// default route. The fields of a match are ANDed; an absent field matches anything.
//
// - safetyClasses, tools: the call's safety class / tool name is in the list (exact
//   strings: both come from the tool registry). An empty list matches nothing: leave
//   the field out to match any.
// - amount: min <= amount <= max, both inclusive, in minor units; a missing bound is
//   open. A route with an amount condition never matches a call without an amount (or
//   with a non-finite one). currencies, if listed, must contain the call's currency
//   (ISO 4217, compared upper-cased); a call without a currency does not match then.
//   A route whose min is above its max matches nothing.
// - counterparty: the call's counterparty and the route's values are compared
//   trimmed, case-insensitively and in Unicode NFC. exact: equal; anyOf: equal to one of
//   the list; pattern: a glob where `*` is any run of characters (also none) and `?` is
//   exactly one character, anchored at both ends. Every other character is literal
//   (there is no escape: `*` and `?` are always wildcards). If several of exact, anyOf
//   and pattern are given, any one of them matching is enough; if none is given (or
//   anyOf is empty and nothing else is given) the condition matches nothing. A route
//   with a counterparty condition never matches a call without one (a blank
//   counterparty counts as none).
// - tags: the call has at least one of the listed tags (trimmed, case-insensitive).
//   An empty list matches nothing.
//
// Glob patterns are matched by hand, never compiled to a RegExp: a tenant's pattern is
// user input, and a regex built from it could be injected or made to backtrack
// catastrophically. The matcher below is linear in space and O(pattern × text) in time
// at worst, with no backtracking blow-up.
import type { TApprovalWorkflow, TRoute, TRouteMatch, TRoutedCall, TTier } from "./types";

export const DEFAULT_ROUTE_NAME = "Default route";

export type TRouteChoice = {
  /** The matching route's id, or null for the default route. */
  routeId: string | null;
  name: string;
  tiers: TTier[];
};

export function matchRoute(workflow: TApprovalWorkflow, call: TRoutedCall): TRouteChoice {
  const route = workflow.routes.find((candidate) => routeMatches(candidate.match, call));
  if (route) return routeChoice(route);
  return { routeId: null, name: DEFAULT_ROUTE_NAME, tiers: workflow.defaultRoute.tiers };
}

function routeChoice(route: TRoute): TRouteChoice {
  return { routeId: route.id, name: route.name, tiers: route.tiers };
}

export function routeMatches(match: TRouteMatch, call: TRoutedCall): boolean {
  if (match.safetyClasses && !(match.safetyClasses as readonly string[]).includes(call.safetyClass)) return false;
  if (match.tools && !match.tools.includes(call.tool)) return false;
  if (match.amount && !amountMatches(match.amount, call)) return false;
  if (match.counterparty && !counterpartyMatches(match.counterparty, call.counterparty)) return false;
  if (match.tags && !tagsMatch(match.tags, call.tags)) return false;
  return true;
}

function amountMatches(condition: NonNullable<TRouteMatch["amount"]>, call: TRoutedCall): boolean {
  const { amount } = call;
  if (amount === undefined || !Number.isFinite(amount)) return false;
  if (condition.min !== undefined && amount < condition.min) return false;
  if (condition.max !== undefined && amount > condition.max) return false;
  if (condition.currencies) {
    const currency = call.currency?.trim().toUpperCase();
    if (!currency || !condition.currencies.includes(currency)) return false;
  }
  return true;
}

function counterpartyMatches(condition: NonNullable<TRouteMatch["counterparty"]>, raw: string | undefined): boolean {
  if (raw === undefined) return false;
  const counterparty = normalizeText(raw);
  if (counterparty === "") return false;
  if (condition.exact !== undefined && normalizeText(condition.exact) === counterparty) return true;
  if (condition.anyOf?.some((value) => normalizeText(value) === counterparty)) return true;
  if (condition.pattern !== undefined && globMatches(condition.pattern, counterparty)) return true;
  return false;
}

function tagsMatch(wanted: string[], tags: string[]): boolean {
  const have = new Set(tags.map(normalizeText));
  return wanted.some((tag) => have.has(normalizeText(tag)));
}

function normalizeText(value: string): string {
  return value.normalize("NFC").trim().toLowerCase();
}

/**
 * Anchored, case-insensitive glob match: `*` is any run of characters (also none), `?`
 * exactly one character (a Unicode code point); everything else is literal. Both sides
 * are normalized like counterparties (NFC, trimmed, lower-case).
 */
export function globMatches(pattern: string, text: string): boolean {
  const glob = Array.from(normalizeText(pattern));
  const chars = Array.from(normalizeText(text));
  // Greedy two-pointer match: on a mismatch, go back to the last `*` and let it take
  // one more character. Only the last `*` ever needs revisiting, so this never
  // backtracks exponentially.
  let g = 0;
  let c = 0;
  let star = -1;
  let starFrom = 0;
  while (c < chars.length) {
    const token = glob[g];
    if (token === "*") {
      star = g;
      starFrom = c;
      g += 1;
    } else if (token !== undefined && (token === "?" || token === chars[c])) {
      g += 1;
      c += 1;
    } else if (star !== -1) {
      g = star + 1;
      starFrom += 1;
      c = starFrom;
    } else {
      return false;
    }
  }
  while (glob[g] === "*") g += 1;
  return g === glob.length;
}
