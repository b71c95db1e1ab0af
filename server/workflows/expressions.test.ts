import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compare, evaluate, pick, renderTemplate } from "./expressions";

const data = {
  input: { name: "Ada", amount: "250", tags: ["vip", "eu"] },
  nodes: { fetch: { status: 200, body: { items: [{ title: "Urgent: invoice" }, { title: "hello" }] } } },
};

describe("picks and templates", () => {
  it("picks values by path, keeping their type", () => {
    expect(pick(data, "$.nodes.fetch.body.items[0].title")).toBe("Urgent: invoice");
    expect(pick(data, "$.nodes.fetch.status")).toBe(200);
    expect(pick(data, "nodes.fetch.body.items[1]")).toEqual({ title: "hello" });
    expect(pick(data, "$.nodes.fetch.body.items[5].title")).toBeUndefined();
    expect(pick(data, "$.input.missing.deeper")).toBeUndefined();
  });

  it("never reaches prototypes or code", () => {
    expect(pick(data, "$.input.constructor")).toBeUndefined();
    expect(pick(data, "$.input.__proto__")).toBeUndefined();
    expect(pick(data, "$.input.name.constructor")).toBeUndefined();
    expect(pick(data, "$.input.toString")).toBeUndefined();
    expect(renderTemplate("{{input.constructor.constructor('return process')()}}", data)).toBe("");
    expect(evaluate({ __proto__: { polluted: true }, a: "{{input.name}}" }, data)).toEqual({ a: "Ada" });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("renders templates as text and evaluates objects member by member", () => {
    expect(renderTemplate("Hello {{input.name}}, {{ nodes.fetch.status }} {{input.nope}}!", data)).toBe("Hello Ada, 200 !");
    expect(renderTemplate("tags: {{input.tags}}", data)).toBe('tags: ["vip","eu"]');
    expect(evaluate({ title: "$.nodes.fetch.body.items[0].title", n: 3, list: ["$.input.amount", "x {{input.name}}"] }, data)).toEqual({
      title: "Urgent: invoice",
      n: 3,
      list: ["250", "x Ada"],
    });
    expect(evaluate("$5 off", data)).toBe("$5 off");
  });

  it("renders any template without throwing", () => {
    fc.assert(
      fc.property(fc.string(), (template) => {
        expect(typeof renderTemplate(template, data)).toBe("string");
      }),
    );
  });
});

describe("comparisons", () => {
  const cases: [unknown, Parameters<typeof compare>[1], unknown, boolean][] = [
    ["250", "equals", 250, true],
    ["abc", "equals", "abc", true],
    ["abc", "notEquals", "abd", true],
    ["Urgent: invoice", "contains", "Urgent", true],
    [["vip", "eu"], "contains", "vip", true],
    [["vip", "eu"], "notContains", "us", true],
    ["250", "greaterThan", 100, true],
    [99, "greaterOrEqual", 100, false],
    ["ten", "greaterThan", 1, false],
    [1, "lessThan", 2, true],
    [2, "lessOrEqual", 2, true],
    [undefined, "exists", null, false],
    [0, "exists", null, true],
    [null, "notExists", null, true],
    [{ a: 1 }, "equals", { a: 1 }, true],
  ];
  for (const [left, op, right, expected] of cases)
    it(`${JSON.stringify(left)} ${op} ${JSON.stringify(right)} is ${expected}`, () => {
      expect(compare(left, op, right)).toBe(expected);
    });
});
