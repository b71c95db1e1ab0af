// The import boundaries that keep tenant isolation reviewable are enforced by
// lint; these tests prove the rules fire where they must and stay quiet where
// imports are allowed.
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const eslint = new ESLint({ cwd: process.cwd() });

async function restrictedImportErrors(code: string, filePath: string): Promise<number> {
  const [result] = await eslint.lintText(code, { filePath });
  return result?.messages.filter((message) => message.ruleId === "no-restricted-imports").length ?? -1;
}

const PLATFORM = 'import { platform } from "@/server/db/platform";\nexport const p = platform;\n';
const RAW = 'import { prisma } from "@/server/db/client";\nexport const p = prisma;\n';

describe("import boundaries", () => {
  it("forbids the platform client outside the operator domain", async () => {
    expect(await restrictedImportErrors(PLATFORM, "server/members/router.ts")).toBe(1);
    expect(await restrictedImportErrors(PLATFORM, "server/trpc/root.ts")).toBe(1);
    expect(await restrictedImportErrors(PLATFORM, "app/(dashboard)/t/[tenant]/members/page.tsx")).toBe(1);
    // Nor the platform runner under it.
    const runner = 'import { withPlatform } from "@/server/db/scoped";\nexport const w = withPlatform;\n';
    expect(await restrictedImportErrors(runner, "server/members/service.ts")).toBe(1);
  });

  it("allows the platform client in the operator domain and the seed", async () => {
    expect(await restrictedImportErrors(PLATFORM, "server/operator/service.ts")).toBe(0);
    expect(await restrictedImportErrors(PLATFORM, "scripts/lib/seed.ts")).toBe(0);
  });

  it("forbids the raw Prisma client outside server/db, even to the operator", async () => {
    expect(await restrictedImportErrors(RAW, "server/members/service.ts")).toBe(1);
    expect(await restrictedImportErrors(RAW, "server/operator/service.ts")).toBe(1);
    expect(await restrictedImportErrors(RAW, "server/db/scoped.ts")).toBe(0);
  });

  it("keeps components away from server code other than types", async () => {
    expect(
      await restrictedImportErrors('import { withTenant } from "@/server/db";\nexport const w = withTenant;\n', "components/members/x.tsx"),
    ).toBe(1);
    expect(
      await restrictedImportErrors(
        'import type { AppRouter } from "@/server/trpc/root";\nexport type R = AppRouter;\n',
        "components/x.tsx",
      ),
    ).toBe(0);
  });

  it("lets no code call Cedar except through the engine that survives its traps", async () => {
    const direct = 'import * as cedar from "@cedar-policy/cedar-wasm/nodejs";\nexport const c = cedar;\n';
    expect(await restrictedImportErrors(direct, "server/policy/evaluate.ts")).toBe(1);
    expect(await restrictedImportErrors(direct, "server/gate/pipeline.ts")).toBe(1);
    expect(await restrictedImportErrors(direct, "scripts/bench-gate.ts")).toBe(1);
    expect(await restrictedImportErrors(direct, "server/db/scoped.ts")).toBe(1);
    const typeOnly = 'import type * as TCedar from "@cedar-policy/cedar-wasm/nodejs";\nexport type C = typeof TCedar;\n';
    expect(await restrictedImportErrors(typeOnly, "server/policy/evaluate.ts")).toBe(0);
  });

  it("reads the environment only through server/env.ts", async () => {
    const raw = "export const timeout = Number(process.env.WEB_TIMEOUT_MS);\n";
    const errors = async (filePath: string) =>
      (await eslint.lintText(raw, { filePath }))[0]?.messages.filter((message) => message.ruleId === "no-restricted-properties").length ??
      -1;
    expect(await errors("server/connectors/web.ts")).toBe(1);
    expect(await errors("app/api/v1/route.ts")).toBe(1);
    expect(await errors("components/runs/x.tsx")).toBe(1);
    expect(await errors("server/env.ts")).toBe(0);
    expect(await errors("server/db/pool.ts")).toBe(0);
    expect(await errors("scripts/dev.ts")).toBe(0);
  });

  it("forbids the generated Prisma client outside server/db (Prisma's namespace comes from @/server/db)", async () => {
    const generated = 'import { Prisma } from "@/server/db/generated/client";\nexport const p = Prisma;\n';
    expect(await restrictedImportErrors(generated, "server/members/service.ts")).toBe(1);
    expect(await restrictedImportErrors(generated, "server/operator/service.ts")).toBe(1);
    expect(await restrictedImportErrors(generated, "server/db/like.ts")).toBe(0);
  });
});

