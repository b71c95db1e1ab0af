// The workflow's only "language": declarative picks, templates and comparisons over
// the run's data ({ input, nodes: { <id>: output } }). No eval, no Function, no vm:
// a path is split into property names and array indexes and walked over own
// properties only, so nothing can reach a prototype or run code.

/** "$.nodes.fetch.body.items[0].title" (a whole string that is a path: a pick). */
const PATH = /^\$((\.[A-Za-z_][A-Za-z0-9_-]*)|(\[\d{1,6}\]))*$/;
const TEMPLATE = /\{\{\s*([^{}]{1,200}?)\s*\}\}/g;
const FORBIDDEN_KEYS = new Set(["__proto__", "prototype", "constructor"]);
const MAX_DEPTH = 20;

export type TWorkflowData = { input: Record<string, unknown>; nodes: Record<string, unknown> };

export function isPath(value: string): boolean {
  return PATH.test(value);
}

/** The steps of a path ("$.a.b[0]" → ["a", "b", 0]), or null when it is not one. */
export function pathSteps(path: string): (string | number)[] | null {
  const normalized = path.startsWith("$") ? path : `$.${path}`;
  if (!PATH.test(normalized)) return null;
  const steps: (string | number)[] = [];
  for (const match of normalized.slice(1).matchAll(/\.([A-Za-z_][A-Za-z0-9_-]*)|\[(\d{1,6})\]/g)) {
    if (match[1] !== undefined) steps.push(match[1]);
    else steps.push(Number(match[2]));
  }
  return steps;
}

/** The value at a path, or undefined. Own properties only; prototype names never resolve. */
export function pick(data: unknown, path: string): unknown {
  const steps = pathSteps(path);
  if (!steps) return undefined;
  let current: unknown = data;
  for (const step of steps) {
    if (current === null || typeof current !== "object") return undefined;
    if (typeof step === "number") {
      if (!Array.isArray(current)) return undefined;
      current = current[step];
    } else {
      if (FORBIDDEN_KEYS.has(step) || !Object.hasOwn(current, step)) return undefined;
      current = (current as Record<string, unknown>)[step];
    }
  }
  return current;
}

function asText(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

/** "Hello {{input.name}}": each placeholder is a path; what it names is put in as text. */
export function renderTemplate(template: string, data: unknown): string {
  return template.replace(TEMPLATE, (_, path: string) => asText(pick(data, path.trim())));
}

/** The paths a template or pick refers to (for checking a definition). */
export function referencedPaths(value: string): string[] {
  if (isPath(value)) return [value];
  return [...value.matchAll(TEMPLATE)].map((match) => (match[1] ?? "").trim());
}

/**
 * A value of a definition, evaluated: a string that is a path is a pick (keeps the
 * value's type), any other string is a template, objects and arrays are evaluated
 * member by member, everything else is itself.
 */
export function evaluate(value: unknown, data: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw new Error("the value is nested too deeply");
  if (typeof value === "string") return isPath(value) ? pick(data, value) : renderTemplate(value, data);
  if (Array.isArray(value)) return value.map((item) => evaluate(item, data, depth + 1));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (FORBIDDEN_KEYS.has(key)) continue;
      out[key] = evaluate(item, data, depth + 1);
    }
    return out;
  }
  return value;
}

export const OPERATORS = [
  "equals",
  "notEquals",
  "contains",
  "notContains",
  "greaterThan",
  "greaterOrEqual",
  "lessThan",
  "lessOrEqual",
  "exists",
  "notExists",
] as const;
export type TOperator = (typeof OPERATORS)[number];

function asNumber(value: unknown): number | null {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
  return null;
}

function isEqual(left: unknown, right: unknown): boolean {
  const a = asNumber(left);
  const b = asNumber(right);
  if (a !== null && b !== null) return a === b;
  if (typeof left === "object" || typeof right === "object") return JSON.stringify(left) === JSON.stringify(right);
  return left === right;
}

function contains(container: unknown, item: unknown): boolean {
  if (typeof container === "string") return container.includes(asText(item));
  if (Array.isArray(container)) return container.some((element) => isEqual(element, item));
  if (container !== null && typeof container === "object" && typeof item === "string") return Object.hasOwn(container, item);
  return false;
}

/** One comparison of a switch case or an if node. Numbers compare as numbers; nothing is coerced beyond that. */
export function compare(left: unknown, op: TOperator, right: unknown): boolean {
  switch (op) {
    case "equals":
      return isEqual(left, right);
    case "notEquals":
      return !isEqual(left, right);
    case "contains":
      return contains(left, right);
    case "notContains":
      return !contains(left, right);
    case "exists":
      return left !== undefined && left !== null;
    case "notExists":
      return left === undefined || left === null;
    default: {
      const a = asNumber(left);
      const b = asNumber(right);
      if (a === null || b === null) return false;
      if (op === "greaterThan") return a > b;
      if (op === "greaterOrEqual") return a >= b;
      if (op === "lessThan") return a < b;
      return a <= b;
    }
  }
}
