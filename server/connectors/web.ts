// The client behind web.fetch and web.post (server/tools/api/web.ts): one request
// to a public http(s) URL an agent chose, read as text.
//
// Every request goes through guardedRequest (server/net/ssrf.ts): loopback,
// private, link-local (cloud metadata) and other non-public addresses are refused,
// names are checked where they resolve, redirects are followed by hand and checked
// again at each hop. ZPublicUrl refuses what can be refused without resolving
// anything (literal private IPs, localhost, file:, credentials in the URL) while
// the arguments are parsed, i.e. at the gate's registry step.
//
// What comes back is untrusted. Error messages never carry the remote body: a failed
// call does not taint the run, so its error must not smuggle the page in.
import { STATUS_CODES } from "node:http";
import { brotliDecompressSync, constants as zlib, gunzipSync, inflateSync } from "node:zlib";
import { z } from "zod";
import { checkUrl, guardedRequest, SsrfError, type TGuardedResponse } from "@/server/net/ssrf";
import { htmlToText } from "./html-text";
import { runtimeSetting } from "@/server/runtime-settings";

/** Bytes read from the network at most; a longer page is cut there (and says so). */
export const WEB_READ_MAX_BYTES = 1024 * 1024;
/** The result's text at most, measured as the JSON the gate stores (~64 KiB). */
export const WEB_TEXT_MAX_BYTES = 64 * 1024;
/** A POST body at most. */
export const WEB_POST_MAX_BYTES = 64 * 1024;
const DEFAULT_TIMEOUT_MS = 15_000;
const USER_AGENT = "AgentFabric/0.1 (web tools)";

/** WEB_TIMEOUT_MS (read at call time), kept under the gate's own limit for these tools. */
export function webTimeoutMs(): number {
  const configured = Number(runtimeSetting("WEB_TIMEOUT_MS"));
  return Number.isFinite(configured) && configured > 0 ? Math.min(Math.round(configured), 19_000) : DEFAULT_TIMEOUT_MS;
}

/** A public http(s) URL: refused with checkUrl's reason otherwise (at the gate's registry step). */
export const ZPublicUrl = z
  .string()
  .max(2048, { message: "must be at most 2,048 characters" })
  .superRefine((value, context) => {
    try {
      checkUrl(value);
    } catch (error) {
      // The gate ends the explanation with its own full stop.
      const reason = error instanceof SsrfError ? error.message.replace(/\.$/, "") : "is not an allowed URL";
      context.addIssue({ code: "custom", message: reason });
    }
  });

// Text the agent can read. Everything else (images, PDFs, archives…) is refused.
const READABLE_TYPE = /^(text\/[\w.+-]+|application\/(json|xml|javascript|ecmascript|x-ndjson|[\w.-]+\+(json|xml)))$/;
const HTML_TYPE = /^(text\/html|application\/xhtml\+xml)$/;

function header(response: TGuardedResponse, name: string): string {
  const value = response.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? "";
}

function retryAfterSeconds(value: string): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds));
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.round((date - Date.now()) / 1000));
}

/** A non-2xx answer as a clear error: the status only, never the body (it is untrusted). */
function statusError(host: string, response: TGuardedResponse): Error {
  const status = response.status;
  const reason = STATUS_CODES[status] ? ` ${STATUS_CODES[status]}` : "";
  if (status === 429) {
    const seconds = retryAfterSeconds(header(response, "retry-after"));
    return new Error(`${host} is rate limiting these requests (HTTP 429)${seconds !== null ? `; retry after ${seconds} s` : ""}.`);
  }
  if (status >= 500) return new Error(`${host} failed (HTTP ${status}${reason}).`);
  return new Error(`${host} refused the request (HTTP ${status}${reason}).`);
}

/** Servers may compress even when asked not to; decompress within the same cap. */
function decompressed(response: TGuardedResponse, host: string): Buffer {
  const encoding = header(response, "content-encoding").trim().toLowerCase();
  if (!encoding || encoding === "identity") return response.body;
  const options = { maxOutputLength: WEB_READ_MAX_BYTES, finishFlush: zlib.Z_SYNC_FLUSH };
  try {
    if (encoding === "gzip" || encoding === "x-gzip") return gunzipSync(response.body, options);
    if (encoding === "deflate") return inflateSync(response.body, options);
    if (encoding === "br") return brotliDecompressSync(response.body, { maxOutputLength: WEB_READ_MAX_BYTES });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ERR_BUFFER_TOO_LARGE")
      throw new Error(`${host} sent a compressed body larger than ${WEB_READ_MAX_BYTES} bytes unpacked.`);
    throw new Error(`${host} sent a ${encoding} body that could not be unpacked.`);
  }
  throw new Error(`${host} sent the body in an encoding web tools cannot read (${encoding.slice(0, 40)}).`);
}

