// A workflow definition: nodes of an allowlisted type, a start node, next pointers.
// The allowlist is the security boundary: no node type runs a shell, a process or
// touches local files, in any deployment mode; an http node reaches only what the
// SSRF guard allows; every side effect (http, approval, message) is a gate call.
// A definition that names any other type is refused when it is saved.
import { z } from "zod";
import { checkUrl } from "@/server/net/ssrf";
import { OPERATORS, pathSteps, referencedPaths } from "./expressions";

export const NODE_TYPES = ["http", "transform", "switch", "if", "delay", "approval", "message"] as const;
export type TNodeType = (typeof NODE_TYPES)[number];

export const MAX_NODES = 50;
export const MAX_DELAY_SECONDS = 30;
export const MAX_DEFINITION_BYTES = 64 * 1024;
export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

const NUL_FREE = (value: string) => !value.includes("\u0000");
const ZNodeId = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,39}$/, { message: "must start with a letter and use letters, digits, _ or - (at most 40)" })
  .refine((id) => !["prototype", "constructor"].includes(id), { message: "is a reserved name" });
const ZTemplate = z.string().max(4000).refine(NUL_FREE, { message: "must not contain NUL" });
const ZKey = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/, { message: "must be a plain name (letters, digits, _ or -)" })
  .refine((key) => !["__proto__", "prototype", "constructor"].includes(key), { message: "is a reserved name" });
// Headers the request itself owns; a definition may not set them.
const OWNED_HEADERS = new Set(["host", "content-length", "transfer-encoding", "connection", "upgrade", "te", "trailer", "keep-alive"]);
const ZHeaderName = z
  .string()
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/, { message: "is not a valid header name" })
  .refine((name) => !OWNED_HEADERS.has(name.toLowerCase()), { message: "is set by the request itself" });
const ZTitle = z.string().max(120).refine(NUL_FREE).optional();

const ZCondition = {
  /** A path ("$.nodes.fetch.status") or a template. */
  value: ZTemplate,
  op: z.enum(OPERATORS),
  operand: z.json().optional(),
};

const ZHttpNode = z
  .object({
    id: ZNodeId,
    type: z.literal("http"),
    title: ZTitle,
    method: z.enum(HTTP_METHODS).default("GET"),
    url: ZTemplate,
    headers: z.record(ZHeaderName, ZTemplate).optional(),
    /** A string (sent as is) or JSON (sent as application/json); templates and picks are evaluated. */
    body: z.json().optional(),
    /** By default a 4xx/5xx answer stops the workflow; with this, the next node sees the status. */
    continueOnError: z.boolean().optional(),
    next: ZNodeId.optional(),
  })
  .strict();

const ZTransformNode = z
  .object({ id: ZNodeId, type: z.literal("transform"), title: ZTitle, set: z.record(ZKey, z.json()), next: ZNodeId.optional() })
  .strict();

const ZSwitchNode = z
  .object({
    id: ZNodeId,
    type: z.literal("switch"),
    title: ZTitle,
    cases: z
      .array(z.object({ ...ZCondition, next: ZNodeId }).strict())
      .min(1)
      .max(20),
    /** Where to go when no case matches; absent: the workflow ends. */
    default: ZNodeId.optional(),
  })
  .strict();

const ZIfNode = z
  .object({ id: ZNodeId, type: z.literal("if"), title: ZTitle, ...ZCondition, then: ZNodeId.optional(), else: ZNodeId.optional() })
  .strict();

const ZDelayNode = z
  .object({
    id: ZNodeId,
    type: z.literal("delay"),
    title: ZTitle,
    seconds: z
      .number()
      .positive()
      .max(MAX_DELAY_SECONDS, {
        message: `must be at most ${MAX_DELAY_SECONDS}: longer waits are not supported yet (a delay runs inline, within the run)`,
      }),
    next: ZNodeId.optional(),
  })
  .strict();

