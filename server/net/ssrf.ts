// Outbound requests to addresses chosen by tenants or agents (web.fetch, webhook and
// Slack URLs, workflow http nodes) go through guardedRequest:
//   - only http(s), no credentials in the URL;
//   - a literal IP in the URL (any form the URL parser accepts: decimal, octal, hex,
//     IPv6, IPv4-mapped) must be a public unicast address;
//   - names are resolved by request-filtering-agent at connect time, so a name that
//     resolves to a private address, or rebinds to one, is refused too;
//   - redirects are followed by hand, each hop checked again from the start;
//   - time limit and a response size cap.
// SSRF_ALLOW_ADDRESSES (comma-separated CIDRs) exempts addresses: for tests against
// local fakes only, never in production. An exemption matches the address as
// written: allowing 127.0.0.1 does not allow ::ffff:127.0.0.1.
import type { LookupFunction } from "node:net";
import http from "node:http";
import https from "node:https";
import ipaddr from "ipaddr.js";
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from "request-filtering-agent";
import { runtimeSetting } from "@/server/runtime-settings";

export class SsrfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SsrfError";
  }
}

const MAX_REDIRECTS = 5;
const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_BYTES = 1024 * 1024;

/** Why an address may not be reached, or null for a public unicast address. Pure. */
export function addressRefusal(address: string): string | null {
  if (!ipaddr.isValid(address)) return `"${address}" is not an IP address`;
  let parsed = ipaddr.parse(address);
  // ::ffff:127.0.0.1 is 127.0.0.1.
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  const range = parsed.range();
  if (range === "unicast") return null;
  const what: Record<string, string> = {
    loopback: "a loopback address",
    private: "a private network address",
    linkLocal: "a link-local address (cloud metadata lives here)",
    uniqueLocal: "a private (unique local) IPv6 address",
    unspecified: "the unspecified address",
    carrierGradeNat: "a carrier-grade NAT address",
    reserved: "a reserved address",
    multicast: "a multicast address",
    broadcast: "the broadcast address",
  };
  return `${parsed.toString()} is ${what[range] ?? `not a public address (${range})`}`;
}

