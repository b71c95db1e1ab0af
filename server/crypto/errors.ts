// Crypto failures carry a code so callers can tell an operator problem (a
// retired master key still in use) from bad or tampered data. Messages never
// include key material, plaintext or ciphertext: they may end up in logs.
export type TCryptoErrorCode =
  /** The stored value does not have the expected shape, encoding or lengths. */
  | "MALFORMED"
  /** A wrapped data key names a master key version that MASTER_KEYS no longer holds. */
  | "UNKNOWN_MASTER_VERSION"
  /** Authentication failed: wrong key, wrong context (tenant, record, purpose) or altered data. */
  | "DECRYPT_FAILED"
  /** A key passed in is not the right kind or size. */
  | "INVALID_KEY"
  /** The context binding a ciphertext to its place is missing a field. */
  | "INVALID_CONTEXT";

export class CryptoError extends Error {
  readonly code: TCryptoErrorCode;

  constructor(code: TCryptoErrorCode, message: string) {
    super(message);
    this.name = "CryptoError";
    this.code = code;
  }
}
