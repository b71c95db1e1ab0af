import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CryptoError,
  createDataKey,
  decryptSecret,
  encryptSecret,
  generateMasterKey,
  masterKeyRingFromEnv,
  parseMasterKeys,
  rewrapDataKey,
  type TSealed,
  type TWrappedKey,
  unwrapDataKey,
} from "./envelope";

const KEY_1 = generateMasterKey();
const KEY_2 = generateMasterKey();
const CONTEXT = { tenantId: "tenant-a", recordId: "credential-1", purpose: "credential.secret" };

function flipBit(base64: string, byteIndex = 0): string {
  const bytes = Buffer.from(base64, "base64");
  bytes[byteIndex] = (bytes[byteIndex] ?? 0) ^ 0x01;
  return bytes.toString("base64");
}

function cryptoErrorOf(run: () => unknown): CryptoError {
  try {
    run();
  } catch (error) {
    if (error instanceof CryptoError) return error;
    throw error;
  }
  throw new Error("expected a CryptoError, but nothing was thrown");
}

function parseErrorOf(raw: string): string {
  try {
    parseMasterKeys(raw);
  } catch (error) {
    if (error instanceof Error) return error.message;
  }
  throw new Error("expected parseMasterKeys to throw");
}

describe("master key ring", () => {
  it("makes the highest version current and keeps the others for unwrapping", () => {
    const ring = parseMasterKeys(` 2:${KEY_2} , 1:${KEY_1}`);
    expect(ring.currentVersion).toBe(2);
    expect(ring.versions).toEqual([1, 2]);
  });

  it("carries no key material when logged or serialised", () => {
    const ring = parseMasterKeys(`1:${KEY_1}`);
    expect(JSON.stringify(ring)).not.toContain(KEY_1);
    expect(JSON.stringify(ring)).not.toContain(Buffer.from(KEY_1, "base64").toString("hex"));
  });

  it("generates 32-byte base64 keys, a new one each time", () => {
    expect(Buffer.from(KEY_1, "base64")).toHaveLength(32);
    expect(KEY_1).not.toBe(KEY_2);
  });

  it.each([
    ["an empty value", "  ", /MASTER_KEYS is empty/],
    ["an entry without a version", KEY_1, /MASTER_KEYS entry 1 is malformed/],
    ["a non-numeric version", `one:${KEY_1}`, /MASTER_KEYS entry 1 is malformed/],
    ["an empty entry", `1:${KEY_1},`, /MASTER_KEYS entry 2 is malformed/],
    ["a key that is not base64", `1:${KEY_1.slice(0, -4)}!!!!`, /MASTER_KEYS version 1: the key is not valid base64/],
    ["a key of the wrong length", `1:${KEY_1.slice(0, 24)}`, /MASTER_KEYS version 1: the key decodes to 18 bytes; it must be exactly 32/],
    ["a duplicate version", `1:${KEY_1},1:${KEY_2}`, /MASTER_KEYS lists version 1 more than once/],
  ])("refuses %s, naming the problem but not the key", (_case, raw, expected) => {
    const message = parseErrorOf(raw);
    expect(message).toMatch(expected);
    for (const key of [KEY_1, KEY_2]) {
      expect(message).not.toContain(key);
      expect(message).not.toContain(key.slice(0, 12));
    }
  });

  it("reads MASTER_KEYS from the environment and names it when missing", () => {
    expect(masterKeyRingFromEnv({ MASTER_KEYS: `1:${KEY_1}` }).currentVersion).toBe(1);
    expect(() => masterKeyRingFromEnv({})).toThrow(/MASTER_KEYS is not set/);
  });
});

