// Save-time checks of workflow definitions: the allowlist of node types (no shell,
// exec, file or code node can ever be saved), strict fields, references, cycles.
import { describe, expect, it } from "vitest";
import { MAX_NODES, NODE_TYPES, validateDefinition } from "./definition";

const good = {
  start: "fetch",
  nodes: [
    { id: "fetch", type: "http", url: "https://api.example.com/items/{{input.id}}", next: "pick" },
    { id: "pick", type: "transform", set: { title: "$.nodes.fetch.body.title" }, next: "check" },
    {
      id: "check",
      type: "switch",
      cases: [{ value: "$.nodes.pick.title", op: "contains", operand: "urgent", next: "ok" }],
      default: "wait",
    },
    { id: "wait", type: "delay", seconds: 1, next: "tell" },
    { id: "ok", type: "approval", message: "Send {{nodes.pick.title}}?", next: "tell" },
    { id: "tell", type: "message", args: { channel: "webhook", text: "Done: {{nodes.pick.title}}" } },
  ],
};

function errorsOf(definition: unknown): string[] {
  const result = validateDefinition(definition);
  return result.ok ? [] : result.errors;
}

const withNode = (node: Record<string, unknown>) => ({ start: "a", nodes: [node] });

describe("validateDefinition", () => {
  it("accepts a definition using every allowed node type but if, and an if node", () => {
    expect(validateDefinition(good).ok).toBe(true);
    const branching = {
      start: "a",
      nodes: [
        { id: "a", type: "if", value: "$.input.amount", op: "greaterThan", operand: 100, then: "b", else: "c" },
        { id: "b", type: "transform", set: { big: true } },
        { id: "c", type: "transform", set: { big: false } },
      ],
    };
    expect(errorsOf(branching)).toEqual([]);
  });

  it("fills in GET for an http node without a method", () => {
    const result = validateDefinition(good);
    expect(result.ok && result.definition.nodes[0]).toMatchObject({ type: "http", method: "GET" });
  });

  const forbidden = ["shell", "exec", "fs.write", "fs.read", "code", "javascript", "python", "process", "file", "tool", "HTTP", "http "];
  for (const type of forbidden) {
    it(`rejects a node of type "${type}", naming the node and the allowed types`, () => {
      const errors = errorsOf({
        start: "a",
        nodes: [
          { id: "a", type: "transform", set: {}, next: "evil" },
          { id: "evil", type, command: "rm -rf /", path: "/etc/passwd", code: "process.exit(1)" },
        ],
      });
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain(`Node "evil" has type "${type}", which is not an allowed node type`);
      expect(errors[0]).toContain(`Allowed node types: ${NODE_TYPES.join(", ")}`);
    });
  }

  const bad: [string, unknown, RegExp][] = [
    ["a node without a type", withNode({ id: "a", set: {} }), /Node "a" has no type/],
    ["a non-object node", { start: "a", nodes: ["shell"] }, /nodes\[0\] must be an object/],
    ["not an object", "shell", /must be an object/],
    ["no nodes", { start: "a", nodes: [] }, /at least one node/],
    [
      "an unknown field on a node",
      withNode({ id: "a", type: "transform", set: {}, command: "ls" }),
      /Node "a": Unrecognized key: "command"/,
    ],
    [
      "a tool named on an http node",
      withNode({ id: "a", type: "http", url: "https://example.com", tool: "shell.exec" }),
      /Unrecognized key: "tool"/,
    ],
    ["an unknown top-level field", { ...good, runAs: "root" }, /Unrecognized key: "runAs"/],
    [
      "a dangling next",
      withNode({ id: "a", type: "transform", set: {}, next: "nowhere" }),
      /Node "a" points to "nowhere", which does not exist/,
    ],
    ["a missing start", { start: "zz", nodes: [{ id: "a", type: "transform", set: {} }] }, /start node "zz" does not exist/],
    [
      "a dangling switch case",
      withNode({ id: "a", type: "switch", cases: [{ value: "$.input.x", op: "exists", next: "gone" }] }),
      /points to "gone"/,
    ],
    [
      "a cycle",
      {
        start: "a",
        nodes: [
          { id: "a", type: "transform", set: {}, next: "b" },
          { id: "b", type: "delay", seconds: 1, next: "a" },
        ],
      },
      /cycle \(a → b → a\)/,
    ],
    ["a self-loop", withNode({ id: "a", type: "transform", set: {}, next: "a" }), /cycle/],
    [
      "duplicate ids",
      {
        start: "a",
        nodes: [
          { id: "a", type: "transform", set: {} },
          { id: "a", type: "transform", set: {} },
        ],
      },
      /used twice/,
    ],
    [
      "an unreachable node",
      {
        start: "a",
        nodes: [
          { id: "a", type: "transform", set: {} },
          { id: "b", type: "transform", set: {} },
        ],
      },
      /Not reachable from the start node: b/,
    ],
    ["a delay over 30 s", withNode({ id: "a", type: "delay", seconds: 3600 }), /at most 30: longer waits are not supported yet/],
    [
      "a loopback http URL",
      withNode({ id: "a", type: "http", url: "http://127.0.0.1:8080/admin" }),
      /refused by the SSRF guard: Refused: 127.0.0.1 is a loopback/,
    ],
    ["a metadata http URL", withNode({ id: "a", type: "http", url: "http://169.254.169.254/latest/meta-data/" }), /SSRF guard.*link-local/],
    ["a file URL", withNode({ id: "a", type: "http", url: "file:///etc/passwd" }), /Only http and https URLs/],
    ["localhost", withNode({ id: "a", type: "http", url: "http://localhost:3000/" }), /localhost is a loopback/],
    ["a body on a GET", withNode({ id: "a", type: "http", url: "https://example.com", body: { x: 1 } }), /a GET request has no body/],
    ["an unknown method", withNode({ id: "a", type: "http", method: "CONNECT", url: "https://example.com" }), /method/],
    [
      "a Host header",
      withNode({ id: "a", type: "http", url: "https://example.com", headers: { Host: "internal" } }),
      /set by the request itself/,
    ],
    [
      "a reference to a missing node",
      withNode({ id: "a", type: "transform", set: { x: "$.nodes.ghost.body" } }),
      /nodes.ghost, which does not exist/,
    ],
    [
      "a template outside input and nodes",
      withNode({ id: "a", type: "transform", set: { x: "{{process.env.SECRET}}" } }),
      /paths start with input or nodes/,
    ],
    ["a prototype key", withNode({ id: "a", type: "transform", set: { constructor: "x" } }), /reserved name/],
    ["a reserved node id", withNode({ id: "constructor", type: "transform", set: {} }), /reserved name/],
    ["an unknown operator", withNode({ id: "a", type: "if", value: "$.input.x", op: "matches", operand: ".*" }), /op/],
    ["a bigint", { start: "a", nodes: [{ id: "a", type: "delay", seconds: 10n }] }, /plain JSON/],
  ];
  for (const [name, definition, message] of bad) {
    it(`rejects ${name}`, () => {
      const errors = errorsOf(definition);
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.join(" ")).toMatch(message);
    });
  }

  it(`rejects more than ${MAX_NODES} nodes`, () => {
    const nodes = Array.from({ length: MAX_NODES + 1 }, (_, index) => ({
      id: `n${index}`,
      type: "transform",
      set: {},
      ...(index < MAX_NODES ? { next: `n${index + 1}` } : {}),
    }));
    expect(errorsOf({ start: "n0", nodes }).join(" ")).toMatch(/at most 50 nodes/);
  });

  it("leaves a templated URL to the gate (checked when the step runs)", () => {
    expect(errorsOf(withNode({ id: "a", type: "http", url: "{{input.url}}" }))).toEqual([]);
  });
});
