// What the agent approvers' REST endpoints share: who is calling (tenant by slug,
// agent by `Authorization: Bearer <key>`), reading a small JSON body, and turning
// errors into short JSON answers. Nothing here ever echoes or logs the key.
import { tenantBySlug } from "@/server/tenants/service";
import { APP_ERROR_CODES, AppError } from "@/server/errors";
import { logger } from "@/server/logger";
import { authenticateAgentKey, type TAgentIdentity } from "./keys";

const REALM = 'Bearer realm="agent-fabric"';
/** A decision body is a vote and a comment; anything far larger is not one. */
export const MAX_BODY_BYTES = 16 * 1024;

export type TAgentCaller = { tenant: { id: string; slug: string }; agent: TAgentIdentity };

const NO_STORE = { "cache-control": "no-store" } as const;

export function jsonAnswer(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { ...NO_STORE, ...headers } });
}

/** RFC 6750: no error code when no credentials were sent, invalid_token when they were wrong. */
function unauthorized(message: string, hasCredentials: boolean): Response {
  const challenge = hasCredentials ? `${REALM}, error="invalid_token"` : REALM;
  return jsonAnswer(401, { error: message }, { "www-authenticate": challenge });
}

function bearerOf(request: Request): string | null {
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "");
  return match?.[1] ?? null;
}

const INVALID_KEY = "This API key is not valid for this tenant (unknown, revoked or of another tenant).";

/**
 * The calling agent and its tenant, or the answer to send instead: 401 without a
 * usable key, and the same 401 for an unknown tenant as for a wrong key (so tenant
 * names cannot be probed); 403 for a suspended tenant, told only to a valid key.
 */
export async function agentCaller(slug: string, request: Request): Promise<TAgentCaller | Response> {
  const hasHeader = request.headers.has("authorization");
  const key = bearerOf(request);
  if (!key) return unauthorized("Send the agent's API key as `Authorization: Bearer <key>`.", hasHeader);
  const tenant = await tenantBySlug(slug);
  const agent = tenant ? await authenticateAgentKey(tenant.id, key) : null;
  if (!tenant || !agent) {
    logger.warn({ tenantId: tenant?.id ?? null, path: new URL(request.url).pathname }, "an agent API key was refused");
    return unauthorized(INVALID_KEY, true);
  }
  if (tenant.status !== "active") return jsonAnswer(403, { error: "This tenant is suspended." });
  return { tenant: { id: tenant.id, slug: tenant.slug }, agent };
}

/** The body as JSON, or why not (missing or not JSON: 400, too large: 413). Read as a stream, so a chunked body is capped too. */
export async function readJsonCapped(request: Request): Promise<{ value: unknown } | { error: string; status: 400 | 413 }> {
  if (Number(request.headers.get("content-length") ?? 0) > MAX_BODY_BYTES) return { error: "The body is too large.", status: 413 };
  if (!request.body) return { error: "Send a JSON body.", status: 400 };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      return { error: "The body is too large.", status: 413 };
    }
    chunks.push(value);
  }
  try {
    return { value: JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown };
  } catch {
    return { error: "The body is not valid JSON.", status: 400 };
  }
}

/** A service error as its HTTP status with its message; anything else is logged and answered without details. */
export function errorAnswer(error: unknown, context: Record<string, unknown>): Response {
  if (error instanceof AppError) return jsonAnswer(APP_ERROR_CODES[error.code], { error: error.message });
  logger.error({ err: error, ...context }, "an agent approver request failed");
  return jsonAnswer(500, { error: "The request could not be processed. Try again later." });
}
