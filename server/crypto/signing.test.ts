import { createPublicKey, generateKeyPairSync, verify as nodeVerify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CryptoError } from "./errors";
import { generateSigningKey, keyId, publicKeyToPem, sign, verify } from "./signing";

const ALICE = generateSigningKey();
const BOB = generateSigningKey();
const MESSAGE = '{"run":"r_1","decision":"allow"}';

function flipBit(base64url: string, byteIndex: number): string {
  const bytes = Buffer.from(base64url, "base64url");
  bytes[byteIndex] = (bytes[byteIndex] ?? 0) ^ 0x01;
  return bytes.toString("base64url");
}

describe("signing keys", () => {
  it("generates a raw 32-byte base64url public key and a PKCS#8 private key", () => {
    expect(ALICE.publicKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(ALICE.publicKey, "base64url")).toHaveLength(32);
    expect(ALICE.publicKey).not.toBe(BOB.publicKey);
    // PKCS#8 for Ed25519 is a fixed 48-byte DER structure.
    expect(ALICE.privateKeyPkcs8).toHaveLength(48);
  });

  it("derives a stable 16-hex-character key id that differs between keys", () => {
    expect(keyId(ALICE.publicKey)).toMatch(/^[0-9a-f]{16}$/);
    expect(keyId(ALICE.publicKey)).toBe(keyId(ALICE.publicKey));
    expect(keyId(ALICE.publicKey)).not.toBe(keyId(BOB.publicKey));
  });

  it("computes the key id from the raw public key bytes", () => {
    // SHA-256 of 32 zero bytes, fixed so a change of derivation cannot go unnoticed.
    expect(keyId(Buffer.alloc(32).toString("base64url"))).toBe("66687aadf862bd77");
  });

  it("refuses a malformed public key when deriving an id or a PEM", () => {
    for (const bad of ["", "not a key", ALICE.publicKey.slice(1), `${ALICE.publicKey}=`]) {
      expect(() => keyId(bad)).toThrow(CryptoError);
      expect(() => publicKeyToPem(bad)).toThrow(CryptoError);
    }
  });

  it("exports an SPKI PEM that standard tools verify with", () => {
    const pem = publicKeyToPem(ALICE.publicKey);
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n$/);
    const signature = Buffer.from(sign(ALICE.privateKeyPkcs8, MESSAGE), "base64url");
    expect(nodeVerify(null, Buffer.from(MESSAGE), createPublicKey(pem), signature)).toBe(true);
  });
});

describe("signatures", () => {
  const signature = sign(ALICE.privateKeyPkcs8, MESSAGE);

  it("verifies a signature over the same message, as a string or bytes", () => {
    expect(signature).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(verify(ALICE.publicKey, MESSAGE, signature)).toBe(true);
    expect(verify(ALICE.publicKey, Buffer.from(MESSAGE, "utf8"), signature)).toBe(true);
    expect(verify(ALICE.publicKey, Buffer.from(MESSAGE), sign(ALICE.privateKeyPkcs8, Buffer.from(MESSAGE)))).toBe(true);
  });

  it("refuses a modified message", () => {
    expect(verify(ALICE.publicKey, MESSAGE.replace("allow", "deny"), signature)).toBe(false);
    expect(verify(ALICE.publicKey, `${MESSAGE} `, signature)).toBe(false);
  });

  it("refuses a modified signature", () => {
    expect(verify(ALICE.publicKey, MESSAGE, flipBit(signature, 0))).toBe(false);
    expect(verify(ALICE.publicKey, MESSAGE, flipBit(signature, 63))).toBe(false);
  });

  it("refuses another key's public key and another key's signature", () => {
    expect(verify(BOB.publicKey, MESSAGE, signature)).toBe(false);
    expect(verify(ALICE.publicKey, MESSAGE, sign(BOB.privateKeyPkcs8, MESSAGE))).toBe(false);
  });

  it("returns false instead of throwing on malformed input", () => {
    const cases: [unknown, unknown, unknown][] = [
      ["", MESSAGE, signature],
      ["not a key", MESSAGE, signature],
      [ALICE.publicKey.slice(2), MESSAGE, signature],
      [ALICE.publicKey, MESSAGE, ""],
      [ALICE.publicKey, MESSAGE, "***"],
      [ALICE.publicKey, MESSAGE, signature.slice(0, 43)],
      [ALICE.publicKey, MESSAGE, `${signature}==`],
      [ALICE.publicKey, MESSAGE, Buffer.from(signature, "base64url").toString("base64")],
      [null, MESSAGE, signature],
      [ALICE.publicKey, null, signature],
      [ALICE.publicKey, 42, signature],
      [ALICE.publicKey, MESSAGE, undefined],
    ];
    for (const [publicKey, message, sig] of cases) {
      expect(verify(publicKey as string, message as string, sig as string)).toBe(false);
    }
  });

  it("refuses to sign with a key that is not an Ed25519 PKCS#8 key", () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "der", type: "pkcs8" });
    expect(() => sign(rsa, MESSAGE)).toThrow(/not an Ed25519 key/);
    expect(() => sign(Buffer.from("garbage"), MESSAGE)).toThrow(/not a DER PKCS#8 private key/);
  });
});