describe("data keys", () => {
  const ring = parseMasterKeys(`1:${KEY_1}`);

  it("unwraps to the key that was created, after a JSON round trip", () => {
    const { wrapped, key } = createDataKey(ring, "tenant-a");
    expect(key).toHaveLength(32);
    expect(wrapped.masterVersion).toBe(1);
    const stored = JSON.parse(JSON.stringify(wrapped)) as TWrappedKey;
    expect(unwrapDataKey(ring, "tenant-a", stored).equals(key)).toBe(true);
  });

  it("does not unwrap for another tenant", () => {
    const { wrapped } = createDataKey(ring, "tenant-a");
    expect(cryptoErrorOf(() => unwrapDataKey(ring, "tenant-b", wrapped)).code).toBe("DECRYPT_FAILED");
  });

  it.each(["ciphertext", "tag", "iv"] as const)("does not unwrap with a flipped bit in the %s", (field) => {
    const { wrapped } = createDataKey(ring, "tenant-a");
    const altered = { ...wrapped, [field]: flipBit(wrapped[field]) };
    expect(cryptoErrorOf(() => unwrapDataKey(ring, "tenant-a", altered)).code).toBe("DECRYPT_FAILED");
  });

  it("does not unwrap under another master key with the same version", () => {
    const { wrapped } = createDataKey(ring, "tenant-a");
    const other = parseMasterKeys(`1:${KEY_2}`);
    expect(cryptoErrorOf(() => unwrapDataKey(other, "tenant-a", wrapped)).code).toBe("DECRYPT_FAILED");
  });

  it("names an unknown master version clearly", () => {
    const { wrapped } = createDataKey(ring, "tenant-a");
    const error = cryptoErrorOf(() => unwrapDataKey(ring, "tenant-a", { ...wrapped, masterVersion: 7 }));
    expect(error.code).toBe("UNKNOWN_MASTER_VERSION");
    expect(error.message).toMatch(/master key version 7, which MASTER_KEYS does not hold \(it has 1\)/);
  });

  it("refuses a malformed wrapped key before trying to decrypt", () => {
    const { wrapped } = createDataKey(ring, "tenant-a");
    const cases: unknown[] = [
      { ...wrapped, v: 2 },
      { ...wrapped, iv: wrapped.iv.slice(4) },
      { ...wrapped, tag: `${wrapped.tag} ` },
      { ...wrapped, ciphertext: Buffer.alloc(16).toString("base64") },
      null,
    ];
    for (const candidate of cases) {
      expect(cryptoErrorOf(() => unwrapDataKey(ring, "tenant-a", candidate as TWrappedKey)).code).toBe("MALFORMED");
    }
  });

  it("moves keys to the new master version on rotation and keeps the old version needed until then", () => {
    const before = parseMasterKeys(`1:${KEY_1}`);
    const during = parseMasterKeys(`1:${KEY_1},2:${KEY_2}`);
    const after = parseMasterKeys(`2:${KEY_2}`);
    const { wrapped: old, key } = createDataKey(before, "tenant-a");

    expect(unwrapDataKey(during, "tenant-a", old).equals(key)).toBe(true);
    expect(createDataKey(during, "tenant-b").wrapped.masterVersion).toBe(2);

    const rewrapped = rewrapDataKey(during, "tenant-a", old);
    expect(rewrapped.masterVersion).toBe(2);
    expect(unwrapDataKey(after, "tenant-a", rewrapped).equals(key)).toBe(true);
    expect(cryptoErrorOf(() => unwrapDataKey(after, "tenant-a", old)).code).toBe("UNKNOWN_MASTER_VERSION");
  });

  it("does not rewrap for another tenant", () => {
    const during = parseMasterKeys(`1:${KEY_1},2:${KEY_2}`);
    const { wrapped } = createDataKey(ring, "tenant-a");
    expect(cryptoErrorOf(() => rewrapDataKey(during, "tenant-b", wrapped)).code).toBe("DECRYPT_FAILED");
  });

  it("refuses a ring that was not parsed from MASTER_KEYS", () => {
    const forged = { currentVersion: 1, versions: [1] };
    expect(cryptoErrorOf(() => createDataKey(forged, "tenant-a")).code).toBe("INVALID_KEY");
  });
});