async function layerErrors(code: string, filePath: string): Promise<number> {
  const [result] = await eslint.lintText(code, { filePath });
  return result?.messages.filter((message) => message.ruleId === "import/no-restricted-paths").length ?? -1;
}

const importing = (path: string) => `import * as m from "${path}";\nexport const x = m;\n`;

describe("the direction of imports between domains", () => {
  it("UI never imports the database or the gate", async () => {
    expect(await layerErrors(importing("@/server/db"), "components/runs/x.tsx")).toBe(1);
    expect(await layerErrors(importing("@/server/gate/pipeline"), "components/chat/x.tsx")).toBe(1);
    expect(await layerErrors(importing("@/server/gate/pipeline"), "app/(dashboard)/t/[tenant]/chat/page.tsx")).toBe(1);
    expect(await layerErrors(importing("@/server/trpc/root"), "components/chat/x.tsx")).toBe(0);
  });

  it("tools never import the agent or the gate", async () => {
    expect(await layerErrors(importing("@/server/gate/pipeline"), "server/tools/api/x.ts")).toBe(1);
    expect(await layerErrors(importing("@/server/agent/loop"), "server/tools/x.ts")).toBe(1);
    expect(await layerErrors(importing("@/server/events/hash"), "server/tools/x.ts")).toBe(0);
  });

  it("events never import the gate, the agent or tools", async () => {
    expect(await layerErrors(importing("@/server/gate/pipeline"), "server/events/x.ts")).toBe(1);
    expect(await layerErrors(importing("@/server/agent/loop"), "server/events/x.ts")).toBe(1);
    expect(await layerErrors(importing("@/server/tools/registry"), "server/events/x.ts")).toBe(1);
    expect(await layerErrors(importing("@/server/crypto/signing"), "server/events/x.ts")).toBe(0);
  });

  it("policy never imports tools", async () => {
    expect(await layerErrors(importing("@/server/tools/registry"), "server/policy/x.ts")).toBe(1);
    expect(await layerErrors(importing("@/server/logger"), "server/policy/x.ts")).toBe(0);
  });

  it("the agent knows tools only by the read-only catalog, never the registry or the definitions", async () => {
    expect(await layerErrors(importing("@/server/tools/registry"), "server/agent/loop.ts")).toBe(1);
    expect(await layerErrors(importing("@/server/tools/api/index"), "server/agent/model-planner.ts")).toBe(1);
    expect(await layerErrors(importing("@/server/tools/local/shell"), "server/agent/x.ts")).toBe(1);
    expect(await layerErrors(importing("@/server/tools/memory"), "server/agent/x.ts")).toBe(1);
    expect(await layerErrors(importing("@/server/tools/catalog"), "server/agent/planner.ts")).toBe(0);
    expect(await layerErrors(importing("@/server/tools/types"), "server/agent/x.ts")).toBe(0);
  });

  it("the gate never imports approvals", async () => {
    expect(await layerErrors(importing("@/server/approvals/service"), "server/gate/x.ts")).toBe(1);
    expect(await layerErrors(importing("@/server/approvals/requests"), "server/gate/steps/x.ts")).toBe(1);
    expect(await layerErrors(importing("@/server/tools/registry"), "server/gate/x.ts")).toBe(0);
  });
});
