// Buffer.from skips characters outside the alphabet and ignores stray padding,
// so "QUJD" and "QU JD!" decode alike. Accepting only the canonical spelling
// gives every stored value exactly one form and turns a corrupted or truncated
// value into an error here instead of a confusing failure later.
export function decodeCanonical(value: string, encoding: "base64" | "base64url"): Buffer | undefined {
  const bytes = Buffer.from(value, encoding);
  return bytes.toString(encoding) === value ? bytes : undefined;
}