const ZApprovalNode = z
  .object({ id: ZNodeId, type: z.literal("approval"), title: ZTitle, message: ZTemplate, next: ZNodeId.optional() })
  .strict();

const ZMessageNode = z
  .object({
    id: ZNodeId,
    type: z.literal("message"),
    title: ZTitle,
    /** The arguments of message.send, evaluated; that tool's own schema checks them at the gate. */
    args: z.record(ZKey, z.json()),
    next: ZNodeId.optional(),
  })
  .strict();

export const ZWorkflowNode = z.discriminatedUnion("type", [
  ZHttpNode,
  ZTransformNode,
  ZSwitchNode,
  ZIfNode,
  ZDelayNode,
  ZApprovalNode,
  ZMessageNode,
]);
export type TWorkflowNode = z.infer<typeof ZWorkflowNode>;

export const ZWorkflowDefinition = z
  .object({
    start: ZNodeId,
    nodes: z
      .array(ZWorkflowNode)
      .min(1, { message: "a workflow needs at least one node" })
      .max(MAX_NODES, {
        message: `a workflow has at most ${MAX_NODES} nodes`,
      }),
  })
  .strict();
export type TWorkflowDefinition = z.infer<typeof ZWorkflowDefinition>;

export type TValidation = { ok: true; definition: TWorkflowDefinition } | { ok: false; errors: string[] };

/** Where a node may go next. */
export function successors(node: TWorkflowNode): string[] {
  switch (node.type) {
    case "switch":
      return [...node.cases.map((entry) => entry.next), ...(node.default ? [node.default] : [])];
    case "if":
      return [node.then, node.else].filter((next): next is string => Boolean(next));
    default:
      return node.next ? [node.next] : [];
  }
}

function nodeLabel(raw: unknown, index: number): string {
  const id = raw && typeof raw === "object" && "id" in raw && typeof raw.id === "string" ? raw.id.slice(0, 40) : null;
  return id ? `Node "${id}"` : `nodes[${index}]`;
}

/** The allowlist first, so a forbidden type gets its own clear message. */
function typeErrors(nodes: unknown[]): string[] {
  const allowed = NODE_TYPES.join(", ");
  const errors: string[] = [];
  nodes.forEach((raw, index) => {
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) {
      errors.push(`nodes[${index}] must be an object.`);
      return;
    }
    const type = (raw as { type?: unknown }).type;
    if (typeof type !== "string") errors.push(`${nodeLabel(raw, index)} has no type. Allowed node types: ${allowed}.`);
    else if (!(NODE_TYPES as readonly string[]).includes(type))
      errors.push(
        `${nodeLabel(raw, index)} has type "${type.slice(0, 40)}", which is not an allowed node type. Allowed node types: ${allowed}.`,
      );
  });
  return errors;
}

function zodErrors(error: z.ZodError, raw: { nodes?: unknown }): string[] {
  const nodes = Array.isArray(raw.nodes) ? raw.nodes : [];
  return error.issues.slice(0, 10).map((raw) => {
    // A bad record key: say what is wrong with the key, not just that it is one.
    const inner = raw.code === "invalid_key" ? raw.issues[0]?.message : undefined;
    const issue = inner ? { ...raw, message: `the key ${inner}` } : raw;
    const [first, index, ...rest] = issue.path;
    if (first === "nodes" && typeof index === "number") {
      const where = rest.length ? `.${rest.map(String).join(".")}` : "";
      return `${nodeLabel(nodes[index], index)}${where}: ${issue.message}`;
    }
    const where = issue.path.map(String).join(".");
    return where ? `${where}: ${issue.message}` : issue.message;
  });
}

/** Every string inside a value (to find the paths templates refer to). */
function strings(value: unknown, out: string[] = [], depth = 0): string[] {
  if (depth > 20) return out;
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const item of value) strings(item, out, depth + 1);
  else if (value && typeof value === "object") for (const item of Object.values(value)) strings(item, out, depth + 1);
  return out;
}

