// Query parameters that carry secrets: Meta's webhook verification sends its
// verify token in the query (hub.verify_token), and people paste API keys into
// URLs. Shared by next.config.mjs (the dev server's request log) and the logger.
export const SECRET_PARAMS = [
  "hub.verify_token",
  "verify_token",
  "token",
  "access_token",
  "refresh_token",
  "id_token",
  "api_key",
  "apikey",
  "key",
  "secret",
  "client_secret",
  "password",
  "signature",
  "sig",
  "code",
];

const NAMES = SECRET_PARAMS.map((name) => name.replace(/[.]/g, "\\.")).join("|");

/** Matches a URL whose query carries one of the secret parameters. */
export const SECRET_QUERY = new RegExp(`[?&](?:${NAMES})=`, "i");

/** The URL with the values of secret parameters replaced by "[redacted]". */
export function redactUrl(url) {
  const text = String(url);
  const queryAt = text.indexOf("?");
  if (queryAt < 0) return text;
  const pattern = new RegExp(`([?&](?:${NAMES})=)[^&#]*`, "gi");
  return text.replace(pattern, "$1[redacted]");
}
