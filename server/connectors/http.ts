// Calls from connector tools to the real APIs they wrap (WhatsApp Cloud API, Google
// Sheets, the payments API, search engines). Every failure becomes a ConnectorError
// with a message the agent and the user can act on; the gate records the tool as
// failed, never as sent.
//
// The base URLs are the operator's (endpoint()), overridable per deployment and
// pointed at local fakes in tests. URLs chosen by tenants or agents do not come
// here: they go through server/net/ssrf.ts.
import { runtimeSetting } from "@/server/runtime-settings";

export class ConnectorError extends Error {
  constructor(
    message: string,
    readonly status: number | null = null,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = "ConnectorError";
  }
}

const DEFAULT_ENDPOINTS = {
  WHATSAPP_API_BASE_URL: "https://graph.facebook.com/v21.0",
  SHEETS_API_BASE_URL: "https://sheets.googleapis.com/v4",
  GOOGLE_TOKEN_URL: "https://oauth2.googleapis.com/token",
  PAYMENTS_API_BASE_URL: "https://payments.example.invalid/v1",
  SEARXNG_BASE_URL: "http://127.0.0.1:8888",
  BRAVE_SEARCH_BASE_URL: "https://api.search.brave.com/res/v1",
} as const;
export type TEndpoint = keyof typeof DEFAULT_ENDPOINTS;

/** The operator's base URL for a service, read at call time (no trailing slash). */
export function endpoint(name: TEndpoint): string {
  return (runtimeSetting(name) || DEFAULT_ENDPOINTS[name]).replace(/\/+$/, "");
}

export type TApiRequest = {
  service: string;
  url: string;
  method?: "GET" | "POST" | "PUT" | "DELETE";
  headers?: Record<string, string>;
  body?: string | URLSearchParams;
  signal: AbortSignal;
  timeoutMs?: number;
  maxBytes?: number;
};

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_BYTES = 512 * 1024;

function retryAfter(value: string | null): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds));
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.round((date - Date.now()) / 1000));
}

/** The API's own error text, if its body has one in a usual place. */
function apiMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown };
    const error = body.error as { message?: unknown } | string | undefined;
    const message = typeof error === "string" ? error : typeof error?.message === "string" ? error.message : body.message;
    // Our messages end with a full stop of their own.
    if (typeof message === "string") return `: ${message.slice(0, 200).replace(/[.\s]+$/, "")}`;
  } catch {
    // not JSON
  }
  return "";
}

async function readCapped(response: Response, maxBytes: number, service: string): Promise<string> {
  const declared = Number(response.headers.get("content-length") ?? 0);
  if (declared > maxBytes) throw new ConnectorError(`${service} answered with more than ${maxBytes} bytes.`, response.status);
  const buffer = Buffer.from(await response.arrayBuffer());
  if (buffer.length > maxBytes) throw new ConnectorError(`${service} answered with more than ${maxBytes} bytes.`, response.status);
  return buffer.toString("utf8");
}

/** A JSON API call. Resolves with the parsed body of a 2xx answer; anything else throws a ConnectorError. */
export async function callApi<T = unknown>(request: TApiRequest): Promise<T> {
  const timeoutMs = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method ?? "GET",
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.any([request.signal, timeout]),
      redirect: "error",
    });
  } catch (error) {
    if (timeout.aborted)
      throw new ConnectorError(`${request.service} did not answer within ${timeoutMs} ms; it is not known whether the call took effect.`);
    if (request.signal.aborted) throw new ConnectorError(`The call to ${request.service} was cancelled.`);
    const cause =
      error instanceof Error && error.cause instanceof Error ? error.cause.message : error instanceof Error ? error.message : "";
    throw new ConnectorError(`${request.service} could not be reached${cause ? ` (${cause})` : ""}.`);
  }
  const text = await readCapped(response, request.maxBytes ?? DEFAULT_MAX_BYTES, request.service);
  if (response.status === 429) {
    const seconds = retryAfter(response.headers.get("retry-after"));
    throw new ConnectorError(
      `${request.service} is rate limiting this tenant${seconds !== null ? `; retry after ${seconds} s` : ""}${apiMessage(text)}.`,
      429,
      seconds,
    );
  }
  if (response.status === 401 || response.status === 403)
    throw new ConnectorError(
      `${request.service} refused the tenant's credentials (HTTP ${response.status})${apiMessage(text)}.`,
      response.status,
    );
  if (response.status >= 400 && response.status < 500)
    throw new ConnectorError(`${request.service} rejected the request (HTTP ${response.status})${apiMessage(text)}.`, response.status);
  if (response.status >= 500)
    throw new ConnectorError(`${request.service} failed (HTTP ${response.status})${apiMessage(text)}.`, response.status);
  if (!text) return null as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ConnectorError(`${request.service} answered with something that is not JSON.`, response.status);
  }
}
