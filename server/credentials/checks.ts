// "Check connection" for each provider: a harmless authenticated call to the real
// API (or a local fake in tests) that proves the credential works. Each connector
// module exports its check; they are listed here.
import type { TOpenCredential } from "./service";
import { checkPayments } from "@/server/connectors/payments";
import { checkGoogleSheets } from "@/server/connectors/sheets";
import { webSearchCheck } from "@/server/connectors/web-search";
import { checkSlack, checkSmtp, checkWebhook } from "@/server/connectors/message";
import { checkWhatsapp } from "@/server/connectors/whatsapp";
import type { TCredentialProvider } from "./providers";

export type TConnectionCheck = (credential: TOpenCredential, signal: AbortSignal) => Promise<{ isOk: boolean; detail: string }>;

export const CONNECTION_CHECKS: Partial<Record<TCredentialProvider, TConnectionCheck>> = {
  google_sheets: checkGoogleSheets,
  payments: checkPayments,
  web_search: webSearchCheck,
  whatsapp: checkWhatsapp,
  webhook: checkWebhook,
  slack: checkSlack,
  smtp: checkSmtp,
};
