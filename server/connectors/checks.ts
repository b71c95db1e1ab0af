// "Check connection" for each provider: a harmless authenticated call to the real
// API (or a local fake in tests) that proves the credential works. Each connector
// exports its check; this table is what the credentials router reads.
import type { TCredentialProvider } from "@/server/credentials/providers";
import type { TConnectionCheck } from "@/server/credentials/types";
import { checkSlack, checkSmtp, checkWebhook } from "./message";
import { checkPayments } from "./payments";
import { checkGoogleSheets } from "./sheets";
import { webSearchCheck } from "./web-search";
import { checkWhatsapp } from "./whatsapp";

export const CONNECTION_CHECKS: Partial<Record<TCredentialProvider, TConnectionCheck>> = {
  google_sheets: checkGoogleSheets,
  payments: checkPayments,
  web_search: webSearchCheck,
  whatsapp: checkWhatsapp,
  webhook: checkWebhook,
  slack: checkSlack,
  smtp: checkSmtp,
};