function graphErrors(definition: TWorkflowDefinition): string[] {
  const errors: string[] = [];
  const byId = new Map<string, TWorkflowNode>();
  for (const node of definition.nodes) {
    if (byId.has(node.id)) errors.push(`Node id "${node.id}" is used twice.`);
    byId.set(node.id, node);
  }
  if (!byId.has(definition.start)) errors.push(`The start node "${definition.start}" does not exist.`);
  for (const node of definition.nodes) {
    for (const next of successors(node)) if (!byId.has(next)) errors.push(`Node "${node.id}" points to "${next}", which does not exist.`);
    const { id: _id, type: _type, ...fields } = node;
    for (const text of strings(fields)) {
      for (const path of referencedPaths(text)) {
        const steps = pathSteps(path);
        if (!steps || (steps[0] !== "input" && steps[0] !== "nodes")) {
          errors.push(`Node "${node.id}" refers to "${path.slice(0, 80)}": paths start with input or nodes (e.g. $.input.name).`);
        } else if (steps[0] === "nodes" && typeof steps[1] === "string" && !byId.has(steps[1])) {
          errors.push(`Node "${node.id}" refers to nodes.${steps[1]}, which does not exist.`);
        }
      }
    }
    if (node.type === "http" && node.method === "GET" && node.body !== undefined)
      errors.push(`Node "${node.id}": a GET request has no body; use POST, PUT or PATCH to send one.`);
    if (node.type === "http" && !/\{\{/.test(node.url)) {
      try {
        checkUrl(node.url);
      } catch (error) {
        errors.push(`Node "${node.id}": the URL is refused by the SSRF guard: ${error instanceof Error ? error.message : "not allowed"}`);
      }
    }
  }
  if (errors.length > 0) return errors;

  // No cycles: a run visits each node at most once, so it always ends.
  const state = new Map<string, "visiting" | "done">();
  const visit = (id: string, trail: string[]): string | null => {
    if (state.get(id) === "done") return null;
    if (state.get(id) === "visiting") return [...trail.slice(trail.indexOf(id)), id].join(" → ");
    state.set(id, "visiting");
    for (const next of successors(byId.get(id) as TWorkflowNode)) {
      const cycle = visit(next, [...trail, id]);
      if (cycle) return cycle;
    }
    state.set(id, "done");
    return null;
  };
  const cycle = visit(definition.start, []);
  if (cycle) return [`The workflow has a cycle (${cycle}); workflows must not loop.`];
  const unreachable = definition.nodes.filter((node) => !state.has(node.id)).map((node) => node.id);
  if (unreachable.length > 0) errors.push(`Not reachable from the start node: ${unreachable.join(", ")}.`);
  return errors;
}

/** Check a definition as submitted: allowlisted types, schema, references, no cycles. */
export function validateDefinition(raw: unknown): TValidation {
  let size: number;
  try {
    size = Buffer.byteLength(JSON.stringify(raw) ?? "");
  } catch {
    return { ok: false, errors: ["The definition must be plain JSON."] };
  }
  if (size > MAX_DEFINITION_BYTES) return { ok: false, errors: [`The definition is larger than ${MAX_DEFINITION_BYTES / 1024} KiB.`] };
  if (!raw || typeof raw !== "object" || Array.isArray(raw))
    return { ok: false, errors: ['The definition must be an object like { "start": "first", "nodes": [ … ] }.'] };
  const nodes = (raw as { nodes?: unknown }).nodes;
  if (Array.isArray(nodes)) {
    const errors = typeErrors(nodes);
    if (errors.length > 0) return { ok: false, errors };
  }
  const parsed = ZWorkflowDefinition.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: zodErrors(parsed.error, raw as { nodes?: unknown }) };
  const errors = graphErrors(parsed.data);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, definition: parsed.data };
}
