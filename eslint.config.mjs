// Lint: Next's recommended rules, TypeScript rules, and the import boundaries
// that keep tenant isolation reviewable:
//  - the raw Prisma client is for server/db/ only;
//  - the platform client (acts across tenants) is for the operator domain, the
//    seed script and tests only;
//  - React components never import server code other than types;
//  - Cedar is called only through server/policy/cedar.ts, which survives its traps.
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

const RAW_CLIENT = {
  // The generated Prisma client too: outside server/db, Prisma's types and helpers come from @/server/db.
  group: ["@/server/db/client", "**/server/db/client", "./client", "@/server/db/generated/*", "**/server/db/generated/*"],
  message: "Use withTenant / withUser / withoutTenant from @/server/db: the raw client bypasses the tenant runners.",
};
const PLATFORM_CLIENT = {
  // scoped.ts holds withPlatform, the runner under the platform client: reach it only through platform.ts.
  group: ["@/server/db/platform", "**/server/db/platform", "@/server/db/scoped", "**/server/db/scoped"],
  message: "The platform client acts across tenants: only server/operator/ and server/jobs/ may use it.",
};

const CEDAR = {
  group: ["@cedar-policy/cedar-wasm", "@cedar-policy/cedar-wasm/*"],
  allowTypeImports: true,
  message: "Call Cedar through callCedar (server/policy/cedar.ts): a trap must not take the engine down for every tenant.",
};

// The environment is read through server/env.ts (the validated `env`) or, for knobs read
// at call time, server/runtime-settings.ts. Raw reads stay only where neither can be used,
// each with a comment: the logger, db and job clients (scripts set DATABASE_URL after
// importing them, and the logger reports env failures); envelope.ts (env.ts imports it);
// startup.ts (it decides whether to validate at all, before env is imported).
const RAW_ENV_ALLOWED = [
  "server/env.ts",
  "server/runtime-settings.ts",
  "server/logger.ts",
  "server/db/pool.ts",
  "server/jobs/worker.ts",
  "server/jobs/enqueue.ts",
  "server/crypto/envelope.ts",
  "server/startup.ts",
];

export const boundaries = [
  {
    files: ["server/**/*.{ts,tsx}", "app/**/*.{ts,tsx}", "components/**/*.{ts,tsx}"],
    ignores: [...RAW_ENV_ALLOWED, "server/test/**", "**/*.test.ts"],
    rules: {
      "no-restricted-properties": [
        "error",
        {
          object: "process",
          property: "env",
          message: "Read the environment through server/env.ts (env) or server/runtime-settings.ts (call-time knobs).",
        },
      ],
    },
  },
  {
    files: ["**/*.{ts,tsx}"],
    ignores: ["server/db/**"],
    rules: { "no-restricted-imports": ["error", { patterns: [RAW_CLIENT, PLATFORM_CLIENT, CEDAR] }] },
  },
  {
    files: ["server/operator/**", "server/jobs/**", "scripts/**", "server/test/**", "**/*.test.ts", "e2e/**"],
    ignores: ["server/db/**"],
    rules: { "no-restricted-imports": ["error", { patterns: [RAW_CLIENT, CEDAR] }] },
  },
  {
    files: ["server/db/**"],
    rules: { "no-restricted-imports": ["error", { patterns: [CEDAR] }] },
  },
  {
    files: ["components/**/*.tsx", "components/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            RAW_CLIENT,
            PLATFORM_CLIENT,
            CEDAR,
            {
              group: [
                "@/server/*",
                "!@/server/trpc",
                "@/server/trpc/*",
                "!@/server/trpc/root",
                "!@/server/auth",
                "@/server/auth/*",
                "!@/server/auth/roles",
                "!@/server/agent",
                "@/server/agent/*",
                "!@/server/agent/providers",
                "!@/server/credentials",
                "@/server/credentials/*",
                "!@/server/credentials/providers",
                "!@/server/env",
                "!@/server/principals",
              ],
              allowTypeImports: true,
              message: "Components reach the server through tRPC; import types only.",
            },
          ],
        },
      ],
    },
  },
];

// The direction of imports between server domains (shared/ARCHITECTURE.md): the
// gate sits above policy and tools, events below all three, approvals plug into
// the gate rather than being imported by it, and the agent knows tools only by
// their catalog (no registry, no definitions: nothing it holds can run a tool). Resolved through tsconfig's "@/"
// alias, so each rule holds whatever path style an import uses.
const layer = (target, from, message) => ({ target, from, message });
export const layers = [
  {
    files: ["**/*.{ts,tsx,mts}"],
    // Tests drive several layers at once on purpose.
    ignores: ["**/*.test.ts", "server/test/**", "e2e/**", "scripts/**"],
    rules: {
      "import/no-restricted-paths": [
        "error",
        {
          zones: [
            layer(
              ["./components", "./app/**/*.tsx"],
              ["./server/db", "./server/gate"],
              "UI reaches data and the gate through tRPC, never directly.",
            ),
            layer(
              "./server/tools",
              ["./server/agent", "./server/gate"],
              "Tools never import the agent or the gate (nested calls come through their context).",
            ),
            layer(
              "./server/events",
              ["./server/gate", "./server/agent", "./server/tools"],
              "The event log sits below the gate, the agent and the tools.",
            ),
            layer("./server/policy", "./server/tools", "Policy never imports tools: tool names are handed to it (server/plugins.ts)."),
            layer("./server/gate", "./server/approvals", "The gate never imports approvals: they are its plug-in (server/plugins.ts)."),
            {
              ...layer(
                "./server/agent",
                "./server/tools",
                "The agent sees tools through the read-only catalog (server/tools/catalog.ts): only the gate runs them.",
              ),
              except: ["./catalog.ts", "./types.ts"],
            },
          ],
        },
      ],
    },
  },
];

const config = [
  ...nextVitals,
  ...nextTs,
  {
    ignores: [
      "node_modules/**",
      ".next/**",
      ".data/**",
      ".tmp/**",
      "server/db/generated/**",
      "test-results/**",
      "playwright-report/**",
      "next-env.d.ts",
    ],
  },
  {
    rules: {
      "no-console": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["scripts/**"],
    rules: { "no-console": "off" },
  },
  ...boundaries,
  ...layers,
];

export default config;
