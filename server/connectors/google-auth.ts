// Google access tokens for a tenant's google_sheets credential: its OAuth access
// token as given, or one obtained with its service-account key through the OAuth
// 2.0 JWT bearer grant (RFC 7523), kept in memory until shortly before it expires.
//
// The grant is always posted to the operator's GOOGLE_TOKEN_URL, never to the
// key file's own token_uri: that field is the tenant's text, and following it
// would let a tenant aim our servers (and a signed assertion) at any address.
import { createHash } from "node:crypto";
import { SignJWT, importPKCS8 } from "jose";
import { z } from "zod";
import type { TOpenCredential } from "@/server/credentials/types";
import { ConnectorError, callApi, endpoint } from "./http";
import { runtimeSetting } from "@/server/runtime-settings";

export const SHEETS_SCOPE = "https://www.googleapis.com/auth/spreadsheets";
const ASSERTION_LIFETIME_S = 3600;
/** A cached token is dropped this long before Google says it expires. */
const EXPIRY_MARGIN_MS = 60_000;
const MAX_CACHED = 1000;

const ZServiceAccount = z.object({
  client_email: z.string().min(3).max(320),
  private_key: z.string().min(1).max(10_000),
  private_key_id: z.string().max(200).optional(),
  token_uri: z.string().optional(),
});
export type TServiceAccount = z.infer<typeof ZServiceAccount>;

const ZTokenAnswer = z.object({ access_token: z.string().min(1), expires_in: z.coerce.number().positive().optional() });

type TCached = { token: string; expiresAt: number };
const cache = new Map<string, TCached>();
const pending = new Map<string, Promise<TCached>>();

/** Timeout of one Google call (token or Sheets), read at call time; bounded so the tool's own limit stays the outer one. */
export function googleTimeoutMs(): number {
  const value = Number(runtimeSetting("SHEETS_API_TIMEOUT_MS"));
  return Number.isFinite(value) && value > 0 ? Math.min(value, 12_000) : 10_000;
}

export function parseServiceAccount(text: string): TServiceAccount {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ConnectorError("The Google Sheets service-account key is not valid JSON: paste the key file exactly as Google issued it.");
  }
  const parsed = ZServiceAccount.safeParse(raw);
  if (!parsed.success)
    throw new ConnectorError("The Google Sheets service-account key lacks client_email or private_key: paste the whole JSON key file.");
  return parsed.data;
}

/** A signed JWT bearer assertion for the Sheets scope, addressed to the token URL. */
export async function signAssertion(account: TServiceAccount, tokenUrl: string, now = Date.now()): Promise<string> {
  let key: CryptoKey;
  try {
    key = await importPKCS8(account.private_key, "RS256");
  } catch {
    throw new ConnectorError(
      "The private_key in the Google Sheets service-account key is not a PKCS#8 PEM RSA key: paste the JSON key file as Google issued it.",
    );
  }
  const iat = Math.floor(now / 1000);
  return new SignJWT({ scope: SHEETS_SCOPE })
    .setProtectedHeader({ alg: "RS256", typ: "JWT", ...(account.private_key_id ? { kid: account.private_key_id } : {}) })
    .setIssuer(account.client_email)
    .setAudience(tokenUrl)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ASSERTION_LIFETIME_S)
    .sign(key);
}

async function grantToken(account: TServiceAccount, tokenUrl: string, signal: AbortSignal): Promise<TCached> {
  const assertion = await signAssertion(account, tokenUrl);
  const answer = await callApi({
    service: "Google OAuth",
    url: tokenUrl,
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: new URLSearchParams({ grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion }),
    signal,
    timeoutMs: googleTimeoutMs(),
    maxBytes: 64 * 1024,
  });
  const parsed = ZTokenAnswer.safeParse(answer);
  if (!parsed.success) throw new ConnectorError("Google OAuth answered the service-account grant without an access token.");
  return { token: parsed.data.access_token, expiresAt: Date.now() + (parsed.data.expires_in ?? ASSERTION_LIFETIME_S) * 1000 };
}

/**
 * The key of a cached token: the credential, the exact key material and the token
 * URL. A rotated key (new content) gets a new token at once, and nothing of the
 * key itself is kept in the map.
 */
function cacheKey(credentialId: string, keyJson: string, tokenUrl: string): string {
  return createHash("sha256").update(`${credentialId}\u0000${tokenUrl}\u0000${keyJson}`).digest("hex");
}

export type TGoogleAuth = { token: string; kind: "access_token" | "service_account"; clientEmail?: string };

/** A bearer token for the tenant's google_sheets credential. */
export async function googleAccessToken(credential: TOpenCredential, signal: AbortSignal): Promise<TGoogleAuth> {
  const given = credential.secrets.accessToken?.trim();
  if (given) return { token: given, kind: "access_token" };
  const keyJson = credential.secrets.serviceAccountJson;
  if (!keyJson)
    throw new ConnectorError(
      `The Google Sheets credential "${credential.label}" has neither an access token nor a service-account key: an admin must add one.`,
    );
  const account = parseServiceAccount(keyJson);
  const tokenUrl = endpoint("GOOGLE_TOKEN_URL");
  const key = cacheKey(credential.id, keyJson, tokenUrl);
  const cached = cache.get(key);
  if (cached && cached.expiresAt - EXPIRY_MARGIN_MS > Date.now())
    return { token: cached.token, kind: "service_account", clientEmail: account.client_email };
  cache.delete(key);
  // Concurrent calls of one credential share one grant.
  let grant = pending.get(key);
  if (!grant) {
    grant = grantToken(account, tokenUrl, signal).finally(() => pending.delete(key));
    pending.set(key, grant);
  }
  const fresh = await grant;
  if (fresh.expiresAt - EXPIRY_MARGIN_MS > Date.now()) {
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
    cache.set(key, fresh);
  }
  return { token: fresh.token, kind: "service_account", clientEmail: account.client_email };
}
