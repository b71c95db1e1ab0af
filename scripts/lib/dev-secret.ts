import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/** A session secret for local runs, generated once and kept in .data/ (git-ignored). */
export function localSecret(name: string): string {
  const dir = process.env.AGENT_FABRIC_DATA_DIR ?? path.join(process.cwd(), ".data");
  const file = path.join(dir, `${name}.secret`);
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(dir, { recursive: true });
  const value = randomBytes(32).toString("base64url");
  writeFileSync(file, value, { mode: 0o600 });
  return value;
}

/** A master key ring for local runs ("1:<base64 32 bytes>"), kept beside the data. */
export function localMasterKeys(): string {
  const key = localSecret("master-key");
  return `1:${Buffer.from(key, "base64url").toString("base64")}`;
}
