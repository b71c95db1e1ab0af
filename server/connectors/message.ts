// The clients behind message.send (server/tools/api/message.ts): the tenant's own
// webhook (signed), its Slack incoming webhook, and email (./email.ts), plus their
// connection checks. Webhook and Slack URLs are the tenant's choice: they go
// through guardedRequest (server/net/ssrf.ts), never plain fetch.
//
// Webhook deliveries are signed so receivers can tell them from forgeries:
//   X-Fabric-Timestamp: <unix seconds>
//   X-Fabric-Signature: sha256=<hex HMAC-SHA256(signingSecret, `${timestamp}.${rawBody}`)>
// (docs/messaging.md shows the receiver's side).
import { createHmac, randomUUID } from "node:crypto";
import type { TConnectionCheck } from "@/server/credentials/types";
import type { TOpenCredential } from "@/server/credentials/types";
import { guardedRequest, SsrfError, type TGuardedResponse } from "@/server/net/ssrf";
import { verifySmtp } from "./email";
import { ConnectorError } from "./http";
import { runtimeSetting } from "@/server/runtime-settings";

/** Timeout of one webhook, Slack or SMTP exchange, read at call time; under the tool's own limit (30 s). */
export function messageTimeoutMs(): number {
  const value = Number(runtimeSetting("MESSAGE_TIMEOUT_MS"));
  return Number.isFinite(value) && value > 0 ? Math.min(value, 20_000) : 15_000;
}
const MAX_RESPONSE_BYTES = 64 * 1024;

export type TOutgoingMessage = { text: string; subject?: string; to?: string };

/** The header value for a webhook body: sha256=<hex HMAC-SHA256(secret, `${timestamp}.${body}`)>. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

function retryAfterSeconds(value: string | string[] | undefined): number | null {
  const raw = Array.isArray(value) ? value[0] : value;
  if (!raw) return null;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds));
  const date = Date.parse(raw);
  return Number.isNaN(date) ? null : Math.max(0, Math.round((date - Date.now()) / 1000));
}

/** A POST to a tenant-chosen URL, every failure a ConnectorError (as callApi does for operator APIs). */
async function postGuarded(
  service: string,
  url: string,
  headers: Record<string, string>,
  body: string,
  signal: AbortSignal,
): Promise<TGuardedResponse> {
  let response: TGuardedResponse;
  try {
    response = await guardedRequest(url, {
      method: "POST",
      headers,
      body,
      signal,
      timeoutMs: messageTimeoutMs(),
      maxBytes: MAX_RESPONSE_BYTES,
      followRedirects: false,
    });
  } catch (error) {
    if (error instanceof SsrfError) throw new ConnectorError(`${service} is not allowed: ${error.message}`);
    const reason = error instanceof Error ? error.message.slice(0, 200) : "unknown error";
    if (/did not answer within/.test(reason))
      throw new ConnectorError(`${service}: ${reason} It is not known whether the message arrived.`);
    if (signal.aborted) throw new ConnectorError(`The call to ${service} was cancelled; it is not known whether the message arrived.`);
    throw new ConnectorError(`${service} could not be reached (${reason}).`);
  }
  const text = response.body.toString("utf8").trim().slice(0, 200);
  const said = text ? `: ${text}` : "";
  const { status } = response;
  if (status === 429) {
    const seconds = retryAfterSeconds(response.headers["retry-after"]);
    throw new ConnectorError(`${service} is rate limiting${seconds !== null ? `; retry after ${seconds} s` : ""}${said}.`, 429, seconds);
  }
  if (status >= 300 && status < 400)
    throw new ConnectorError(
      `${service} answered with a redirect (HTTP ${status}); deliveries do not follow redirects, update the URL.`,
      status,
    );
  if (status === 401 || status === 403) throw new ConnectorError(`${service} refused the delivery (HTTP ${status})${said}.`, status);
  if (status >= 400 && status < 500) throw new ConnectorError(`${service} rejected the message (HTTP ${status})${said}.`, status);
  if (status >= 500 || status < 200) throw new ConnectorError(`${service} failed (HTTP ${status})${said}.`, status);
  return response;
}

