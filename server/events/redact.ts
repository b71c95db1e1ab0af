// Payloads are shown to people, so anything that looks like a secret is masked,
// whatever the recorder put there. (Recorders must not record secrets at all;
// this is the second line.)
const SECRET_KEY = /secret|token|password|passwd|api[-_]?key|authorization|cookie|private[-_]?key|credential/i;

export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 20) return "[…]";
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1));
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, SECRET_KEY.test(key) ? "[redacted]" : redactSecrets(inner, depth + 1)]),
    );
  }
  return value;
}
