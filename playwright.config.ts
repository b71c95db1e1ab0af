// End-to-end tests in a real Chromium against a production build (`next start`),
// and one journey against the README's dev command (`npm run dev`).
// Run through `npm test` (scripts/test.ts), which builds the app, prepares a
// seeded database and finds Chromium.
import { randomBytes } from "node:crypto";
import { defineConfig } from "@playwright/test";

const appPort = Number(process.env.E2E_APP_PORT ?? 3100);
const devPort = Number(process.env.E2E_DEV_PORT ?? 3101);
export const APP_URL = `http://127.0.0.1:${appPort}`;
export const DEV_URL = `http://127.0.0.1:${devPort}`;

const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-dev-shm-usage",
];

export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 2,
  retries: 0,
  forbidOnly: true,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [["list"], ["json"]],
  outputDir: ".tmp/playwright",
  use: {
    baseURL: APP_URL,
    trace: "retain-on-failure",
    launchOptions: { executablePath: process.env.CHROMIUM_PATH, args: CHROMIUM_FLAGS },
  },
  projects: [
    { name: "app", testIgnore: /dev-command/ },
    // `next dev` compiles each route on its first request, which takes a while on two busy cores.
    { name: "dev-command", testMatch: /dev-command/, use: { baseURL: DEV_URL }, timeout: 240_000, expect: { timeout: 90_000 } },
  ],
  webServer: [
    {
      command: `node node_modules/next/dist/bin/next start --hostname 127.0.0.1 --port ${appPort}`,
      url: `${APP_URL}/signin`,
      timeout: 120_000,
      reuseExistingServer: false,
      env: {
        DATABASE_URL: process.env.E2E_DATABASE_URL ?? "",
        NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
        MASTER_KEYS: `1:${randomBytes(32).toString("base64")}`,
        NEXTAUTH_URL: APP_URL,
        DEPLOYMENT_MODE: "saas",
        LOG_LEVEL: "warn",
        NEXT_TELEMETRY_DISABLED: "1",
      },
    },
    {
      // Exactly what the README tells a newcomer to run, with no DATABASE_URL.
      command: "npm run dev",
      url: `${DEV_URL}/signin`,
      timeout: 240_000,
      reuseExistingServer: false,
      env: {
        PORT: String(devPort),
        AGENT_FABRIC_DATA_DIR: process.env.E2E_DEV_DATA_DIR ?? ".tmp/e2e-dev",
        NEXTAUTH_URL: DEV_URL,
        DATABASE_URL: "",
        DATABASE_OWNER_URL: "",
        NEXT_TELEMETRY_DISABLED: "1",
      },
    },
  ],
});
