// Typed, validated environment. A missing or malformed variable stops start-up
// with a message naming it (instrumentation.ts validates at server start). Knobs
// read at call time are named in server/runtime-settings.ts.
import { createEnv } from "@t3-oss/env-nextjs";
import { z } from "zod";
import { LLM_PROVIDERS } from "./agent/providers";
import { parseMasterKeys } from "./crypto/envelope";

export const DEPLOYMENT_MODES = ["self_hosted", "saas"] as const;
export type TDeploymentMode = (typeof DEPLOYMENT_MODES)[number];

export const env = createEnv({
  server: {
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
    DATABASE_URL: z.url({ message: "must be a postgresql:// URL for the app role (no superuser, no BYPASSRLS)" }),
    NEXTAUTH_SECRET: z.string().min(32, { message: "must be at least 32 characters (try: openssl rand -base64 32)" }),
    NEXTAUTH_URL: z.url().optional(),
    // Fail safe: without an explicit choice, run with the smaller capability set.
    DEPLOYMENT_MODE: z.enum(DEPLOYMENT_MODES, { message: 'must be "self_hosted" or "saas"' }).default("saas"),
    // Master keys that wrap each tenant's data key: "version:base64key,…" (32-byte keys).
    MASTER_KEYS: z.string().superRefine((value, context) => {
      try {
        parseMasterKeys(value);
      } catch (error) {
        context.addIssue({ code: "custom", message: error instanceof Error ? error.message : "is not valid" });
      }
    }),
    // How many reverse proxies in front of the app append to X-Forwarded-For. 0 (the
    // default): trust no forwarded header, and throttle sign-in per account only.
    TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    // The agent's model when a tenant has not chosen one. "scripted" needs no model (offline demo).
    LLM_PROVIDER: z.enum(LLM_PROVIDERS, { message: `must be one of ${LLM_PROVIDERS.join(", ")}` }).default("scripted"),
    LLM_BASE_URL: z.url({ message: "must be the provider's base URL, e.g. http://127.0.0.1:11434/v1" }).optional(),
    LLM_MODEL: z.string().min(1).optional(),
    LLM_API_KEY: z.string().min(1).optional(),
    // saas: the model endpoints a tenant may choose (comma-separated base URLs); self_hosted: any.
    LLM_ALLOWED_BASE_URLS: z.string().default("https://api.openai.com/v1,https://api.anthropic.com/v1"),
    // The next two are parsed where they are used, as before they moved here, so a value
    // that was tolerated still is.
    // The first uid of the shell sandbox's per-tenant users (self_hosted; default 1e9).
    SANDBOX_UID_BASE: z.string().optional(),
    // "1": let shell.exec run without bubblewrap where it cannot run. Never in production.
    ALLOW_UNSANDBOXED_SHELL: z.string().optional(),
  },
  client: {},
  experimental__runtimeEnv: {},
  emptyStringAsUndefined: true,
  // `next build` needs no runtime variable (an image is built once, configured at
  // start): Next sets NEXT_PHASE while it builds, and the server validates when it
  // starts (instrumentation.ts), which Next never runs during a build.
  skipValidation: process.env.SKIP_ENV_VALIDATION === "1" || process.env.NEXT_PHASE === "phase-production-build",
  onValidationError: (issues) => {
    const lines = issues.map((issue) => `  ${issue.path?.map(String).join(".") ?? "?"}: ${issue.message}`);
    throw new Error(`Invalid environment variables (see .env.example):\n${lines.join("\n")}`);
  },
});
