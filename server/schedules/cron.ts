// Cron expressions and time zones for tenant schedules (cron-parser v5, time-zone
// aware). Pure: no database. A schedule fires at most once a minute: cron-parser
// also accepts a seconds field, which we refuse, so a tenant cannot ask for a run
// every second.
import { CronExpressionParser } from "cron-parser";
import { AppError } from "@/server/errors";

/** Aliases with a fixed meaning at minute resolution; `@secondly` is not among them. */
const ALIASES = new Set(["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@hourly", "@minutely", "@weekdays", "@weekends"]);

const MINUTE_MS = 60_000;

export type TCadence = { expression: string; timezone: string } | { intervalMinutes: number };

/** An IANA zone name as a person writes it ("Europe/Paris", "UTC"), checked, its case fixed. */
export function normalizeTimezone(input: string): string {
  const value = input.trim();
  // Names only: offsets ("+01:00") and abbreviations ("CET") are ambiguous about daylight saving time.
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/.test(value) || value.length > 64) {
    throw new AppError("BAD_REQUEST", `"${value.slice(0, 64)}" is not a time zone. Use an IANA time zone name like Europe/Paris or UTC.`);
  }
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat("en-US", { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    throw new AppError("BAD_REQUEST", `Unknown time zone "${value}". Use an IANA time zone name like Europe/Paris or UTC.`);
  }
  // Fix the case ("europe/paris"), but keep a valid name as written: ICU maps some
  // current names to older aliases (Asia/Kolkata to Asia/Calcutta) that people do not recognize.
  return resolved.toLowerCase() === value.toLowerCase() ? resolved : value;
}

function describeParseError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/^Error:\s*/, "").slice(0, 200);
}

/** Check an expression: five fields or an alias, every field valid, at most once a minute. Returns it normalized. */
export function normalizeExpression(input: string): string {
  const expression = input.trim().replace(/\s+/g, " ");
  if (!expression) throw new AppError("BAD_REQUEST", "The cron expression is empty. Give five fields, e.g. 0 9 * * 1-5.");
  if (expression.length > 100) throw new AppError("BAD_REQUEST", "The cron expression is too long (at most 100 characters).");
  if (expression.startsWith("@")) {
    if (!ALIASES.has(expression.toLowerCase())) {
      throw new AppError(
        "BAD_REQUEST",
        `Unknown cron alias "${expression}". Use five fields, or one of ${[...ALIASES].join(", ")}. Schedules run at most once a minute.`,
      );
    }
    return expression.toLowerCase();
  }
  const fields = expression.split(" ").length;
  if (fields === 6 || fields === 7) {
    throw new AppError(
      "BAD_REQUEST",
      `"${expression}" has ${fields} fields. Schedules run at most once a minute: give five fields (minute hour day-of-month month day-of-week), with no seconds field.`,
    );
  }
  if (fields !== 5) {
    throw new AppError(
      "BAD_REQUEST",
      `"${expression}" has ${fields} field${fields === 1 ? "" : "s"}; a cron expression has five: minute hour day-of-month month day-of-week (e.g. 0 9 * * 1-5).`,
    );
  }
  return expression;
}

function parse(expression: string, timezone: string, currentDate: Date, seed: string) {
  let parsed;
  try {
    parsed = CronExpressionParser.parse(expression, { tz: timezone, currentDate, hashSeed: seed });
  } catch (error) {
    throw new AppError("BAD_REQUEST", `"${expression}" is not a valid cron expression: ${describeParseError(error)}.`);
  }
  // Belt and braces: whatever the syntax, a fire is on a whole minute.
  const seconds = parsed.fields.second.values;
  if (seconds.length !== 1 || seconds[0] !== 0) {
    throw new AppError("BAD_REQUEST", `"${expression}" fires more than once a minute; schedules run at most once a minute.`);
  }
  return parsed;
}

/**
 * The first fire strictly after `after`, in the expression's time zone. `seed`
 * makes hashed fields ("H") stable for one schedule. Null when it never fires again.
 */
export function nextCronFire(expression: string, timezone: string, after: Date, seed: string): Date | null {
  const parsed = parse(expression, timezone, after, seed);
  try {
    return parsed.hasNext() ? parsed.next().toDate() : null;
  } catch (error) {
    throw new AppError("BAD_REQUEST", `"${expression}" has no next fire time: ${describeParseError(error)}.`);
  }
}

/** The next fire of an interval after `previous` (a fire time or the creation time), skipping what `now` has passed. */
export function nextIntervalFire(intervalMinutes: number, previous: Date, now: Date): Date {
  const step = intervalMinutes * MINUTE_MS;
  // Aligned to whole minutes, so the minute tick finds it within its minute.
  const base = Math.ceil(previous.getTime() / MINUTE_MS) * MINUTE_MS;
  if (base + step > now.getTime()) return new Date(base + step);
  // Missed fires (downtime) collapse into the one that just ran: the next is after now.
  const missed = Math.floor((now.getTime() - base) / step);
  return new Date(base + (missed + 1) * step);
}

/** Validate a cadence and give its first fire after `now`; throws a clear BAD_REQUEST otherwise. */
export function firstFire(cadence: TCadence, now: Date, seed: string): Date {
  if ("intervalMinutes" in cadence) return nextIntervalFire(cadence.intervalMinutes, now, now);
  const next = nextCronFire(cadence.expression, cadence.timezone, now, seed);
  if (!next) throw new AppError("BAD_REQUEST", `"${cadence.expression}" never fires again.`);
  return next;
}

/** The time shown to people: the fire time in the schedule's own zone. */
export function formatInZone(at: Date, timezone: string): string {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone: timezone,
    dateStyle: "medium",
    timeStyle: "short",
    hourCycle: "h23",
  }).format(at);
}
