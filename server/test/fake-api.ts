// A local stand-in for an outside HTTP API, on 127.0.0.1 (port 0): records every
// request exactly as it arrived (raw path and query, headers, body) and answers
// with the test's handler. A handler that never answers simulates a hung API.
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type TSeenRequest = { method: string; url: string; headers: IncomingHttpHeaders; body: string };
export type TFakeHandler = (request: TSeenRequest, response: ServerResponse) => void | Promise<void>;

export class FakeApi {
  readonly seen: TSeenRequest[] = [];
  private handler: TFakeHandler = (_, response) => answer(response, 404, { error: { code: 404, message: "no handler" } });
  private readonly server: Server;

  private constructor() {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const seen = {
          method: request.method ?? "",
          url: request.url ?? "",
          headers: request.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        };
        this.seen.push(seen);
        void Promise.resolve(this.handler(seen, response)).catch(() => answer(response, 500, { error: "fake failed" }));
      });
    });
  }

  static async start(): Promise<FakeApi> {
    const fake = new FakeApi();
    await new Promise<void>((resolve) => fake.server.listen(0, "127.0.0.1", resolve));
    return fake;
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Answer from now on with this handler, and forget the requests seen so far. */
  handle(handler: TFakeHandler): void {
    this.handler = handler;
    this.seen.length = 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export function answer(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "content-type": "application/json", ...headers });
  response.end(JSON.stringify(body));
}
