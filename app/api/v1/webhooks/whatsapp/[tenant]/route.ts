// The WhatsApp Cloud API webhook of one tenant: /api/v1/webhooks/whatsapp/<tenant slug>.
// GET answers Meta's subscription check; POST receives signed deliveries and
// queues one agent turn per new text message (server/connectors/whatsapp-inbound.ts).
// Answers are short JSON or text; an unexpected failure is logged, never shown.
import { receiveDelivery, verifySubscription, type TWebhookAnswer } from "@/server/connectors/whatsapp-inbound";
import { clientAddress } from "@/server/auth/sign-in";
import { logger } from "@/server/logger";

export const dynamic = "force-dynamic";

/** Meta's deliveries are small; anything far larger is not one. */
const MAX_BODY_BYTES = 1024 * 1024;

type TParams = { params: Promise<{ tenant: string }> };

function respond(answer: TWebhookAnswer): Response {
  return new Response(answer.body, {
    status: answer.status,
    // The challenge is echoed back: never let a browser read it as anything but text.
    headers: {
      "content-type": `${answer.contentType}; charset=utf-8`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      ...(answer.retryAfterSeconds ? { "retry-after": String(answer.retryAfterSeconds) } : {}),
    },
  });
}

/** The body's bytes, or null when it is over the cap (read as a stream, so a chunked body cannot exceed it either). */
async function readCapped(request: Request): Promise<Buffer | null> {
  if (!request.body) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks);
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
}

function failed(error: unknown, tenant: string): Response {
  logger.error({ err: error, tenant }, "the WhatsApp webhook failed");
  return respond({ status: 500, body: JSON.stringify({ error: "The webhook could not be processed." }), contentType: "application/json" });
}

export async function GET(request: Request, { params }: TParams): Promise<Response> {
  const { tenant } = await params;
  try {
    return respond(await verifySubscription(tenant, new URL(request.url).searchParams, clientAddress(request.headers)));
  } catch (error) {
    return failed(error, tenant);
  }
}

export async function POST(request: Request, { params }: TParams): Promise<Response> {
  const { tenant } = await params;
  try {
    // The signature covers the exact bytes Meta sent: read them raw, before any parsing.
    const raw = Number(request.headers.get("content-length") ?? 0) > MAX_BODY_BYTES ? null : await readCapped(request);
    if (!raw) return respond({ status: 413, body: JSON.stringify({ error: "The body is too large." }), contentType: "application/json" });
    return respond(await receiveDelivery(tenant, raw, request.headers.get("x-hub-signature-256"), clientAddress(request.headers)));
  } catch (error) {
    return failed(error, tenant);
  }
}
