// Google Sheets API v4: read a range, append rows, and the connection check.
// Values read are capped (rows, cells, characters, bytes) before they reach the
// agent: a sheet is untrusted content and may be large.
import type { TConnectionCheck } from "@/server/credentials/types";
import type { TOpenCredential } from "@/server/credentials/types";
import { googleAccessToken, googleTimeoutMs, type TGoogleAuth } from "./google-auth";
import { ConnectorError, callApi, endpoint } from "./http";

const SERVICE = "Google Sheets";
export const READ_LIMITS = { rows: 500, cells: 5000, cellChars: 2000, bytes: 48 * 1024 } as const;
/** What Google may send for one read before we refuse it (the agent gets READ_LIMITS of it). */
const MAX_READ_ANSWER_BYTES = 4 * 1024 * 1024;

export type TCell = string | number | boolean | null;
export type TReadResult = { range: string; values: TCell[][]; totalRows: number; isTruncated: boolean };
export type TAppendResult = { updatedRange: string; updatedRows: number };

function valuesUrl(spreadsheetId: string, range: string): string {
  return `${endpoint("SHEETS_API_BASE_URL")}/spreadsheets/${encodeURIComponent(spreadsheetId)}/values/${encodeURIComponent(range)}`;
}

/** A Google error, with what to do about the usual ones. (Google's messages end with a full stop of their own.) */
function withHint(error: unknown, auth: TGoogleAuth): unknown {
  if (!(error instanceof ConnectorError)) return error;
  const hint =
    error.status === 403 && auth.clientEmail
      ? ` Share the spreadsheet with ${auth.clientEmail}.`
      : error.status === 404
        ? " Check the spreadsheet id and the sheet name in the range."
        : "";
  return new ConnectorError(`${error.message.replace(/\.\.$/, ".")}${hint}`, error.status, error.retryAfterSeconds);
}

async function sheetsCall<T>(
  credential: TOpenCredential,
  signal: AbortSignal,
  request: { url: string; method: "GET" | "POST"; body?: unknown; maxBytes?: number },
): Promise<T> {
  const auth = await googleAccessToken(credential, signal);
  try {
    return await callApi<T>({
      service: SERVICE,
      url: request.url,
      method: request.method,
      headers: {
        authorization: `Bearer ${auth.token}`,
        accept: "application/json",
        ...(request.body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal,
      timeoutMs: googleTimeoutMs(),
      maxBytes: request.maxBytes,
    });
  } catch (error) {
    throw withHint(error, auth);
  }
}

/** One cell as the agent sees it: long text is cut (and the result says so). */
function cell(value: unknown, cut: { isCut: boolean }): TCell {
  if (value === null || typeof value === "number" || typeof value === "boolean") return value;
  const text = typeof value === "string" ? value : JSON.stringify(value);
  if (text.length <= READ_LIMITS.cellChars) return text;
  cut.isCut = true;
  return `${text.slice(0, READ_LIMITS.cellChars)}…`;
}

/** Keep whole rows while they fit the row, cell and byte limits. */
export function capValues(raw: unknown): { values: TCell[][]; totalRows: number; isTruncated: boolean } {
  const rows = Array.isArray(raw) ? raw : [];
  const values: TCell[][] = [];
  const cut = { isCut: false };
  let cells = 0;
  let bytes = 2;
  for (const row of rows) {
    const kept = (Array.isArray(row) ? row : [row]).map((value) => cell(value, cut));
    const size = Buffer.byteLength(JSON.stringify(kept)) + 1;
    if (values.length >= READ_LIMITS.rows || cells + kept.length > READ_LIMITS.cells || bytes + size > READ_LIMITS.bytes)
      return { values, totalRows: rows.length, isTruncated: true };
    values.push(kept);
    cells += kept.length;
    bytes += size;
  }
  return { values, totalRows: rows.length, isTruncated: cut.isCut };
}

export async function readRange(
  credential: TOpenCredential,
  args: { spreadsheetId: string; range: string },
  signal: AbortSignal,
): Promise<TReadResult> {
  const answer = await sheetsCall<{ range?: unknown; values?: unknown } | null>(credential, signal, {
    url: valuesUrl(args.spreadsheetId, args.range),
    method: "GET",
    maxBytes: MAX_READ_ANSWER_BYTES,
  }).catch((error: unknown) => {
    if (error instanceof ConnectorError && /more than \d+ bytes/.test(error.message))
      throw new ConnectorError(`${error.message} Read a smaller range.`, error.status);
    throw error;
  });
  const capped = capValues(answer?.values);
  return { range: typeof answer?.range === "string" ? answer.range : args.range, ...capped };
}

export async function appendRows(
  credential: TOpenCredential,
  args: { spreadsheetId: string; range: string; values: TCell[][] },
  signal: AbortSignal,
): Promise<TAppendResult> {
  const answer = await sheetsCall<{ updates?: { updatedRange?: unknown; updatedRows?: unknown } } | null>(credential, signal, {
    url: `${valuesUrl(args.spreadsheetId, args.range)}:append?valueInputOption=USER_ENTERED&insertDataOption=INSERT_ROWS`,
    method: "POST",
    body: { values: args.values },
  });
  const updates = answer?.updates;
  if (typeof updates?.updatedRange !== "string")
    throw new ConnectorError(`${SERVICE} answered the append without saying which range it updated; check the sheet before retrying.`);
  return { updatedRange: updates.updatedRange, updatedRows: typeof updates.updatedRows === "number" ? updates.updatedRows : 0 };
}

/**
 * A service-account key is checked by obtaining a token; with a spreadsheet id in
 * the credential's config, either kind is also checked against that spreadsheet.
 * A bare access token cannot be checked without one, and the answer says so.
 */
export const checkGoogleSheets: TConnectionCheck = async (credential, signal) => {
  const auth = await googleAccessToken(credential, signal);
  const spreadsheetId = credential.config.spreadsheetId?.trim();
  if (spreadsheetId) {
    await sheetsCall(credential, signal, {
      url: `${endpoint("SHEETS_API_BASE_URL")}/spreadsheets/${encodeURIComponent(spreadsheetId)}?fields=spreadsheetId`,
      method: "GET",
    });
    return { isOk: true, detail: `Google Sheets answered for spreadsheet ${spreadsheetId}.` };
  }
  if (auth.kind === "service_account")
    return { isOk: true, detail: `Google issued an access token for ${auth.clientEmail}. Share your spreadsheets with that address.` };
  return {
    isOk: true,
    detail:
      "The access token is stored but not verified: it is checked on first use. Add a spreadsheet id to this credential to check it now.",
  };
};