function required(credential: TOpenCredential, field: string, where: "config" | "secrets", what: string): string {
  const value = credential[where][field];
  if (!value) throw new ConnectorError(`The ${what} credential "${credential.label}" has no ${field}.`);
  return value;
}

function signedHeaders(secret: string, body: string, deliveryId: string = randomUUID()): Record<string, string> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  return {
    "content-type": "application/json",
    "user-agent": "AgentFabric-Webhook/1",
    // Lets a receiver drop a delivery it has already processed.
    "x-fabric-delivery": deliveryId,
    "x-fabric-timestamp": timestamp,
    "x-fabric-signature": webhookSignature(secret, timestamp, body),
  };
}

/** POSTs { text, subject?, to?, tenant, sentAt } to the credential's URL, signed. */
export async function sendWebhook(
  credential: TOpenCredential,
  message: TOutgoingMessage & { tenant?: string },
  signal: AbortSignal,
): Promise<{ status: number }> {
  const url = required(credential, "url", "config", "webhook");
  const secret = required(credential, "signingSecret", "secrets", "webhook");
  const body = JSON.stringify({
    text: message.text,
    ...(message.subject ? { subject: message.subject } : {}),
    ...(message.to ? { to: message.to } : {}),
    ...(message.tenant ? { tenant: message.tenant } : {}),
    sentAt: new Date().toISOString(),
  });
  const response = await postGuarded("The webhook endpoint", url, signedHeaders(secret, body), body, signal);
  return { status: response.status };
}

/**
 * POSTs a JSON event (approval notifications) to the credential's URL, signed as above.
 * The delivery id stays the same across retries, so a receiver can drop duplicates.
 */
export async function sendSignedEvent(
  credential: TOpenCredential,
  body: string,
  deliveryId: string,
  signal: AbortSignal,
): Promise<{ status: number }> {
  const url = required(credential, "url", "config", "webhook");
  const secret = required(credential, "signingSecret", "secrets", "webhook");
  const response = await postGuarded("The webhook endpoint", url, signedHeaders(secret, body, deliveryId), body, signal);
  return { status: response.status };
}

/** POSTs { text } to the Slack incoming webhook; a subject becomes a bold first line. */
export async function sendSlack(credential: TOpenCredential, message: TOutgoingMessage, signal: AbortSignal): Promise<{ status: number }> {
  const url = required(credential, "webhookUrl", "secrets", "Slack");
  const body = JSON.stringify({ text: message.subject ? `*${message.subject}*\n${message.text}` : message.text });
  const response = await postGuarded("Slack", url, { "content-type": "application/json" }, body, signal);
  return { status: response.status };
}

/** A signed { "type": "ping" } to the endpoint: proves the URL answers and lets the receiver test its verification. */
export const checkWebhook: TConnectionCheck = async (credential, signal) => {
  const url = required(credential, "url", "config", "webhook");
  const secret = required(credential, "signingSecret", "secrets", "webhook");
  const body = JSON.stringify({ type: "ping" });
  const response = await postGuarded("The webhook endpoint", url, signedHeaders(secret, body), body, signal);
  return { isOk: true, detail: `The endpoint accepted a signed ping (HTTP ${response.status}).` };
};

const SLACK_WEBHOOK = /^https:\/\/hooks\.slack\.com\/(services|workflows|triggers)\/[A-Za-z0-9_/-]+$/;

/** Posting would put a message in the channel, so the check only looks at the URL's shape. */
export const checkSlack: TConnectionCheck = async (credential) => {
  const url = credential.secrets.webhookUrl ?? "";
  if (SLACK_WEBHOOK.test(url))
    return {
      isOk: true,
      detail:
        "The URL has the shape of a Slack incoming webhook (https://hooks.slack.com/…). Nothing was posted: a real check would post in the channel.",
    };
  return {
    isOk: false,
    detail:
      "This is not a Slack incoming-webhook URL (https://hooks.slack.com/services/…). Nothing was posted; message.send still posts to it if it is a Slack-compatible endpoint.",
  };
};

/** Connects, sets up TLS and logs in; sends nothing. */
export const checkSmtp: TConnectionCheck = (credential, signal) => verifySmtp(credential, signal, messageTimeoutMs());
