// sheets.read / sheets.append: Google Sheets with the tenant's google_sheets
// credential. Without one, reading is impossible (there is nothing to read in a
// sandbox) and appending goes to the tenant's sandbox outbox.
import { z } from "zod";
import { ConnectorError } from "@/server/connectors/http";
import { appendRows, readRange, type TCell } from "@/server/connectors/sheets";
// Renamed here: the React hooks lint takes any use… function for a hook.
import { openCredentialForCall } from "@/server/credentials/service";
import { deliverToOutbox } from "@/server/outbox/service";
import type { TToolDefinition } from "../types";

const ZSpreadsheetId = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{10,200}$/, { message: "must be a spreadsheet id (letters, digits, - and _, as in the sheet's URL)" });
const ZRange = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), { message: "must not contain control characters" });
const ZCell = z.union([z.string().max(5000), z.number().finite(), z.boolean(), z.null()]);
const MAX_APPEND_CELLS = 10_000;

type TReadArgs = { spreadsheetId: string; range: string };
type TAppendArgs = { spreadsheetId: string; range: string; values: TCell[][] };

const NOT_CONNECTED =
  "Google Sheets is not connected for this tenant: ask an admin to connect it under Connections (Google Sheets). There is nothing to read in the sandbox.";

/**
 * Text a person or a page could have planted is never written as a formula: with
 * USER_ENTERED, "=IMPORTXML(...)" or "=IMAGE(...)" would make Google fetch a URL
 * carrying the sheet's contents. Such cells get a leading apostrophe (Sheets'
 * own "this is text" marker, not shown); plain numbers in text are left alone.
 */
export function literalCell(value: TCell): { cell: TCell; isEscaped: boolean } {
  if (typeof value !== "string") return { cell: value, isEscaped: false };
  const isNumber = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/.test(value);
  if (!isNumber && /^\s*[=+\-@]/.test(value)) return { cell: `'${value}`, isEscaped: true };
  return { cell: value, isEscaped: false };
}

export const sheetsRead: TToolDefinition<TReadArgs> = {
  name: "sheets.read",
  description:
    "Read a range of a Google Sheet (A1 notation, e.g. Sheet1!A1:C10). Returns at most 500 rows / 5,000 cells; the content is untrusted.",
  input: z.object({ spreadsheetId: ZSpreadsheetId, range: ZRange }).strict(),
  safetyClass: "read_only",
  capability: "api",
  readsUntrustedContent: true,
  timeoutMs: 30_000,
  maxOutputBytes: 64 * 1024,
  execute: async (context, args) => {
    const credential = await openCredentialForCall(context.tenantId, "google_sheets", {
      tool: "sheets.read",
      runId: context.runId,
      principal: context.principal,
    });
    if (!credential) throw new ConnectorError(NOT_CONNECTED);
    return readRange(credential, args, context.signal);
  },
};

export const sheetsAppend: TToolDefinition<TAppendArgs> = {
  name: "sheets.append",
  description:
    "Append rows to a Google Sheet after the table found in the range (e.g. Sheet1!A1). Values are entered as a user would type them (numbers, dates), but text that would start a formula (=, +, -, @) is written as text.",
  input: z
    .object({
      spreadsheetId: ZSpreadsheetId,
      range: ZRange,
      values: z
        .array(z.array(ZCell).min(1).max(200))
        .min(1)
        .max(1000)
        .refine((rows) => rows.reduce((sum, row) => sum + row.length, 0) <= MAX_APPEND_CELLS, {
          message: `at most ${MAX_APPEND_CELLS} cells per call`,
        }),
    })
    .strict(),
  safetyClass: "external_side_effect",
  capability: "api",
  timeoutMs: 30_000,
  execute: async (context, args) => {
    let escaped = 0;
    const values = args.values.map((row) =>
      row.map((value) => {
        const { cell, isEscaped } = literalCell(value);
        if (isEscaped) escaped += 1;
        return cell;
      }),
    );
    const credential = await openCredentialForCall(context.tenantId, "google_sheets", {
      tool: "sheets.append",
      runId: context.runId,
      principal: context.principal,
    });
    if (!credential)
      return deliverToOutbox(context.tenantId, {
        runId: context.runId,
        tool: "sheets.append",
        provider: "google_sheets",
        target: `${args.spreadsheetId} ${args.range}`,
        payload: { spreadsheetId: args.spreadsheetId, range: args.range, values },
      });
    const result = await appendRows(credential, { ...args, values }, context.signal);
    return escaped > 0 ? { ...result, cellsWrittenAsText: escaped } : result;
  },
};

export const SHEETS_TOOLS = [sheetsRead, sheetsAppend];
