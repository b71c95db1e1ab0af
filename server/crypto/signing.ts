// Per-tenant Ed25519 signing keys. Public keys travel as the raw 32 bytes in
// base64url (the JWK `x`), short enough for headers and config, and are turned
// into SPKI PEM only for offline tools. Private keys are DER PKCS#8, meant to be
// sealed with envelope.ts before they are stored.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign as signBytes,
  verify as verifyBytes,
} from "node:crypto";
import { decodeCanonical } from "./encoding";
import { CryptoError } from "./errors";

const PUBLIC_KEY_BYTES = 32;
const SIGNATURE_BYTES = 64;
// 64 bits: the id only picks which key to try, and verification always uses the full
// key, so a collision can make a valid signature fail but never a forged one pass.
const KEY_ID_HEX_CHARS = 16;

export type TSigningKey = { publicKey: string; privateKeyPkcs8: Buffer };

export function generateSigningKey(): TSigningKey {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const { x } = publicKey.export({ format: "jwk" });
  if (typeof x !== "string") throw new CryptoError("INVALID_KEY", "The generated Ed25519 key has no public component.");
  return { publicKey: x, privateKeyPkcs8: privateKey.export({ format: "der", type: "pkcs8" }) };
}

export function keyId(publicKey: string): string {
  return createHash("sha256").update(rawPublicKey(publicKey)).digest("hex").slice(0, KEY_ID_HEX_CHARS);
}

/** Signs the exact bytes given (strings as UTF-8); Ed25519 hashes internally, so no digest is chosen here. */
export function sign(privateKeyPkcs8: Buffer, message: Buffer | string): string {
  return signBytes(null, messageBytes(message), privateKey(privateKeyPkcs8)).toString("base64url");
}

/**
 * False for any input that is not a valid signature by this key over this message,
 * including malformed keys and signatures: callers treat every failure the same way,
 * so a bad header can never turn into a 500 or a different code path.
 */
export function verify(publicKey: string, message: Buffer | string, signature: string): boolean {
  try {
    if (typeof message !== "string" && !Buffer.isBuffer(message)) return false;
    if (typeof signature !== "string") return false;
    const signatureBytes = decodeCanonical(signature, "base64url");
    if (signatureBytes?.length !== SIGNATURE_BYTES) return false;
    return verifyBytes(null, messageBytes(message), publicKeyObject(publicKey), signatureBytes);
  } catch {
    return false;
  }
}

export function publicKeyToPem(publicKey: string): string {
  return publicKeyObject(publicKey).export({ type: "spki", format: "pem" }).toString();
}

function rawPublicKey(publicKey: string): Buffer {
  const bytes = typeof publicKey === "string" ? decodeCanonical(publicKey, "base64url") : undefined;
  if (bytes?.length !== PUBLIC_KEY_BYTES) {
    throw new CryptoError("MALFORMED", `An Ed25519 public key must be ${PUBLIC_KEY_BYTES} bytes in unpadded base64url.`);
  }
  return bytes;
}

function publicKeyObject(publicKey: string): KeyObject {
  rawPublicKey(publicKey);
  return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: publicKey }, format: "jwk" });
}

// Parsed keys by their DER bytes: a checkpoint is signed every hundred events, and parsing
// the PKCS#8 each time cost more than the signature. Bounded: the oldest goes first.
const parsedKeys = new Map<string, KeyObject>();
const PARSED_KEYS_KEPT = 256;

function privateKey(pkcs8: Buffer): KeyObject {
  const id = pkcs8.toString("base64");
  const known = parsedKeys.get(id);
  if (known) return known;
  const key = parsePrivateKey(pkcs8);
  if (parsedKeys.size >= PARSED_KEYS_KEPT) parsedKeys.delete(parsedKeys.keys().next().value as string);
  parsedKeys.set(id, key);
  return key;
}

function parsePrivateKey(pkcs8: Buffer): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" });
  } catch {
    throw new CryptoError("INVALID_KEY", "The signing key is not a DER PKCS#8 private key.");
  }
  // Any PKCS#8 key would parse; signing with, say, an RSA key would yield signatures no verifier accepts.
  if (key.asymmetricKeyType !== "ed25519") throw new CryptoError("INVALID_KEY", "The signing key is not an Ed25519 key.");
  return key;
}

function messageBytes(message: Buffer | string): Buffer {
  return typeof message === "string" ? Buffer.from(message, "utf8") : message;
}