describe("secrets", () => {
  const { key } = createDataKey(parseMasterKeys(`1:${KEY_1}`), "tenant-a");

  it("decrypts what it encrypted, after a JSON round trip, with a fresh IV each time", () => {
    const sealed = encryptSecret(key, "sk-live-123", CONTEXT);
    const again = encryptSecret(key, "sk-live-123", CONTEXT);
    expect(again.iv).not.toBe(sealed.iv);
    expect(again.ciphertext).not.toBe(sealed.ciphertext);
    expect(JSON.stringify(sealed)).not.toContain("sk-live-123");
    const stored = JSON.parse(JSON.stringify(sealed)) as TSealed;
    expect(decryptSecret(key, stored, CONTEXT).toString("utf8")).toBe("sk-live-123");
  });

  it.each([
    ["tenant", { ...CONTEXT, tenantId: "tenant-b" }],
    ["record", { ...CONTEXT, recordId: "credential-2" }],
    ["purpose", { ...CONTEXT, purpose: "webhook.secret" }],
  ])("does not decrypt under another %s", (_field, context) => {
    const sealed = encryptSecret(key, "sk-live-123", CONTEXT);
    expect(cryptoErrorOf(() => decryptSecret(key, sealed, context)).code).toBe("DECRYPT_FAILED");
  });

  it("keeps context fields apart, so moving text between them changes the context", () => {
    const sealed = encryptSecret(key, "x", { tenantId: "a", recordId: "b:c", purpose: "d" });
    expect(() => decryptSecret(key, sealed, { tenantId: "a:b", recordId: "c", purpose: "d" })).toThrow(CryptoError);
  });

  it.each(["ciphertext", "tag", "iv"] as const)("does not decrypt with a flipped bit in the %s", (field) => {
    const sealed = encryptSecret(key, "sk-live-123", CONTEXT);
    const altered = { ...sealed, [field]: flipBit(sealed[field], 3) };
    expect(cryptoErrorOf(() => decryptSecret(key, altered, CONTEXT)).code).toBe("DECRYPT_FAILED");
  });

  it("does not decrypt with another data key, and says nothing about the secret", () => {
    const sealed = encryptSecret(key, "sk-live-123", CONTEXT);
    const { key: otherKey } = createDataKey(parseMasterKeys(`1:${KEY_1}`), "tenant-a");
    const error = cryptoErrorOf(() => decryptSecret(otherKey, sealed, CONTEXT));
    expect(error.code).toBe("DECRYPT_FAILED");
    for (const material of ["sk-live-123", sealed.ciphertext, key.toString("base64"), otherKey.toString("base64")]) {
      expect(error.message).not.toContain(material);
    }
  });

  it("refuses a wrong-size data key, an empty context field and a malformed sealed value", () => {
    const sealed = encryptSecret(key, "sk-live-123", CONTEXT);
    expect(cryptoErrorOf(() => encryptSecret(key.subarray(0, 16), "x", CONTEXT)).code).toBe("INVALID_KEY");
    expect(cryptoErrorOf(() => encryptSecret(key, "x", { ...CONTEXT, recordId: "" })).code).toBe("INVALID_CONTEXT");
    expect(cryptoErrorOf(() => decryptSecret(key, { ...sealed, tag: sealed.tag.slice(0, 12) }, CONTEXT)).code).toBe("MALFORMED");
    expect(cryptoErrorOf(() => decryptSecret(key, { ...sealed, ciphertext: "not base64!" }, CONTEXT)).code).toBe("MALFORMED");
  });

  it("round-trips arbitrary bytes under arbitrary contexts", () => {
    const field = fc.string({ minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), field, field, field, (bytes, tenantId, recordId, purpose) => {
        const context = { tenantId, recordId, purpose };
        const plaintext = Buffer.from(bytes);
        const sealed = encryptSecret(key, plaintext, context);
        expect(decryptSecret(key, sealed, context).equals(plaintext)).toBe(true);
      }),
    );
  });
});
