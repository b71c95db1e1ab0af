// web.fetch (GET, read_only), web.post (POST, external_side_effect) and web.search
// (read_only). Two tools for http rather than one with a method argument: policies
// route on the safety class, and a POST changes things elsewhere while a GET only
// reads, so the external-tools-untrusted pack can hold web.post in a tainted run
// while web.fetch stays allowed. All three read untrusted content: the gate taints
// the run after they execute. No credential and no outbox for fetch and post (they
// reach public URLs directly); search uses the tenant's `web_search` credential.
import { z } from "zod";
import { WEB_POST_MAX_BYTES, WEB_TEXT_MAX_BYTES, webRequest, ZPublicUrl } from "@/server/connectors/web";
import { engineFor, search, SEARCH_DEFAULT_RESULTS, SEARCH_MAX_RESULTS } from "@/server/connectors/web-search";
// Renamed: the React hooks lint rule reads any use…() call as a hook.
import { openCredentialForCall } from "@/server/credentials/service";
import type { TToolDefinition } from "../types";

// Above the connectors' own time limit (WEB_TIMEOUT_MS, at most 19 s), so their clearer message wins.
const TOOL_TIMEOUT_MS = 20_000;
const MAX_OUTPUT_BYTES = WEB_TEXT_MAX_BYTES + 8 * 1024;

type TFetchInput = { url: string };

export const webFetch: TToolDefinition<TFetchInput> = {
  name: "web.fetch",
  description:
    "Read a public web page or API over http(s) with GET. HTML comes back as readable text (title, paragraphs, links); JSON, XML and plain text as they are. At most 64 KiB of text.",
  input: z.object({ url: ZPublicUrl }).strict(),
  safetyClass: "read_only",
  capability: "api",
  readsUntrustedContent: true,
  timeoutMs: TOOL_TIMEOUT_MS,
  maxOutputBytes: MAX_OUTPUT_BYTES,
  policyFields: (args) => ({ url: new URL(args.url).toString() }),
  execute: (context, args) => webRequest(args.url, { method: "GET" }, context.signal),
};

const POST_CONTENT_TYPES = ["application/json", "text/plain", "application/x-www-form-urlencoded", "application/xml"] as const;
type TPostInput = {
  url: string;
  body?: string | Record<string, unknown> | unknown[];
  contentType?: (typeof POST_CONTENT_TYPES)[number];
};

/** The body as sent: JSON for objects and arrays, the string itself (with its contentType) otherwise. */
function serializeBody(args: TPostInput): { body?: string; contentType?: string } {
  if (args.body === undefined) return {};
  if (typeof args.body === "string") return { body: args.body, contentType: `${args.contentType ?? "text/plain"}; charset=utf-8` };
  return { body: JSON.stringify(args.body), contentType: "application/json; charset=utf-8" };
}

export const webPost: TToolDefinition<TPostInput> = {
  name: "web.post",
  description:
    "Send a POST to a public http(s) URL (a form, a webhook, an API): body as a JSON object or array, or a string with its contentType. It changes things outside, so policies may hold it for approval. Answers like web.fetch.",
  input: z
    .object({
      url: ZPublicUrl,
      body: z.union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())]).optional(),
      contentType: z.enum(POST_CONTENT_TYPES).optional(),
    })
    .strict()
    .superRefine((args, context) => {
      if (args.contentType && args.contentType !== "application/json" && args.body !== undefined && typeof args.body !== "string")
        context.addIssue({ code: "custom", path: ["contentType"], message: "an object or array body is sent as application/json" });
      let size: number;
      try {
        size = Buffer.byteLength(serializeBody(args).body ?? "");
      } catch {
        context.addIssue({ code: "custom", path: ["body"], message: "must be JSON (text, numbers, booleans, null, objects, arrays)" });
        return;
      }
      if (size > WEB_POST_MAX_BYTES)
        context.addIssue({ code: "custom", path: ["body"], message: `must be at most ${WEB_POST_MAX_BYTES} bytes (it is ${size})` });
    }),
  safetyClass: "external_side_effect",
  capability: "api",
  readsUntrustedContent: true,
  timeoutMs: TOOL_TIMEOUT_MS,
  maxOutputBytes: MAX_OUTPUT_BYTES,
  policyFields: (args) => ({ url: new URL(args.url).toString() }),
  execute: (context, args) => webRequest(args.url, { method: "POST", ...serializeBody(args) }, context.signal),
};

type TSearchInput = { query: string; count?: number };

export const webSearch: TToolDefinition<TSearchInput> = {
  name: "web.search",
  description: `Search the web (SearxNG or Brave Search, as the tenant connected). Answers up to ${SEARCH_MAX_RESULTS} results (default ${SEARCH_DEFAULT_RESULTS}) with title, url and snippet.`,
  input: z
    .object({
      query: z
        .string()
        .trim()
        .min(1, { message: "must not be empty" })
        .max(400, { message: "must be at most 400 characters" })
        .refine((value) => !/[\u0000-\u001f]/.test(value), { message: "must not contain control characters" }),
      count: z.number().int().min(1).max(SEARCH_MAX_RESULTS).optional(),
    })
    .strict(),
  safetyClass: "read_only",
  capability: "api",
  readsUntrustedContent: true,
  timeoutMs: TOOL_TIMEOUT_MS,
  execute: async (context, args) => {
    // The tenant's credential (its use is audited); without one, the deployment's SearxNG if any.
    const credential = await openCredentialForCall(context.tenantId, "web_search", {
      tool: "web.search",
      runId: context.runId,
      principal: context.principal,
    });
    return search(engineFor(credential), args.query, args.count ?? SEARCH_DEFAULT_RESULTS, context.signal);
  },
};

export const WEB_TOOLS = [webFetch, webPost, webSearch];
