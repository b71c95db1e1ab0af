// No import cycle in server/, counting static, dynamic and type-only imports; and
// the check itself fails on a planted cycle of each kind (through the "@/" alias,
// as the code imports).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findCycles, importGraph } from "./cycles";

const scratch = mkdtempSync(path.join(os.tmpdir(), "fabric-cycles-"));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function plant(kind: string, importOfB: string): string {
  const dir = path.join(scratch, kind);
  mkdirSync(path.join(dir, "src"), { recursive: true });
  writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { baseUrl: ".", paths: { "@/*": ["./*"] } } }));
  writeFileSync(path.join(dir, "src", "a.ts"), 'import { b } from "@/src/b";\nexport const a = () => b;\n');
  writeFileSync(path.join(dir, "src", "b.ts"), `${importOfB}\n`);
  writeFileSync(path.join(dir, "src", "c.ts"), "export const c = 1;\n");
  return dir;
}

describe("import cycles", () => {
  it("server/ has none, and the check sees the code's real imports (aliases resolved)", async () => {
    const graph = await importGraph(["server"]);
    expect(graph.edges.get("server/gate/pipeline.ts")).toContain("server/tools/call-digest.ts");
    expect(graph.cycles).toEqual([]);
  }, 120_000);

  it.each([
    ["static", 'import { a } from "@/src/a";\nexport const b = () => a;'],
    ["dynamic", 'export const b = async () => (await import("@/src/a")).a;'],
    ["type-only", 'import type { a } from "@/src/a";\nexport const b = (f: typeof a) => f;'],
  ])("fails on a planted %s cycle, and not without it", async (kind, importOfB) => {
    const cycles = await findCycles(["src"], plant(kind, importOfB));
    expect(cycles.map((cycle) => [cycle.from, ...cycle.via].sort())).toContainEqual(expect.arrayContaining(["src/a.ts", "src/b.ts"]));
    const acyclic = await findCycles(["src"], plant(`${kind}-none`, 'import { c } from "@/src/c";\nexport const b = c;'));
    expect(acyclic).toEqual([]);
  });
});
