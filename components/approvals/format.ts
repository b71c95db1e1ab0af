import { formatDistanceStrict } from "date-fns";
import { formatMoney } from "@/lib/money";
import type { inferRouterOutputs } from "@trpc/server";
import type { TSafetyClass } from "@/server/policy/schema";
import type { AppRouter } from "@/server/trpc/root";

type TApprovalOutputs = inferRouterOutputs<AppRouter>["approval"];
export type TInboxItem = TApprovalOutputs["inbox"][number];
export type TRequestDetail = TApprovalOutputs["get"];
export type THistoryItem = TApprovalOutputs["history"][number];

/** Every safety class, with how the inbox names it (a Record, so a new class fails the typecheck here). */
export const SAFETY_CLASS_LABELS: Record<TSafetyClass, string> = {
  read_only: "read only",
  write_internal: "internal write",
  external_side_effect: "external side effect",
  financial: "financial",
  destructive: "destructive",
  local_exec: "local execution",
};

export function safetyClassLabel(safetyClass: string | null): string {
  if (!safetyClass) return "unknown";
  return SAFETY_CLASS_LABELS[safetyClass as TSafetyClass] ?? safetyClass;
}

/** An amount in minor units as people read it: 500000 EUR → "5,000.00 EUR" (lib/money.ts). */
export function formatAmount(minor: number, currency: string | null): string {
  return formatMoney(minor, currency);
}

/** A major-unit amount typed in a filter (e.g. "1,000.50") as minor units, assuming two decimals; undefined when empty or not a number. */
export function parseMajorAmount(text: string): number | undefined {
  const cleaned = text.replace(/[,\s]/g, "");
  if (!cleaned) return undefined;
  const value = Number(cleaned);
  return Number.isFinite(value) ? Math.round(value * 100) : undefined;
}

/** "3 hours left" or "overdue by 5 minutes", measured from `now` (the inbox ticks it) so the label and the colour agree. */
export function timeLeft(deadlineAt: Date | null, now: number): { label: string; isOverdue: boolean } {
  if (!deadlineAt) return { label: "no deadline", isOverdue: false };
  const distance = formatDistanceStrict(deadlineAt, now);
  return deadlineAt.getTime() <= now
    ? { label: `overdue by ${distance}`, isOverdue: true }
    : { label: `${distance} left`, isOverdue: false };
}

/** A trace event's payload on one line, cut short. */
export function shortPayload(payload: unknown, max = 140): string {
  const text = typeof payload === "string" ? payload : (JSON.stringify(payload) ?? "");
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A value of the arguments list: text as it is, anything nested as indented JSON. */
export function argumentText(value: unknown): { text: string; isBlock: boolean } {
  if (typeof value === "string") return { text: value, isBlock: false };
  if (typeof value === "number" || typeof value === "boolean" || value === null) return { text: String(value), isBlock: false };
  return { text: JSON.stringify(value, null, 2) ?? "", isBlock: true };
}
