// Email for message.send: SMTP through nodemailer with the tenant's smtp
// credential (host, port, username, password, from).
//
// The host is the tenant's choice, so it is treated like any tenant-chosen URL:
// resolved once, every address checked by server/net/ssrf.ts (no private,
// loopback or metadata addresses), and nodemailer connects to that checked
// address (the name is kept for TLS certificate checks), so a rebinding DNS
// answer cannot move the connection afterwards.
//
// TLS is mandatory: port 465 is TLS from the start, any other port must offer
// STARTTLS or the message is not sent (the password never crosses in clear).
// SMTP_ALLOW_INSECURE_LOCAL=1 lifts that for a loopback host only, for tests
// against a local fake server; never set it in production.
import { lookup } from "node:dns/promises";
import net from "node:net";
import nodemailer from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport";
import type { TOpenCredential } from "@/server/credentials/types";
import { checkUrl, SsrfError } from "@/server/net/ssrf";
import { ConnectorError } from "./http";
import { runtimeSetting } from "@/server/runtime-settings";

const SERVICE = "The SMTP server";

export type TEmail = { to: string; subject: string; text: string };
export type TEmailResult = { messageId: string; accepted: string[]; response: string };

type TSmtpError = Error & { code?: string; responseCode?: number; response?: string; command?: string };

function isLoopback(address: string): boolean {
  return address === "::1" || address.startsWith("127.") || address === "::ffff:127.0.0.1";
}

/** The SMTP host's address, checked as a tenant-chosen destination. */
async function checkedAddress(host: string): Promise<string> {
  let addresses: string[];
  if (net.isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await lookup(host, { all: true })).map((entry) => entry.address);
    } catch {
      throw new ConnectorError(`${SERVICE} "${host}" could not be found (DNS lookup failed).`);
    }
  }
  if (addresses.length === 0) throw new ConnectorError(`${SERVICE} "${host}" could not be found (DNS lookup failed).`);
  for (const address of addresses) {
    try {
      checkUrl(`http://${net.isIPv6(address) ? `[${address}]` : address}/`);
    } catch (error) {
      if (error instanceof SsrfError) throw new ConnectorError(`${SERVICE} "${host}" is not allowed: ${error.message}`);
      throw error;
    }
  }
  return addresses[0] as string;
}

async function transportOptions(credential: TOpenCredential, timeoutMs: number): Promise<SMTPTransport.Options> {
  const { host = "", port: rawPort = "", username = "" } = credential.config;
  const password = credential.secrets.password ?? "";
  const port = Number(rawPort);
  if (!host) throw new ConnectorError(`The SMTP credential "${credential.label}" has no host.`);
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    throw new ConnectorError(`The SMTP credential "${credential.label}" has no valid port (587 for STARTTLS, 465 for TLS).`);
  const address = await checkedAddress(host);
  const isInsecureLocal = runtimeSetting("SMTP_ALLOW_INSECURE_LOCAL") === "1" && isLoopback(address);
  return {
    host: address,
    port,
    secure: port === 465 && !isInsecureLocal,
    requireTLS: port !== 465 && !isInsecureLocal,
    ignoreTLS: isInsecureLocal,
    // Certificates are checked against the name the tenant gave, not the address.
    tls: net.isIP(host) ? {} : { servername: host },
    auth: { user: username, pass: password },
    connectionTimeout: Math.min(timeoutMs, 10_000),
    greetingTimeout: Math.min(timeoutMs, 10_000),
    socketTimeout: timeoutMs,
    dnsTimeout: Math.min(timeoutMs, 5_000),
  };
}

/** A nodemailer failure as a message a person can act on. */
function smtpFailure(error: unknown, host: string): ConnectorError {
  const failure = error as TSmtpError;
  const reply = failure.response ? `: ${failure.response.slice(0, 200)}` : "";
  switch (failure.code) {
    case "EAUTH":
      return new ConnectorError(`${SERVICE} ${host} refused the tenant's username or password${reply}.`, failure.responseCode ?? null);
    case "ETLS":
      return new ConnectorError(
        `${SERVICE} ${host} did not set up TLS (STARTTLS); nothing was sent. Use a server that offers STARTTLS, or port 465.`,
      );
    case "EENVELOPE":
      return new ConnectorError(`${SERVICE} ${host} refused the sender or recipient${reply}.`, failure.responseCode ?? null);
    case "EMESSAGE":
      return new ConnectorError(`${SERVICE} ${host} refused the message${reply}.`, failure.responseCode ?? null);
    case "ETIMEDOUT":
      return new ConnectorError(`${SERVICE} ${host} did not answer in time; it is not known whether the message was sent.`);
    case "ECONNECTION":
    case "ESOCKET":
    case "EDNS":
      return new ConnectorError(`${SERVICE} ${host} could not be reached (${failure.message.slice(0, 200)}).`);
    default:
      return new ConnectorError(`${SERVICE} ${host} failed: ${failure.message?.slice(0, 200) ?? "unknown error"}.`);
  }
}

function untilAborted(signal: AbortSignal): { promise: Promise<never>; dispose: () => void } {
  let onAbort = () => undefined as void;
  const promise = new Promise<never>((_, reject) => {
    onAbort = () =>
      reject(new ConnectorError(`The call to ${SERVICE.toLowerCase()} was cancelled or timed out; it is not known whether it was sent.`));
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  promise.catch(() => undefined);
  return { promise, dispose: () => signal.removeEventListener("abort", onAbort) };
}

/** Send one plain-text email with the tenant's SMTP credential. */
export async function sendEmail(credential: TOpenCredential, email: TEmail, signal: AbortSignal, timeoutMs: number): Promise<TEmailResult> {
  const from = credential.config.from ?? "";
  if (!from) throw new ConnectorError(`The SMTP credential "${credential.label}" has no from address.`);
  const host = credential.config.host ?? "";
  const transporter = nodemailer.createTransport(await transportOptions(credential, timeoutMs));
  const abort = untilAborted(signal);
  try {
    const info = await Promise.race([
      transporter.sendMail({ from, to: email.to, subject: email.subject, text: email.text }).catch((error: unknown) => {
        throw smtpFailure(error, host);
      }),
      abort.promise,
    ]);
    const accepted = info.accepted.map((entry) => (typeof entry === "string" ? entry : entry.address));
    if (accepted.length === 0) throw new ConnectorError(`${SERVICE} ${host} accepted no recipient: ${info.response.slice(0, 200)}.`);
    return { messageId: info.messageId, accepted, response: info.response.slice(0, 200) };
  } finally {
    abort.dispose();
    transporter.close();
  }
}

/** Connects, sets up TLS and logs in (nodemailer's verify): proves the credential, sends nothing. */
export async function verifySmtp(
  credential: TOpenCredential,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<{ isOk: boolean; detail: string }> {
  const host = credential.config.host ?? "";
  const transporter = nodemailer.createTransport(await transportOptions(credential, timeoutMs));
  const abort = untilAborted(signal);
  try {
    await Promise.race([
      transporter.verify().catch((error: unknown) => {
        throw smtpFailure(error, host);
      }),
      abort.promise,
    ]);
    return { isOk: true, detail: `Logged in to ${host}:${credential.config.port} as ${credential.config.username}; no message was sent.` };
  } finally {
    abort.dispose();
    transporter.close();
  }
}
