// The catalog the agent sees is read-only at runtime, not only in its types: its
// items are copies without `execute` or `policyFields`. In saas it lists no local
// tool, and assembling it never imports the module that defines them.
import { describe, expect, it, vi } from "vitest";
import { buildToolRegistry, ToolCatalog } from "./catalog";

const loaded = vi.hoisted(() => ({ localTools: 0 }));
vi.mock("./local/index", async (importOriginal) => {
  loaded.localTools += 1;
  return importOriginal();
});

describe("the tool catalog", () => {
  it("in saas lists no local tool, and the local tools' module is never imported", async () => {
    const catalog = new ToolCatalog(await buildToolRegistry("saas"));
    expect(catalog.mode).toBe("saas");
    expect(catalog.names()).toContain("memory.set");
    expect(catalog.list().filter((tool) => tool.capability === "local")).toEqual([]);
    expect(catalog.names().filter((name) => /^(shell|fs)\./.test(name))).toEqual([]);
    expect(loaded.localTools).toBe(0);
  });

  it("holds copies without execute or policyFields, frozen, in every mode", async () => {
    for (const mode of ["saas", "self_hosted"] as const) {
      const registry = await buildToolRegistry(mode);
      const catalog = new ToolCatalog(registry);
      expect(catalog.names()).toEqual(registry.names());
      for (const info of catalog.list()) {
        const definition = registry.get(info.name);
        expect(info).not.toBe(definition);
        expect(info, info.name).not.toHaveProperty("execute");
        expect(info, info.name).not.toHaveProperty("policyFields");
        expect(
          Object.values(info).some((value) => typeof value === "function"),
          info.name,
        ).toBe(false);
        expect(Object.isFrozen(info)).toBe(true);
        expect(catalog.get(info.name)).toBe(info);
      }
    }
    // The self_hosted round did import them, so the check above can see an import.
    expect(loaded.localTools).toBe(1);
    expect(new ToolCatalog(await buildToolRegistry("self_hosted")).get("shell.exec")).toMatchObject({ capability: "local" });
  });

  it("a catalog's tool cannot be run by reaching past the types", async () => {
    const catalog = new ToolCatalog(await buildToolRegistry("saas"));
    const reached = catalog.get("memory.set") as unknown as { execute?: unknown };
    expect(reached.execute).toBeUndefined();
    expect(() => Object.assign(reached, { execute: () => "smuggled" })).toThrow(TypeError);
  });
});
