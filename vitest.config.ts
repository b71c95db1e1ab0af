import path from "node:path";
import { defineConfig } from "vitest/config";

const root = import.meta.dirname;

export default defineConfig({
  resolve: { alias: { "@": root } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["server/**/*.test.ts", "scripts/**/*.test.ts", "lib/**/*.test.ts"],
          exclude: ["**/*.int.test.ts", "node_modules/**"],
          environment: "node",
          env: { SKIP_ENV_VALIDATION: "1", LOG_LEVEL: "silent" },
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["server/**/*.int.test.ts"],
          environment: "node",
          globalSetup: [path.join(root, "server/test/global-setup.ts")],
          setupFiles: [path.join(root, "server/test/setup.ts")],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Each test file makes its own tenants, so files run in parallel safely.
          fileParallelism: true,
        },
      },
    ],
  },
});
