// A generic payments HTTP API: POST /transfers with the tenant's API key and an
// Idempotency-Key, GET /account for the connection check. The key is a digest of
// run, tool and arguments (the same digest an approval is bound to), so a retried
// or re-executed call cannot pay twice.
import { z } from "zod";
import type { TConnectionCheck } from "@/server/credentials/types";
import type { TOpenCredential } from "@/server/credentials/types";
import { ConnectorError, callApi, endpoint } from "./http";
import { runtimeSetting } from "@/server/runtime-settings";

const SERVICE = "The payments API";

export type TTransfer = { amount: number; currency: string; counterparty: string; reference?: string };
export type TTransferResult = { transferId: string; status: string };

const ZTransferAnswer = z.object({
  transferId: z.string().min(1).max(200).optional(),
  id: z.string().min(1).max(200).optional(),
  status: z.string().min(1).max(100),
});

/** Timeout of one payments call, read at call time; bounded so the tool's own limit stays the outer one. */
export function paymentsTimeoutMs(): number {
  const value = Number(runtimeSetting("PAYMENTS_API_TIMEOUT_MS"));
  return Number.isFinite(value) && value > 0 ? Math.min(value, 25_000) : 15_000;
}

function apiKey(credential: TOpenCredential): string {
  const key = credential.secrets.apiKey?.trim();
  if (!key) throw new ConnectorError(`The payments credential "${credential.label}" has no API key: an admin must add one.`);
  return key;
}

/** Known counterparties from the credential's plain config: trimmed, case-insensitive. */
export function knownCounterparties(config: unknown): Set<string> {
  const list = config && typeof config === "object" ? (config as Record<string, unknown>).knownCounterparties : undefined;
  if (typeof list !== "string") return new Set();
  return new Set(
    list
      .split(",")
      .map(normalizeCounterparty)
      .filter((name) => name.length > 0),
  );
}

export function normalizeCounterparty(name: string): string {
  return name.trim().toLowerCase();
}

export async function createTransfer(
  credential: TOpenCredential,
  transfer: TTransfer,
  idempotencyKey: string,
  signal: AbortSignal,
): Promise<TTransferResult> {
  const answer = await callApi({
    service: SERVICE,
    url: `${endpoint("PAYMENTS_API_BASE_URL")}/transfers`,
    method: "POST",
    headers: {
      authorization: `Bearer ${apiKey(credential)}`,
      "idempotency-key": idempotencyKey,
      "content-type": "application/json",
      accept: "application/json",
    },
    body: JSON.stringify({
      amount: transfer.amount,
      currency: transfer.currency,
      counterparty: transfer.counterparty,
      ...(transfer.reference ? { reference: transfer.reference } : {}),
    }),
    signal,
    timeoutMs: paymentsTimeoutMs(),
    maxBytes: 64 * 1024,
  });
  const parsed = ZTransferAnswer.safeParse(answer);
  const transferId = parsed.success ? (parsed.data.transferId ?? parsed.data.id) : undefined;
  if (!parsed.success || !transferId)
    throw new ConnectorError(
      `${SERVICE} accepted the request but did not answer with a transfer id and status: check with the provider before retrying (a retry of the same call reuses its idempotency key).`,
    );
  return { transferId, status: parsed.data.status };
}

export const checkPayments: TConnectionCheck = async (credential, signal) => {
  const account = await callApi<{ name?: unknown; id?: unknown } | null>({
    service: SERVICE,
    url: `${endpoint("PAYMENTS_API_BASE_URL")}/account`,
    headers: { authorization: `Bearer ${apiKey(credential)}`, accept: "application/json" },
    signal,
    timeoutMs: paymentsTimeoutMs(),
    maxBytes: 64 * 1024,
  });
  const name = typeof account?.name === "string" ? account.name : typeof account?.id === "string" ? account.id : null;
  return { isOk: true, detail: `The payments API accepted the key${name ? ` (account ${name.slice(0, 100)})` : ""}.` };
};
