// Settings read at call time, not fixed at start like server/env.ts's `env`: operators
// tune them on a running process and tests change them between calls. Each caller keeps
// its own parsing and default (documented beside it); this list is where they are all
// named. A leaf apart from env.ts because importing env.ts validates the whole
// environment, which scripts such as the seed (they reach server/net/ssrf.ts) must not do.
export const RUNTIME_SETTINGS = [
  "NEXTAUTH_URL",
  "SSRF_ALLOW_ADDRESSES",
  "MAIL_SMTP_HOST",
  "MAIL_SMTP_PORT",
  "MAIL_SMTP_USERNAME",
  "MAIL_SMTP_PASSWORD",
  "MAIL_FROM",
  "SMTP_ALLOW_INSECURE_LOCAL",
  "WEB_TIMEOUT_MS",
  "SHEETS_API_TIMEOUT_MS",
  "PAYMENTS_API_TIMEOUT_MS",
  "MESSAGE_TIMEOUT_MS",
  "WHATSAPP_API_TIMEOUT_MS",
  "WHATSAPP_API_BASE_URL",
  "SHEETS_API_BASE_URL",
  "GOOGLE_TOKEN_URL",
  "PAYMENTS_API_BASE_URL",
  "SEARXNG_BASE_URL",
  "BRAVE_SEARCH_BASE_URL",
  "SHELL_TIMEOUT_MS",
  "WORKSPACE_ROOT",
  "WORKSPACE_QUOTA_MB",
  "SANDBOX_MEMORY_MB",
  "SANDBOX_PIDS",
  "SANDBOX_CPU_SECONDS",
  "SANDBOX_CPU_CORES",
  "SANDBOX_FILE_SIZE_MB",
  "VERIFY_PARALLELISM",
] as const;
export type TRuntimeSetting = (typeof RUNTIME_SETTINGS)[number];

export function runtimeSetting(name: TRuntimeSetting): string | undefined {
  return process.env[name];
}
