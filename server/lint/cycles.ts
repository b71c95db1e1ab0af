// The import-cycle check over server/ (dependency-cruiser): every kind of import
// counts — static, dynamic `import()`, and type-only — since a type-only cycle
// still ties modules together in review and refactoring. Used by the test suite
// (cycles.test.ts) and runnable alone: `npx tsx server/lint/cycles.ts`.
import { cruise, type ICruiseResult } from "dependency-cruiser";
import path from "node:path";

export type TCycle = { from: string; via: string[] };
export type TImportGraph = { cycles: TCycle[]; edges: Map<string, string[]> };

/** Every cycle among the modules under `roots` (relative to `cwd`), as module paths. */
export async function findCycles(roots: string[], cwd = process.cwd()): Promise<TCycle[]> {
  return (await importGraph(roots, cwd)).cycles;
}

/** The modules under `roots`, each with the modules it imports, and the cycles among them. */
export async function importGraph(roots: string[], cwd = process.cwd()): Promise<TImportGraph> {
  // dependency-cruiser resolves roots and the tsconfig's paths from the working
  // folder (its baseDir option did not resolve the "@/" alias here).
  const previous = process.cwd();
  process.chdir(cwd);
  try {
    return await graphHere(roots, cwd);
  } finally {
    process.chdir(previous);
  }
}

async function graphHere(roots: string[], cwd: string): Promise<TImportGraph> {
  const result = await cruise(
    roots,
    {
      validate: true,
      ruleSet: {
        forbidden: [{ name: "no-circular", severity: "error", from: {}, to: { circular: true } }],
      },
      // Type-only imports are dependencies too (they vanish only after compiling).
      tsPreCompilationDeps: true,
      doNotFollow: { path: "node_modules" },
      exclude: { path: ["node_modules", "server/db/generated", "\\.test\\.ts$"] },
      tsConfig: { fileName: path.join(cwd, "tsconfig.json") },
      baseDir: cwd,
    },
    {},
    {},
  );
  const output = result.output as ICruiseResult;
  const cycles = output.summary.violations
    .filter((violation) => violation.rule.name === "no-circular")
    .map((violation) => ({
      from: violation.from,
      via: (violation.cycle ?? []).map((step) => (typeof step === "string" ? step : step.name)),
    }));
  const edges = new Map(output.modules.map((module) => [module.source, module.dependencies.map((dependency) => dependency.resolved)]));
  return { cycles, edges };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const cycles = await findCycles(["server"]);
  for (const cycle of cycles) process.stdout.write(`${cycle.from} → ${cycle.via.join(" → ")}\n`);
  process.stdout.write(cycles.length === 0 ? "no import cycles in server/\n" : `${cycles.length} import cycle(s)\n`);
  process.exitCode = cycles.length === 0 ? 0 : 1;
}
