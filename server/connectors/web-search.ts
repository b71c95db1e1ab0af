// The client behind web.search (server/tools/api/web.ts): SearxNG (JSON API) or the Brave Search API, as the tenant's
// `web_search` credential says (config.engine; Brave needs its API key). A tenant
// with no credential uses the deployment's SearxNG when the operator set
// SEARXNG_BASE_URL, and otherwise gets a clear error: a search has nothing to
// deliver to the sandbox outbox. The engines' base URLs are the operator's
// (endpoint()), so these calls go through callApi, not the SSRF guard.
// Results are untrusted (readsUntrustedContent): the gate taints the run.
import type { TConnectionCheck } from "@/server/credentials/types";
import type { TOpenCredential } from "@/server/credentials/types";
import { callApi, ConnectorError, endpoint } from "./http";
import { inlineText } from "./html-text";
import { webTimeoutMs } from "./web";
import { runtimeSetting } from "@/server/runtime-settings";

export const SEARCH_MAX_RESULTS = 10;
export const SEARCH_DEFAULT_RESULTS = 5;
const MAX_RESPONSE_BYTES = 2 * 1024 * 1024;

export type TSearchEngine = "searxng" | "brave";
export type TSearchResult = { title: string; url: string; snippet: string };
export type TSearchAnswer = { engine: TSearchEngine; query: string; results: TSearchResult[] };

export type TEngineChoice = { engine: "searxng"; baseUrl: string } | { engine: "brave"; baseUrl: string; apiKey: string };

/** Which engine a credential means; throws a message an admin can act on when it cannot be used. */
export function engineOf(credential: Pick<TOpenCredential, "config" | "secrets">): TEngineChoice {
  const engine = credential.config.engine;
  if (engine === "brave") {
    const apiKey = credential.secrets.apiKey;
    if (!apiKey)
      throw new ConnectorError(
        "The tenant's web search connection uses Brave Search but has no API key; an admin can rotate it under Connections.",
      );
    return { engine, baseUrl: endpoint("BRAVE_SEARCH_BASE_URL"), apiKey };
  }
  if (engine === "searxng") return { engine, baseUrl: endpoint("SEARXNG_BASE_URL") };
  throw new ConnectorError(`The tenant's web search connection names an unknown engine (${String(engine).slice(0, 40)}).`);
}

/** A string field of an untrusted result, as plain one-line text, capped. */
function field(value: unknown, max: number): string {
  return typeof value === "string" ? inlineText(value).slice(0, max) : "";
}

function results(items: unknown, snippetKey: "content" | "description", count: number): TSearchResult[] {
  if (!Array.isArray(items)) return [];
  const out: TSearchResult[] = [];
  for (const item of items as Record<string, unknown>[]) {
    if (out.length >= count) break;
    const url = typeof item?.url === "string" ? item.url : "";
    // Only links a person (or web.fetch) can follow.
    if (!/^https?:\/\//i.test(url) || url.length > 2048) continue;
    out.push({ title: field(item.title, 300) || url, url, snippet: field(item[snippetKey], 500) });
  }
  return out;
}

export async function search(choice: TEngineChoice, query: string, count: number, signal: AbortSignal): Promise<TSearchAnswer> {
  if (choice.engine === "brave") {
    const url = `${choice.baseUrl}/web/search?${new URLSearchParams({ q: query, count: String(count) })}`;
    const body = await callApi<{ web?: { results?: unknown } } | null>({
      service: "Brave Search",
      url,
      headers: { accept: "application/json", "x-subscription-token": choice.apiKey },
      signal,
      timeoutMs: webTimeoutMs(),
      maxBytes: MAX_RESPONSE_BYTES,
    });
    return { engine: "brave", query, results: results(body?.web?.results, "description", count) };
  }
  const url = `${choice.baseUrl}/search?${new URLSearchParams({ q: query, format: "json" })}`;
  const body = await callApi<{ results?: unknown } | null>({
    service: "SearxNG",
    url,
    headers: { accept: "application/json" },
    signal,
    timeoutMs: webTimeoutMs(),
    maxBytes: MAX_RESPONSE_BYTES,
  });
  return { engine: "searxng", query, results: results(body?.results, "content", count) };
}

const NO_ENGINE =
  "No search engine is connected for this tenant. An admin can connect SearxNG or Brave Search under Connections (Web search); " +
  "the operator can also offer a shared SearxNG with SEARXNG_BASE_URL. (A search has nothing to deliver to the sandbox outbox.)";

/** The engine for a tool's search: the tenant's credential, else the deployment's SearxNG if the operator set one. */
export function engineFor(credential: Pick<TOpenCredential, "config" | "secrets"> | null): TEngineChoice {
  if (credential) return engineOf(credential);
  if (runtimeSetting("SEARXNG_BASE_URL")) return { engine: "searxng", baseUrl: endpoint("SEARXNG_BASE_URL") };
  throw new ConnectorError(NO_ENGINE);
}

/** Connections → Check: one small search with the credential. */
export const webSearchCheck: TConnectionCheck = async (credential, signal) => {
  const choice = engineOf(credential);
  const answer = await search(choice, "agent fabric", 1, signal);
  const name = choice.engine === "brave" ? "Brave Search" : "SearxNG";
  return {
    isOk: true,
    detail: `${name} answered a test search (${answer.results.length} result${answer.results.length === 1 ? "" : "s"}).`,
  };
};