function allowedAddresses(): string[] {
  return (runtimeSetting("SSRF_ALLOW_ADDRESSES") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
}

function isExempt(address: string): boolean {
  // parse, not process: an IPv4-mapped IPv6 address is not its IPv4 address here, as in
  // request-filtering-agent's own allow list, so both layers agree.
  const parsed = ipaddr.parse(address);
  return allowedAddresses().some((cidr) => {
    try {
      const [range, bits] = cidr.includes("/")
        ? ipaddr.parseCIDR(cidr)
        : [ipaddr.process(cidr), ipaddr.process(cidr).kind() === "ipv4" ? 32 : 128];
      return range.kind() === parsed.kind() && parsed.match([range, bits] as [ipaddr.IPv4 | ipaddr.IPv6, number]);
    } catch {
      return false;
    }
  });
}

/** Parse and check a URL before any connection. Pure apart from SSRF_ALLOW_ADDRESSES. */
export function checkUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SsrfError(`"${raw.slice(0, 200)}" is not a valid URL.`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new SsrfError(`Only http and https URLs are allowed, not ${url.protocol}`);
  if (url.username || url.password) throw new SsrfError("URLs with credentials in them are not allowed.");
  // The URL parser has already normalized 2130706433, 0177.0.0.1 and 0x7f.1 to 127.0.0.1.
  const host = url.hostname.replace(/^\[|\]$/g, "");
  // "localhost." is the same name as "localhost" (a fully qualified name's root dot).
  const name = host.replace(/\.+$/, "");
  if (ipaddr.isValid(host)) {
    const refusal = addressRefusal(host);
    if (refusal && !isExempt(host)) throw new SsrfError(`Refused: ${refusal}.`);
  } else if (name === "localhost" || name.endsWith(".localhost")) {
    throw new SsrfError("Refused: localhost is a loopback address.");
  }
  return url;
}

function agentFor(url: URL): http.Agent {
  const options = { allowIPAddressList: allowedAddresses(), keepAlive: false };
  return url.protocol === "https:" ? new RequestFilteringHttpsAgent(options) : new RequestFilteringHttpAgent(options);
}

export type TGuardedRequest = {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs?: number;
  maxBytes?: number;
  signal?: AbortSignal;
  /** Redirects are followed for GET and HEAD-like calls only; a POST's 3xx is returned as is. */
  followRedirects?: boolean;
  /** Over maxBytes: keep the first maxBytes and say so (isTruncated) instead of failing. */
  truncate?: boolean;
  /**
   * Name resolution (default: the system's). Whatever it answers is still checked by
   * request-filtering-agent before connecting, so it cannot widen what is reachable.
   */
  lookup?: LookupFunction;
};

export type TGuardedResponse = {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  url: string;
  redirects: number;
  /** The body was cut at maxBytes (only with `truncate`). */
  isTruncated: boolean;
};

/** request-filtering-agent's refusal, e.g. "DNS lookup 127.0.0.1(family:4, host:x.test) is not allowed…", said plainly. */
function connectRefusal(url: URL, message: string): SsrfError {
  const address = /lookup (\S+?)\(/.exec(message)?.[1];
  const reason = address && ipaddr.isValid(address) ? addressRefusal(address) : null;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (!reason) return new SsrfError(`Refused: ${message}`);
  return new SsrfError(address === host ? `Refused: ${reason}.` : `Refused: ${host} resolves to ${address} (${reason}).`);
}

function once(url: URL, request: TGuardedRequest, signal: AbortSignal): Promise<TGuardedResponse> {
  const maxBytes = request.maxBytes ?? DEFAULT_MAX_BYTES;
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const outgoing = client.request(
      url,
      {
        method: request.method ?? "GET",
        headers: request.headers,
        agent: agentFor(url),
        signal,
        ...(request.lookup ? { lookup: request.lookup } : {}),
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const done = (isTruncated: boolean) =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks),
            url: url.toString(),
            redirects: 0,
            isTruncated,
          });
        response.on("data", (chunk: Buffer) => {
          if (size + chunk.length > maxBytes) {
            if (request.truncate) chunks.push(chunk.subarray(0, maxBytes - size));
            size = maxBytes;
            response.destroy();
            if (request.truncate) done(true);
            else reject(new SsrfError(`The response is larger than ${maxBytes} bytes.`));
            return;
          }
          size += chunk.length;
          chunks.push(chunk);
        });
        response.on("end", () => done(false));
        response.on("error", reject);
      },
    );
    outgoing.on("error", (error) => {
      // request-filtering-agent refuses at connect time with a message naming the address.
      if (/is not allowed/i.test(error.message)) reject(connectRefusal(url, error.message));
      else reject(error);
    });
    if (request.body !== undefined) outgoing.write(request.body);
    outgoing.end();
  });
}

function withoutCredentials(headers: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!headers) return headers;
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !/^(authorization|cookie|proxy-authorization)$/i.test(name)));
}

/** One request to a URL an untrusted party chose. Throws SsrfError when refused. */
export async function guardedRequest(raw: string, request: TGuardedRequest = {}): Promise<TGuardedResponse> {
  const timeout = AbortSignal.timeout(request.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
  let url = checkUrl(raw);
  let current = request;
  for (let hop = 0; ; hop += 1) {
    let response: TGuardedResponse;
    try {
      response = await once(url, current, signal);
    } catch (error) {
      if (timeout.aborted) throw new Error(`${url.host} did not answer within ${request.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms.`);
      throw error;
    }
    const location = response.headers.location;
    const isRedirect = response.status >= 300 && response.status < 400 && location;
    const mayFollow = request.followRedirects ?? (current.method ?? "GET") === "GET";
    if (!isRedirect || !mayFollow) return { ...response, redirects: hop };
    if (hop >= MAX_REDIRECTS) throw new SsrfError(`More than ${MAX_REDIRECTS} redirects.`);
    // Each hop is checked from the start, as if the agent had asked for it.
    let target: string;
    try {
      target = new URL(location, url).toString();
    } catch {
      throw new SsrfError(`${url.host} redirected to something that is not a URL.`);
    }
    const next = checkUrl(target);
    // Credentials meant for one origin are not handed to another.
    const headers = next.origin === url.origin ? current.headers : withoutCredentials(current.headers);
    url = next;
    current = { ...current, method: "GET", body: undefined, headers };
  }
}
