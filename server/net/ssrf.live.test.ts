// guardedRequest against real sockets on loopback: what checkUrl refuses before
// connecting, what request-filtering-agent refuses at connect time (names that
// resolve to private addresses, rebinding), and redirects re-checked at each hop.
// No database; servers on 127.0.0.1, 127.0.0.2 and ::1, port 0.
import http from "node:http";
import type { AddressInfo, LookupFunction } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { guardedRequest, SsrfError } from "./ssrf";

type TFake = { server: http.Server; port: number; hits: string[] };

/** A server that answers with whatever `respond` says and remembers each path it was asked for. */
async function startFake(host: string, respond: (request: http.IncomingMessage, response: http.ServerResponse) => void): Promise<TFake> {
  const hits: string[] = [];
  const server = http.createServer((request, response) => {
    hits.push(request.url ?? "");
    respond(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return { server, port: (server.address() as AddressInfo).port, hits };
}

const stop = (fake: TFake) => new Promise<void>((resolve) => fake.server.close(() => resolve()));

/** A resolver that answers each name from a table (or a sequence, one answer per lookup: rebinding). */
function fakeDns(table: Record<string, string | string[]>): LookupFunction {
  const calls = new Map<string, number>();
  return ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    const entry = table[hostname];
    if (entry === undefined) {
      callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" }));
      return;
    }
    const count = calls.get(hostname) ?? 0;
    calls.set(hostname, count + 1);
    const address = Array.isArray(entry) ? (entry[Math.min(count, entry.length - 1)] as string) : entry;
    const family = address.includes(":") ? 6 : 4;
    if (options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  }) as LookupFunction;
}

let loopback: TFake;
let second: TFake;
let v6: TFake;

beforeAll(async () => {
  loopback = await startFake("127.0.0.1", (request, response) => {
    const target = new URL(request.url ?? "/", "http://x").searchParams.get("to");
    if (target) {
      response.writeHead(302, { location: target });
      response.end();
      return;
    }
    response.writeHead(200, { "content-type": "text/plain" });
    response.end("inside");
  });
  second = await startFake("127.0.0.2", (_, response) => response.end("second loopback"));
  v6 = await startFake("::1", (_, response) => response.end("ipv6 loopback"));
});

afterAll(async () => {
  await Promise.all([stop(loopback), stop(second), stop(v6)]);
});

afterEach(() => {
  delete process.env.SSRF_ALLOW_ADDRESSES;
});

const refusal = (url: string, options?: Parameters<typeof guardedRequest>[1]) =>
  guardedRequest(url, { timeoutMs: 2_000, ...options }).then(
    () => null,
    (error: unknown) => error,
  );

describe("without an exemption, nothing on this machine is reachable", () => {
  it.each([
    ["127.0.0.1", () => `http://127.0.0.1:${loopback.port}/`],
    ["decimal 2130706433", () => `http://2130706433:${loopback.port}/`],
    ["octal 0177.0.0.1", () => `http://0177.0.0.1:${loopback.port}/`],
    ["hex 0x7f.1", () => `http://0x7f.1:${loopback.port}/`],
    ["127.0.0.2", () => `http://127.0.0.2:${second.port}/`],
    ["[::1]", () => `http://[::1]:${v6.port}/`],
    ["[::ffff:127.0.0.1]", () => `http://[::ffff:127.0.0.1]:${loopback.port}/`],
    ["localhost", () => `http://localhost:${loopback.port}/`],
    ["localhost. (trailing dot)", () => `http://localhost.:${loopback.port}/`],
  ])("%s is refused and the server never sees a request", async (_, url) => {
    const before = loopback.hits.length + second.hits.length + v6.hits.length;
    const error = await refusal(url());
    expect(error).toBeInstanceOf(SsrfError);
    expect((error as Error).message).toMatch(/^Refused: .*(loopback|localhost)/);
    expect(loopback.hits.length + second.hits.length + v6.hits.length).toBe(before);
  });
});

describe("names are checked where they are resolved, at connect time", () => {
  it("a name that resolves to loopback is refused by request-filtering-agent", async () => {
    const lookup = fakeDns({ "internal.example.test": "127.0.0.1", "six.example.test": "::1", "mapped.example.test": "::ffff:127.0.0.1" });
    for (const [name, port] of [
      ["internal.example.test", loopback.port],
      ["six.example.test", v6.port],
      ["mapped.example.test", loopback.port],
    ] as const) {
      const error = await refusal(`http://${name}:${port}/`, { lookup });
      expect(error).toBeInstanceOf(SsrfError);
      expect((error as Error).message).toMatch(new RegExp(`^Refused: ${name.replaceAll(".", "\\.")} resolves to \\S+ \\(.*loopback`));
    }
    expect(loopback.hits).toEqual([]);
    expect(v6.hits).toEqual([]);
  });

  it("a name that resolves to the metadata address is refused", async () => {
    const error = await refusal("http://metadata.example.test/latest/meta-data/", {
      lookup: fakeDns({ "metadata.example.test": "169.254.169.254" }),
    });
    expect((error as Error).message).toContain("169.254.169.254 is a link-local address");
  });

  it("a name that rebinds from an allowed address to another loopback address is refused on the second connection", async () => {
    process.env.SSRF_ALLOW_ADDRESSES = "127.0.0.1";
    const lookup = fakeDns({ "rebind.example.test": ["127.0.0.1", "127.0.0.2"] });
    const first = await guardedRequest(`http://rebind.example.test:${loopback.port}/`, { lookup, timeoutMs: 2_000 });
    expect(first.body.toString()).toBe("inside");
    const error = await refusal(`http://rebind.example.test:${second.port}/`, { lookup });
    expect((error as Error).message).toBe("Refused: rebind.example.test resolves to 127.0.0.2 (127.0.0.2 is a loopback address).");
    expect(second.hits).toEqual([]);
  });
});

describe("with SSRF_ALLOW_ADDRESSES=127.0.0.1 (tests only)", () => {
  it("the allowed server is reached", async () => {
    process.env.SSRF_ALLOW_ADDRESSES = "127.0.0.1";
    const response = await guardedRequest(`http://127.0.0.1:${loopback.port}/hello`, { timeoutMs: 2_000 });
    expect(response).toMatchObject({ status: 200, redirects: 0, isTruncated: false });
    expect(response.body.toString()).toBe("inside");
  });

  it.each([
    ["another loopback address", () => `http://127.0.0.2:${second.port}/`],
    ["IPv6 loopback", () => `http://[::1]:${v6.port}/`],
    ["the IPv4-mapped form of the allowed address", () => `http://[::ffff:127.0.0.1]:${loopback.port}/`],
    ["the cloud metadata address", () => "http://169.254.169.254/latest/meta-data/"],
    ["localhost by name", () => `http://localhost:${loopback.port}/`],
    ["a file: URL", () => "file:///etc/passwd"],
  ])("a redirect to %s is refused", async (_, target) => {
    process.env.SSRF_ALLOW_ADDRESSES = "127.0.0.1";
    const hitsBefore = loopback.hits.length;
    const error = await refusal(`http://127.0.0.1:${loopback.port}/go?to=${encodeURIComponent(target())}`);
    expect(error).toBeInstanceOf(SsrfError);
    // The first hop was made (and only that one): the refusal is the redirect's.
    expect(loopback.hits.length).toBe(hitsBefore + 1);
    expect(second.hits).toEqual([]);
    expect(v6.hits).toEqual([]);
  });

  it("a relative redirect on the allowed server is followed", async () => {
    process.env.SSRF_ALLOW_ADDRESSES = "127.0.0.1";
    const response = await guardedRequest(`http://127.0.0.1:${loopback.port}/go?to=${encodeURIComponent("/landed")}`, { timeoutMs: 2_000 });
    expect(response).toMatchObject({ status: 200, redirects: 1, url: `http://127.0.0.1:${loopback.port}/landed` });
  });

  it("a redirect loop stops after five hops", async () => {
    process.env.SSRF_ALLOW_ADDRESSES = "127.0.0.1";
    const self = `http://127.0.0.1:${loopback.port}/go?to=`;
    // Each hop redirects to a URL that redirects again, deeper than the limit.
    let url = `http://127.0.0.1:${loopback.port}/end`;
    for (let index = 0; index < 7; index += 1) url = `${self}${encodeURIComponent(url)}`;
    const error = await refusal(url);
    expect((error as Error).message).toBe("More than 5 redirects.");
  });

  it("the allowed address does not exempt its IPv4-mapped form at the connect-time check either", async () => {
    process.env.SSRF_ALLOW_ADDRESSES = "127.0.0.1";
    const error = await refusal(`http://mapped.example.test:${loopback.port}/`, {
      lookup: fakeDns({ "mapped.example.test": "::ffff:127.0.0.1" }),
    });
    expect(error).toBeInstanceOf(SsrfError);
  });
});

describe("limits", () => {
  it("a body over maxBytes fails, or is cut when truncation is asked for", async () => {
    process.env.SSRF_ALLOW_ADDRESSES = "127.0.0.1";
    const big = await startFake("127.0.0.1", (_, response) => response.end("x".repeat(200_000)));
    try {
      const url = `http://127.0.0.1:${big.port}/`;
      expect(((await refusal(url, { maxBytes: 1000 })) as Error).message).toBe("The response is larger than 1000 bytes.");
      const cut = await guardedRequest(url, { maxBytes: 1000, truncate: true, timeoutMs: 2_000 });
      expect(cut).toMatchObject({ isTruncated: true });
      expect(cut.body.length).toBe(1000);
    } finally {
      await stop(big);
    }
  });

  it("a server that never answers is given up on with a clear message", async () => {
    process.env.SSRF_ALLOW_ADDRESSES = "127.0.0.1";
    const silent = await startFake("127.0.0.1", () => undefined);
    try {
      const error = await refusal(`http://127.0.0.1:${silent.port}/`, { timeoutMs: 200 });
      expect((error as Error).message).toBe(`127.0.0.1:${silent.port} did not answer within 200 ms.`);
    } finally {
      silent.server.closeAllConnections();
      await stop(silent);
    }
  });
});
