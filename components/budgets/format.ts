/** What a budget counts, in words. */
export const METRIC_LABELS: Record<string, string> = { tool_calls: "tool calls", outbound_messages: "outbound messages" };

/** An instant in the tenant's time zone: "Mon 8 Dec, 00:00". */
export function inZone(at: Date, timezone: string, withDate = true): string {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone: timezone,
    ...(withDate ? { weekday: "short", day: "numeric", month: "short" } : {}),
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(at);
}

/** The share of a limit in use, 0–100 (a zero limit is fully used). */
export function percentUsed(inUse: number, limit: number): number {
  if (limit <= 0) return 100;
  return Math.min(100, Math.round((inUse / limit) * 100));
}
