// The per-process composition cache: reused only when the database's composition
// generation, the Cedar instance's generation and the deployment mode all match;
// bounded, least recently used out first. The database is a stub that answers as
// gate_call_state does (composition and texts only for a generation the caller lacks).
import { beforeEach, describe, expect, it, vi } from "vitest";

const db = vi.hoisted(() => ({
  generation: "1",
  tenantPolicies: "",
  /** The generation each read said it holds (gate_call_state's fourth parameter). */
  known: [] as (string | null)[],
}));
const cedar = vi.hoisted(() => ({ generation: 1 }));

vi.mock("@/server/db", () => ({
  withTenantOneTrip: async (_tenantId: string, statement: { text: string; values: (string | null)[] }) => {
    const known = statement.values[3] ?? null;
    db.known.push(known);
    const isCurrent = known === db.generation;
    return {
      rows: [
        {
          run_is_tainted: false,
          is_enabled: true,
          generation: db.generation,
          has_composition: !isCurrent,
          packs: isCurrent
            ? null
            : [
                { name: "baseline", version: 1 },
                { name: "own", version: 1 },
              ],
          disabled_policies: isCurrent ? null : [],
          tenant_policies: isCurrent ? null : db.tenantPolicies,
          version: isCurrent ? null : 1,
          tenant_packs: isCurrent
            ? null
            : [{ name: "own", version: 1, text: '@id("own") permit (principal, action == Action::"memory.get", resource);' }],
        },
      ],
    };
  },
}));

vi.mock("@/server/policy/cedar", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/server/policy/cedar")>();
  return { ...actual, cedarGeneration: () => cedar.generation };
});

const { CompositionCache, callStateStats, compiledComposition, compositionCache, loadCallState } = await import("./call-state");

const RUN = "00000000-0000-4000-8000-000000000001";
const TENANT = "00000000-0000-4000-8000-0000000000aa";

beforeEach(() => {
  compositionCache.clear();
  db.generation = "1";
  db.tenantPolicies = "";
  db.known = [];
  cedar.generation = 1;
  Object.assign(callStateStats, { compositionsReceived: 0, packTextsReceived: 0, cacheHits: 0 });
});

describe("the tenant step's composition cache", () => {
  it("asks with no generation first, then with the one it holds, and reuses the composition while it is current", async () => {
    const first = await loadCallState(TENANT, RUN, "memory.get", "saas");
    const second = await loadCallState(TENANT, RUN, "memory.get", "saas");
    expect(db.known[0]).toBeNull();
    expect(db.known[1]).toBe("1");
    expect(second.composition).toBe(first.composition);
    expect(callStateStats).toEqual({ compositionsReceived: 1, packTextsReceived: 1, cacheHits: 1 });
    expect(first.composition.packs.map((pack) => pack.name)).toEqual(["baseline", "own"]);
  });

  it("takes what the database sent when the generation moved", async () => {
    const before = await loadCallState(TENANT, RUN, "memory.get", "saas");
    db.generation = "2";
    db.tenantPolicies = '@id("no-get") forbid (principal, action == Action::"memory.get", resource);';
    const after = await loadCallState(TENANT, RUN, "memory.get", "saas");
    expect(after.composition).not.toBe(before.composition);
    expect(after.composition.tenantPolicies).toContain("no-get");
    expect(callStateStats.compositionsReceived).toBe(2);
    expect(db.known[1]).toBe("1");
    // And the next call holds generation 2.
    await loadCallState(TENANT, RUN, "memory.get", "saas");
    expect(db.known[2]).toBe("2");
    expect(callStateStats.cacheHits).toBe(1);
  });

  it("does not reuse an entry made under another Cedar instance: it asks for the composition again", async () => {
    await loadCallState(TENANT, RUN, "memory.get", "saas");
    cedar.generation = 2;
    await loadCallState(TENANT, RUN, "memory.get", "saas");
    expect(db.known[1]).toBeNull();
    expect(callStateStats).toMatchObject({ compositionsReceived: 2, cacheHits: 0 });
  });

  it("keys the entry by deployment mode too (the default composition depends on it)", async () => {
    await loadCallState(TENANT, RUN, "memory.get", "saas");
    await loadCallState(TENANT, RUN, "memory.get", "self_hosted");
    expect(db.known[1]).toBeNull();
    expect(callStateStats.cacheHits).toBe(0);
  });

  it("compiles a composition once per entry; the entry's composition is frozen", async () => {
    const { composition } = await loadCallState(TENANT, RUN, "memory.get", "saas");
    const compiled = compiledComposition(composition);
    expect(compiledComposition((await loadCallState(TENANT, RUN, "memory.get", "saas")).composition)).toBe(compiled);
    expect(Object.isFrozen(composition)).toBe(true);
    expect(Object.isFrozen(composition.packs[1])).toBe(true);
  });
});

describe("CompositionCache", () => {
  const entry = (generation: string, cedarGeneration = 1) => ({
    generation,
    cedarGeneration,
    mode: "saas" as const,
    composition: { packs: [], version: 0, missingPacks: [] },
    compiled: null,
  });

  it("holds at most its bound, the least recently used leaving first", () => {
    const cache = new CompositionCache(3);
    for (const tenant of ["a", "b", "c"]) cache.set(tenant, entry("1"));
    expect(cache.usable("a", "saas", 1)).not.toBeNull(); // a is now the most recent
    cache.set("d", entry("1"));
    expect(cache.size).toBe(3);
    expect(cache.usable("b", "saas", 1)).toBeNull();
    expect(["a", "c", "d"].map((tenant) => cache.usable(tenant, "saas", 1)?.generation)).toEqual(["1", "1", "1"]);
  });

  it("drops an entry of another Cedar instance or mode", () => {
    const cache = new CompositionCache(10);
    cache.set("a", entry("4", 1));
    expect(cache.usable("a", "self_hosted", 1)).toBeNull();
    cache.set("a", entry("4", 1));
    expect(cache.usable("a", "saas", 2)).toBeNull();
    expect(cache.size).toBe(0);
  });
});