function decode(body: Buffer, contentType: string): string {
  const charset = /;\s*charset\s*=\s*"?([\w.:-]+)"?/i.exec(contentType)?.[1] ?? "utf-8";
  try {
    return new TextDecoder(charset).decode(body);
  } catch {
    return new TextDecoder("utf-8").decode(body);
  }
}

/** Cut text so that it takes at most maxBytes as a JSON string (what the gate stores and measures). */
export function truncateForJson(text: string, maxBytes: number): { text: string; isTruncated: boolean } {
  const size = (value: string) => Buffer.byteLength(JSON.stringify(value));
  if (size(text) <= maxBytes) return { text, isTruncated: false };
  let low = 0;
  let high = text.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (size(text.slice(0, middle)) <= maxBytes) low = middle;
    else high = middle - 1;
  }
  // Never leave half of a surrogate pair at the end.
  const end = /[\ud800-\udbff]/.test(text.charAt(low - 1)) ? low - 1 : low;
  return { text: text.slice(0, end), isTruncated: true };
}

export type TWebResult = {
  url: string;
  status: number;
  contentType: string | null;
  title?: string | null;
  text: string;
  location?: string;
  note?: string;
};

/** The readable result of an answer (2xx, or a 3xx that was not followed). */
function readResult(requested: URL, response: TGuardedResponse): TWebResult {
  const host = requested.host;
  if (response.status < 200 || response.status >= 400) throw statusError(host, response);
  const contentType = header(response, "content-type").trim() || null;
  const mediaType = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  const body = decompressed(response, host);
  const base = { url: response.url, status: response.status, contentType };
  const location = header(response, "location");
  if (body.length === 0) return { ...base, text: "", ...(location ? { location } : {}) };
  if (!READABLE_TYPE.test(mediaType))
    throw new Error(
      `${host} answered with ${mediaType || "no content type"}; web tools read text, HTML, JSON and XML only (text/*, application/json, application/xml, application/*+json, application/*+xml).`,
    );
  const decoded = decode(body, contentType ?? "");
  const page = HTML_TYPE.test(mediaType) ? htmlToText(decoded) : { title: undefined, text: decoded };
  const cut = truncateForJson(page.text, WEB_TEXT_MAX_BYTES);
  const notes: string[] = [];
  if (response.isTruncated) notes.push(`only the first ${WEB_READ_MAX_BYTES} bytes of the response were read`);
  if (cut.isTruncated) notes.push(`the text was cut to ${WEB_TEXT_MAX_BYTES} bytes`);
  return {
    ...base,
    ...(page.title !== undefined ? { title: page.title } : {}),
    text: cut.text,
    ...(location ? { location } : {}),
    ...(notes.length ? { note: `Truncated: ${notes.join("; ")}.` } : {}),
  };
}

const ACCEPT = "text/html, application/xhtml+xml, application/json;q=0.9, application/xml;q=0.9, text/*;q=0.8, */*;q=0.1";

export type TWebRequest = { method: "GET" | "POST"; body?: string; contentType?: string };

/** One request through the SSRF guard, read as text; throws an Error with a clear message otherwise. */
export async function webRequest(raw: string, request: TWebRequest, signal: AbortSignal): Promise<TWebResult> {
  const requested = checkUrl(raw);
  let response: TGuardedResponse;
  try {
    response = await guardedRequest(requested.toString(), {
      method: request.method,
      headers: {
        "user-agent": USER_AGENT,
        accept: ACCEPT,
        "accept-encoding": "identity",
        ...(request.body !== undefined
          ? {
              "content-type": request.contentType ?? "text/plain; charset=utf-8",
              "content-length": String(Buffer.byteLength(request.body)),
            }
          : {}),
      },
      body: request.body,
      timeoutMs: webTimeoutMs(),
      maxBytes: WEB_READ_MAX_BYTES,
      truncate: true,
      signal,
    });
  } catch (error) {
    if (error instanceof SsrfError) throw error;
    if (signal.aborted) throw new Error(`The request to ${requested.host} was cancelled.`);
    const code = (error as { code?: string }).code;
    if (code) throw new Error(`${requested.host} could not be reached (${code}).`);
    throw error instanceof Error ? error : new Error(`${requested.host} could not be reached.`);
  }
  return readResult(requested, response);
}
