// Secrets at rest use envelope encryption in three layers:
//   master keys  - MASTER_KEYS in the environment, never in the database
//   data keys    - one random key per tenant, stored wrapped by a master key (TWrappedKey)
//   secrets      - each sealed with its tenant's data key (TSealed), stored beside its record
// Every layer is AES-256-GCM with a fresh random 12-byte IV and a full 16-byte tag. The
// AAD binds each ciphertext to its place: a wrapped data key to its tenant, a secret to
// its tenant, record and purpose, so a ciphertext copied to another row does not decrypt.
//
// Rotating the master key re-encrypts no secret, only the small wrapped data keys:
//   1. Append a new key with a higher version (generateMasterKey), e.g.
//      MASTER_KEYS=1:<old>,2:<new>, and deploy everywhere: the highest version wraps
//      new data keys, older ones still unwrap. Until the rollout completes, instances
//      without version 2 cannot read data keys that updated instances created.
//   2. For each tenant whose wrapped.masterVersion is below ring.currentVersion, store
//      rewrapDataKey(ring, tenantId, wrapped).
//   3. When no wrapped key names version 1, remove it (MASTER_KEYS=2:<new>) and deploy.
// A leaked data key is handled differently: create a new data key for that tenant and
// re-encrypt its secrets; the service owns that loop, this module gives the pieces.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { z } from "zod";
import { decodeCanonical } from "./encoding";
import { CryptoError } from "./errors";

export { CryptoError, type TCryptoErrorCode } from "./errors";

const ENV_NAME = "MASTER_KEYS";
const ALGORITHM = "aes-256-gcm";
const KEY_BYTES = 32;
// GCM's native IV size. Random IVs stay safe up to about 2^32 messages per key, far
// more than one tenant's secrets or one master key's data keys will ever reach.
const IV_BYTES = 12;
// Node accepts truncated GCM tags unless told the length; a short tag is easier to forge.
const TAG_BYTES = 16;

export const ZWrappedKey = z.object({
  v: z.literal(1),
  masterVersion: z.number().int().nonnegative(),
  iv: z.string(),
  tag: z.string(),
  ciphertext: z.string(),
});
export type TWrappedKey = z.infer<typeof ZWrappedKey>;

export const ZSealed = z.object({
  v: z.literal(1),
  iv: z.string(),
  tag: z.string(),
  ciphertext: z.string(),
});
export type TSealed = z.infer<typeof ZSealed>;

export type TSecretContext = { tenantId: string; recordId: string; purpose: string };

export type MasterKeyRing = Readonly<{ currentVersion: number; versions: readonly number[] }>;

// The key bytes live here, not on the ring: a ring that reaches a log line or
// JSON.stringify carries no key material, and no other module can read a master key.
const ringKeys = new WeakMap<MasterKeyRing, ReadonlyMap<number, Buffer>>();

/**
 * Parses `version:base64key,version:base64key`. Errors name the entry or version and
 * the problem, never the key text, since a malformed entry may still be a real key.
 */
export function parseMasterKeys(raw: string): MasterKeyRing {
  if (raw.trim() === "") {
    throw new Error(`${ENV_NAME} is empty: expected comma-separated version:base64key entries, e.g. 1:<32 bytes in base64>.`);
  }
  const keys = new Map<number, Buffer>();
  for (const [index, rawEntry] of raw.split(",").entries()) {
    const entry = rawEntry.trim();
    const colon = entry.indexOf(":");
    const versionText = colon === -1 ? "" : entry.slice(0, colon);
    if (!/^\d{1,9}$/.test(versionText)) {
      throw new Error(`${ENV_NAME} entry ${index + 1} is malformed: expected version:base64key with a whole-number version.`);
    }
    const version = Number(versionText);
    const key = decodeCanonical(entry.slice(colon + 1), "base64");
    if (!key || key.length === 0) {
      throw new Error(`${ENV_NAME} version ${version}: the key is not valid base64 (standard alphabet with = padding).`);
    }
    if (key.length !== KEY_BYTES) {
      throw new Error(
        `${ENV_NAME} version ${version}: the key decodes to ${key.length} bytes; it must be exactly ${KEY_BYTES} (openssl rand -base64 32).`,
      );
    }
    if (keys.has(version)) {
      throw new Error(`${ENV_NAME} lists version ${version} more than once; each version must name exactly one key.`);
    }
    keys.set(version, key);
  }
  const versions = [...keys.keys()].sort((a, b) => a - b);
  const ring: MasterKeyRing = Object.freeze({ currentVersion: Math.max(...versions), versions: Object.freeze(versions) });
  ringKeys.set(ring, keys);
  return ring;
}

// Raw: server/env.ts validates MASTER_KEYS with this module, so it cannot import env back.
export function masterKeyRingFromEnv(env: Record<string, string | undefined> = process.env): MasterKeyRing {
  const raw = env[ENV_NAME];
  if (raw === undefined || raw.trim() === "") {
    throw new Error(`${ENV_NAME} is not set: expected comma-separated version:base64key entries, e.g. 1:<32 bytes in base64>.`);
  }
  return parseMasterKeys(raw);
}

let processRing: MasterKeyRing | null = null;

/** This process's master key ring, read from the environment once, on first use. */
export function masterKeys(): MasterKeyRing {
  processRing ??= masterKeyRingFromEnv();
  return processRing;
}

/** A fresh master key in the form MASTER_KEYS expects after `version:`. */
export function generateMasterKey(): string {
  return randomBytes(KEY_BYTES).toString("base64");
}

