// The external services a tenant can connect, and the fields of each credential.
// Secret fields are sealed with the tenant's data key and never shown again (only
// the last four characters of the first one); the others are plain configuration.
// Shared by the service, the API's validation and the Connections page.
export const CREDENTIAL_PROVIDERS = ["whatsapp", "google_sheets", "webhook", "slack", "smtp", "payments", "web_search"] as const;
export type TCredentialProvider = (typeof CREDENTIAL_PROVIDERS)[number];

export type TCredentialField = {
  name: string;
  label: string;
  isSecret: boolean;
  isRequired: boolean;
  help?: string;
  /** A fixed set of values (shown as a select). */
  choices?: readonly string[];
  /** An address the connector will call: checked at save with the same rules as at use. */
  isUrl?: boolean;
};

export type TProviderDefinition = {
  label: string;
  description: string;
  fields: readonly TCredentialField[];
  /** Its secret fields are each optional, but one of them is needed (Sheets: a token or a key). */
  needsOneSecret?: boolean;
};

export const PROVIDER_DEFINITIONS: Record<TCredentialProvider, TProviderDefinition> = {
  whatsapp: {
    label: "WhatsApp Cloud API",
    description: "whatsapp.send, and inbound messages that start chat runs.",
    fields: [
      { name: "accessToken", label: "Access token", isSecret: true, isRequired: true },
      { name: "phoneNumberId", label: "Phone number ID", isSecret: false, isRequired: true },
      {
        name: "appSecret",
        label: "App secret",
        isSecret: true,
        isRequired: false,
        help: "Verifies inbound webhooks (X-Hub-Signature-256).",
      },
      { name: "verifyToken", label: "Webhook verify token", isSecret: true, isRequired: false },
    ],
  },
  google_sheets: {
    label: "Google Sheets",
    needsOneSecret: true,
    description: "sheets.read and sheets.append, with an OAuth access token or a service-account key.",
    fields: [
      { name: "accessToken", label: "OAuth access token", isSecret: true, isRequired: false },
      {
        name: "serviceAccountJson",
        label: "Service-account key (JSON)",
        isSecret: true,
        isRequired: false,
        help: "Used for a JWT grant when no access token is given.",
      },
      {
        name: "spreadsheetId",
        label: "Spreadsheet ID for the connection check",
        isSecret: false,
        isRequired: false,
        help: "Optional: Check connection reads this spreadsheet's id with the credential.",
      },
    ],
  },
  webhook: {
    label: "Webhook",
    description: "message.send to your endpoint, signed with HMAC-SHA256.",
    fields: [
      { name: "url", label: "URL", isSecret: false, isRequired: true, isUrl: true },
      { name: "signingSecret", label: "Signing secret", isSecret: true, isRequired: true },
    ],
  },
  slack: {
    label: "Slack incoming webhook",
    description: "message.send to a Slack channel.",
    fields: [{ name: "webhookUrl", label: "Incoming webhook URL", isSecret: true, isRequired: true, isUrl: true }],
  },
  smtp: {
    label: "Email (SMTP)",
    description: "message.send by email.",
    fields: [
      { name: "password", label: "Password", isSecret: true, isRequired: true },
      { name: "host", label: "Host", isSecret: false, isRequired: true },
      { name: "port", label: "Port", isSecret: false, isRequired: true, help: "587 (STARTTLS) or 465 (TLS)." },
      { name: "username", label: "Username", isSecret: false, isRequired: true },
      { name: "from", label: "From address", isSecret: false, isRequired: true },
    ],
  },
  payments: {
    label: "Payments API",
    description: "payments.transfer through your payment provider's HTTP API.",
    fields: [
      { name: "apiKey", label: "API key", isSecret: true, isRequired: true },
      {
        name: "knownCounterparties",
        label: "Known counterparties",
        isSecret: false,
        isRequired: false,
        help: "Comma-separated; others need approval (treasury pack).",
      },
    ],
  },
  web_search: {
    label: "Web search",
    description: "web.search through SearxNG or the Brave Search API.",
    fields: [
      { name: "engine", label: "Engine", isSecret: false, isRequired: true, choices: ["searxng", "brave"] },
      { name: "apiKey", label: "API key (Brave)", isSecret: true, isRequired: false },
    ],
  },
};
