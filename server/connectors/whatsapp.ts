// The WhatsApp Cloud API client: a text or template message
// (POST {WHATSAPP_API_BASE_URL}/{phone-number-id}/messages) with the tenant's own
// access token, and the connection check. The tool is server/tools/api/whatsapp.ts;
// inbound messages are ./whatsapp-inbound.ts.
import type { TConnectionCheck } from "@/server/credentials/types";
import type { TOpenCredential } from "@/server/credentials/types";
import { callApi, ConnectorError, endpoint } from "./http";
import { runtimeSetting } from "@/server/runtime-settings";

const SERVICE = "The WhatsApp Cloud API";

/** Timeout of one Cloud API call, read at call time; bounded so the tool's own limit (20 s) stays the outer one. */
export function whatsappTimeoutMs(): number {
  const value = Number(runtimeSetting("WHATSAPP_API_TIMEOUT_MS"));
  return Number.isFinite(value) && value > 0 ? Math.min(value, 15_000) : 15_000;
}

export type TWhatsappMessage = {
  /** "+<digits>" (international form). */
  to: string;
  text?: string;
  template?: { name: string; language: string; components?: Record<string, unknown>[] };
};

/** The Cloud API's JSON body for a message. */
export function whatsappMessageBody(message: TWhatsappMessage): Record<string, unknown> {
  // The Cloud API takes the number as digits with the country code.
  const base = { messaging_product: "whatsapp", recipient_type: "individual", to: message.to.replace(/^\+/, "") };
  if (message.template)
    return {
      ...base,
      type: "template",
      template: {
        name: message.template.name,
        language: { code: message.template.language },
        ...(message.template.components ? { components: message.template.components } : {}),
      },
    };
  return { ...base, type: "text", text: { body: message.text } };
}

function phoneNumberId(credential: TOpenCredential): string {
  const id = credential.config.phoneNumberId ?? "";
  // It becomes a path segment of the request: digits only.
  if (!/^[0-9]{5,30}$/.test(id))
    throw new ConnectorError(`The WhatsApp credential "${credential.label}" has no valid phone number ID (digits only).`);
  return id;
}

function accessToken(credential: TOpenCredential): string {
  const token = credential.secrets.accessToken;
  if (!token) throw new ConnectorError(`The WhatsApp credential "${credential.label}" has no access token.`);
  return token;
}

/** Sends one message; resolves with the Cloud API's message id (messages[0].id). */
export async function sendWhatsapp(credential: TOpenCredential, body: Record<string, unknown>, signal: AbortSignal): Promise<string> {
  const response = await callApi<{ messages?: { id?: unknown }[] }>({
    service: SERVICE,
    url: `${endpoint("WHATSAPP_API_BASE_URL")}/${phoneNumberId(credential)}/messages`,
    method: "POST",
    headers: { authorization: `Bearer ${accessToken(credential)}`, "content-type": "application/json" },
    body: JSON.stringify(body),
    signal,
    timeoutMs: whatsappTimeoutMs(),
  });
  const messageId = response?.messages?.[0]?.id;
  if (typeof messageId !== "string" || !messageId)
    throw new ConnectorError(`${SERVICE} accepted the request but returned no message id; check the WhatsApp Manager before retrying.`);
  return messageId;
}

/** Reads the phone number's own record: proves the token and the phone number ID together, sends nothing. */
export const checkWhatsapp: TConnectionCheck = async (credential, signal) => {
  const id = phoneNumberId(credential);
  const number = await callApi<{ display_phone_number?: unknown; verified_name?: unknown }>({
    service: SERVICE,
    url: `${endpoint("WHATSAPP_API_BASE_URL")}/${id}`,
    headers: { authorization: `Bearer ${accessToken(credential)}` },
    signal,
  });
  const name = typeof number?.verified_name === "string" ? ` (${number.verified_name})` : "";
  const display = typeof number?.display_phone_number === "string" ? number.display_phone_number : id;
  return { isOk: true, detail: `Connected to WhatsApp number ${display}${name}.` };
};