export function createDataKey(ring: MasterKeyRing, tenantId: string): { wrapped: TWrappedKey; key: Buffer } {
  const key = randomBytes(KEY_BYTES);
  return { wrapped: wrapDataKey(ring, tenantId, key), key };
}

export function unwrapDataKey(ring: MasterKeyRing, tenantId: string, wrapped: TWrappedKey): Buffer {
  const parsed = ZWrappedKey.safeParse(wrapped);
  if (!parsed.success) throw malformed("Wrapped data key");
  const master = masterKey(ring, parsed.data.masterVersion);
  return open(master, parsed.data, dataKeyAad(tenantId), "Wrapped data key", KEY_BYTES);
}

/** Unwraps with whichever master version wrapped the key and wraps again with the current one. */
export function rewrapDataKey(ring: MasterKeyRing, tenantId: string, wrapped: TWrappedKey): TWrappedKey {
  const key = unwrapDataKey(ring, tenantId, wrapped);
  try {
    return wrapDataKey(ring, tenantId, key);
  } finally {
    key.fill(0);
  }
}

export function encryptSecret(dataKey: Buffer, plaintext: string | Buffer, aad: TSecretContext): TSealed {
  assertDataKey(dataKey);
  const bytes = typeof plaintext === "string" ? Buffer.from(plaintext, "utf8") : plaintext;
  return { v: 1, ...seal(dataKey, bytes, secretAad(aad)) };
}

export function decryptSecret(dataKey: Buffer, sealed: TSealed, aad: TSecretContext): Buffer {
  assertDataKey(dataKey);
  const parsed = ZSealed.safeParse(sealed);
  if (!parsed.success) throw malformed("Sealed secret");
  return open(dataKey, parsed.data, secretAad(aad), "Sealed secret");
}

function wrapDataKey(ring: MasterKeyRing, tenantId: string, key: Buffer): TWrappedKey {
  const master = masterKey(ring, ring.currentVersion);
  return { v: 1, masterVersion: ring.currentVersion, ...seal(master, key, dataKeyAad(tenantId)) };
}

function masterKey(ring: MasterKeyRing, version: number): Buffer {
  const keys = ringKeys.get(ring);
  if (!keys) throw new CryptoError("INVALID_KEY", `This master key ring was not built by parseMasterKeys; load it from ${ENV_NAME}.`);
  const key = keys.get(version);
  if (!key) {
    throw new CryptoError(
      "UNKNOWN_MASTER_VERSION",
      `The data key is wrapped with master key version ${version}, which ${ENV_NAME} does not hold ` +
        `(it has ${ring.versions.join(", ")}). Keep a version in ${ENV_NAME} until every data key is rewrapped.`,
    );
  }
  return key;
}

function dataKeyAad(tenantId: string): Buffer {
  if (typeof tenantId !== "string" || tenantId === "") {
    throw new CryptoError("INVALID_CONTEXT", "A data key needs a non-empty tenantId.");
  }
  return Buffer.from(`data-key:${tenantId}`, "utf8");
}

// A JSON array is an unambiguous encoding: no choice of field values can make two
// different contexts produce the same bytes (unlike joining with a separator), and
// JSON.stringify escapes lone surrogates that UTF-8 encoding would merge into U+FFFD.
// The leading tag keeps this AAD apart from any other use and versions its format.
function secretAad({ tenantId, recordId, purpose }: TSecretContext): Buffer {
  for (const field of [tenantId, recordId, purpose]) {
    if (typeof field !== "string" || field === "") {
      throw new CryptoError("INVALID_CONTEXT", "A secret needs a non-empty tenantId, recordId and purpose.");
    }
  }
  return Buffer.from(JSON.stringify(["secret/v1", tenantId, recordId, purpose]), "utf8");
}

function assertDataKey(key: Buffer): void {
  if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) {
    throw new CryptoError("INVALID_KEY", `A data key must be ${KEY_BYTES} bytes from createDataKey or unwrapDataKey.`);
  }
}

type TBox = { iv: string; tag: string; ciphertext: string };

function seal(key: Buffer, plaintext: Buffer, aad: Buffer): TBox {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv: iv.toString("base64"), tag: cipher.getAuthTag().toString("base64"), ciphertext: ciphertext.toString("base64") };
}

function open(key: Buffer, box: TBox, aad: Buffer, what: string, expectedBytes?: number): Buffer {
  const iv = decodeCanonical(box.iv, "base64");
  const tag = decodeCanonical(box.tag, "base64");
  const ciphertext = decodeCanonical(box.ciphertext, "base64");
  if (iv?.length !== IV_BYTES || tag?.length !== TAG_BYTES || !ciphertext) throw malformed(what);
  if (expectedBytes !== undefined && ciphertext.length !== expectedBytes) throw malformed(what);

  const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  // GCM releases plaintext before checking the tag: this copy is wiped either way, so
  // unauthenticated bytes never outlive a failed check (Buffer.concat returns a new buffer).
  const head = decipher.update(ciphertext);
  try {
    return Buffer.concat([head, decipher.final()]);
  } catch {
    throw new CryptoError(
      "DECRYPT_FAILED",
      `${what} did not decrypt: the data was altered, or the key or context (tenant, record, purpose) does not match.`,
    );
  } finally {
    head.fill(0);
  }
}

function malformed(what: string): CryptoError {
  return new CryptoError(
    "MALFORMED",
    `${what} is malformed: expected the stored JSON shape (v: 1) with canonical base64 fields of the right length.`,
  );
}
