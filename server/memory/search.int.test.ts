import { describe, expect, it } from "vitest";
import { callerFor, createTenantFixture } from "@/server/test/factories";
import { setMemory } from "./service";

describe("the Memory page's search", () => {
  it("matches % and _ literally, not as LIKE wildcards", async () => {
    const fx = await createTenantFixture();
    await setMemory(fx.tenant.id, "discount", "50% off", "user:test");
    await setMemory(fx.tenant.id, "office", "Berlin", "user:test");
    await setMemory(fx.tenant.id, "snake_case", "a_b", "user:test");
    await setMemory(fx.tenant.id, "backslash", "c:\\temp", "user:test");
    const caller = callerFor(fx.users.member);
    const keys = async (query: string) => (await caller.memory.list({ tenantSlug: fx.tenant.slug, query })).map((entry) => entry.key).sort();
    expect(await keys("%")).toEqual(["discount"]);
    expect(await keys("_")).toEqual(["snake_case"]);
    expect(await keys("0%")).toEqual(["discount"]);
    expect(await keys("\\")).toEqual(["backslash"]);
    expect(await keys("BERLIN")).toEqual(["office"]);
  });
});
