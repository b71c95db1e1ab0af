// The one logger. Secrets are redacted by key wherever they appear in a log object.
import pino from "pino";
import { redactUrl } from "./net/secret-params.mjs";

export const REDACTED_KEYS = [
  "password",
  "passwordHash",
  "token",
  "secret",
  "authorization",
  "cookie",
  "apiKey",
  "accessToken",
  "refreshToken",
  "signingSecret",
  "appSecret",
  "verifyToken",
  "serviceAccountJson",
  "privateKey",
  "webhookUrl",
  "secrets",
  "sealed",
];

// Lines go through process.stdout, so a test can read everything that was logged.
export const logger = pino(
  {
    // Raw: the logger reports env validation failures and serves scripts that run without the app's env.
    level: process.env.LOG_LEVEL ?? "info",
    redact: {
      paths: [...REDACTED_KEYS, ...REDACTED_KEYS.map((key) => `*.${key}`), ...REDACTED_KEYS.map((key) => `*.*.${key}`)],
      censor: "[redacted]",
    },
    base: { service: "agent-fabric" },
    // A URL logged under these keys keeps its shape but not the values of secret parameters.
    serializers: { url: redactUrl, path: redactUrl, href: redactUrl },
  },
  process.stdout,
);
