import { afterEach, describe, expect, it, vi } from "vitest";

async function loadEnv() {
  vi.resetModules();
  return import("./env");
}

describe("environment validation", () => {
  afterEach(() => vi.unstubAllEnvs());

  function stubValid() {
    vi.stubEnv("SKIP_ENV_VALIDATION", "");
    vi.stubEnv("DATABASE_URL", "postgresql://app:pw@127.0.0.1:5432/agent_fabric");
    vi.stubEnv("NEXTAUTH_SECRET", "x".repeat(40));
    vi.stubEnv("DEPLOYMENT_MODE", "saas");
    vi.stubEnv("MASTER_KEYS", `1:${Buffer.alloc(32, 7).toString("base64")}`);
  }

  it("accepts a valid environment", async () => {
    stubValid();
    const { env } = await loadEnv();
    expect(env.DEPLOYMENT_MODE).toBe("saas");
  });

  it("names a missing variable", async () => {
    stubValid();
    vi.stubEnv("DATABASE_URL", "");
    await expect(loadEnv()).rejects.toThrow(/DATABASE_URL/);
  });

  it("names a malformed variable and says what it must be", async () => {
    stubValid();
    vi.stubEnv("DEPLOYMENT_MODE", "cloud");
    await expect(loadEnv()).rejects.toThrow(/DEPLOYMENT_MODE: must be "self_hosted" or "saas"/);
  });

  it("refuses a short session secret", async () => {
    stubValid();
    vi.stubEnv("NEXTAUTH_SECRET", "short");
    await expect(loadEnv()).rejects.toThrow(/NEXTAUTH_SECRET/);
  });

  it("names malformed master keys without echoing them", async () => {
    stubValid();
    vi.stubEnv("MASTER_KEYS", "1:c2hvcnQ=");
    const error = await loadEnv().catch((caught: unknown) => caught);
    expect(String(error)).toMatch(/MASTER_KEYS/);
    expect(String(error)).not.toContain("c2hvcnQ=");
  });

  it("defaults to the smaller capability set, saas", async () => {
    stubValid();
    vi.stubEnv("DEPLOYMENT_MODE", "");
    const { env } = await loadEnv();
    expect(env.DEPLOYMENT_MODE).toBe("saas");
  });
});
