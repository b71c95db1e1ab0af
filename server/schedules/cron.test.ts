import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AppError } from "@/server/errors";
import { firstFire, nextCronFire, nextIntervalFire, normalizeExpression, normalizeTimezone } from "./cron";

const SEED = "00000000-0000-4000-8000-000000000000";

function messageOf(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("BAD_REQUEST");
    return (error as AppError).message;
  }
  throw new Error("expected a BAD_REQUEST");
}

describe("cron expressions", () => {
  it("0 9 * * * is 09:00 in the schedule's zone: 08:00 UTC in Paris in winter, 07:00 UTC in summer, 09:00 in UTC", () => {
    const winter = new Date("2026-01-15T10:00:00Z");
    expect(nextCronFire("0 9 * * *", "Europe/Paris", winter, SEED)?.toISOString()).toBe("2026-01-16T08:00:00.000Z");
    expect(nextCronFire("0 9 * * *", "UTC", winter, SEED)?.toISOString()).toBe("2026-01-16T09:00:00.000Z");
    const summer = new Date("2026-07-15T10:00:00Z");
    expect(nextCronFire("0 9 * * *", "Europe/Paris", summer, SEED)?.toISOString()).toBe("2026-07-16T07:00:00.000Z");
  });

  it("the next fire is strictly after the given time, even exactly on a fire", () => {
    expect(nextCronFire("0 9 * * *", "UTC", new Date("2026-01-15T09:00:00.000Z"), SEED)?.toISOString()).toBe("2026-01-16T09:00:00.000Z");
    expect(nextCronFire("* * * * *", "UTC", new Date("2026-01-15T09:00:30.000Z"), SEED)?.toISOString()).toBe("2026-01-15T09:01:00.000Z");
  });

  it("a time that daylight saving skips runs once, an hour later on the clock", () => {
    // 02:30 does not exist in Paris on 2026-03-29.
    expect(nextCronFire("30 2 * * *", "Europe/Paris", new Date("2026-03-28T12:00:00Z"), SEED)?.toISOString()).toBe(
      "2026-03-29T01:30:00.000Z",
    );
  });

  it("refuses a seconds field, @secondly and anything else that fires more often than once a minute", () => {
    expect(messageOf(() => normalizeExpression("*/5 * * * * *"))).toMatch(/at most once a minute.*five fields/);
    expect(messageOf(() => normalizeExpression("0 0 9 * * *"))).toMatch(/6 fields/);
    expect(messageOf(() => normalizeExpression("@secondly"))).toMatch(/Unknown cron alias/);
  });

  it("refuses malformed expressions with a message that says what is wrong", () => {
    expect(messageOf(() => normalizeExpression(""))).toMatch(/empty/);
    expect(messageOf(() => normalizeExpression("every day"))).toMatch(/has 2 fields/);
    expect(messageOf(() => nextCronFire("61 * * * *", "UTC", new Date(), SEED))).toMatch(/not a valid cron expression: .*61/);
    expect(messageOf(() => nextCronFire("0 0 30 2 *", "UTC", new Date(), SEED))).toMatch(/not a valid cron expression/);
  });

  it("normalizes spacing and aliases", () => {
    expect(normalizeExpression("  0   9 * *  1-5 ")).toBe("0 9 * * 1-5");
    expect(normalizeExpression("@DAILY")).toBe("@daily");
  });

  it("never accepts an expression whose fires are less than a minute apart (property)", () => {
    const field = fc.oneof(fc.constant("*"), fc.integer({ min: 0, max: 59 }).map(String), fc.constant("*/2"), fc.constant("1-3"));
    fc.assert(
      fc.property(fc.array(field, { minLength: 5, maxLength: 7 }), (fields) => {
        const expression = fields.join(" ");
        let first: Date | null = null;
        let second: Date | null = null;
        try {
          const normalized = normalizeExpression(expression);
          const start = new Date("2026-01-01T00:00:00Z");
          first = nextCronFire(normalized, "UTC", start, SEED);
          second = first ? nextCronFire(normalized, "UTC", first, SEED) : null;
        } catch (error) {
          expect(error).toBeInstanceOf(AppError);
          return;
        }
        expect(fields.length).toBe(5);
        if (first && second) expect(second.getTime() - first.getTime()).toBeGreaterThanOrEqual(60_000);
        if (first) expect(first.getUTCSeconds()).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});

describe("time zones", () => {
  it("accepts IANA names, fixing their case and keeping the name written", () => {
    expect(normalizeTimezone("Europe/Paris")).toBe("Europe/Paris");
    expect(normalizeTimezone("europe/paris")).toBe("Europe/Paris");
    expect(normalizeTimezone("UTC")).toBe("UTC");
    expect(normalizeTimezone("America/Argentina/Buenos_Aires")).toBe("America/Argentina/Buenos_Aires");
  });

  it("refuses unknown zones and offsets with a clear message", () => {
    expect(messageOf(() => normalizeTimezone("Mars/Olympus"))).toMatch(/Unknown time zone "Mars\/Olympus".*IANA/);
    expect(messageOf(() => normalizeTimezone("+01:00"))).toMatch(/not a time zone.*IANA/);
    expect(messageOf(() => normalizeTimezone(""))).toMatch(/not a time zone/);
  });
});

describe("intervals", () => {
  it("the first fire is a whole minute, one interval after creation", () => {
    const created = new Date("2026-01-15T10:00:20Z");
    expect(firstFire({ intervalMinutes: 30 }, created, SEED).toISOString()).toBe("2026-01-15T10:31:00.000Z");
  });

  it("after downtime the missed fires collapse into one: the next fire is after now, on the same grid", () => {
    const fired = new Date("2026-01-15T10:00:00Z");
    expect(nextIntervalFire(15, fired, new Date("2026-01-15T10:00:30Z")).toISOString()).toBe("2026-01-15T10:15:00.000Z");
    expect(nextIntervalFire(15, fired, new Date("2026-01-15T11:07:00Z")).toISOString()).toBe("2026-01-15T11:15:00.000Z");
    expect(nextIntervalFire(15, fired, new Date("2026-01-15T11:15:00Z")).toISOString()).toBe("2026-01-15T11:30:00.000Z");
  });
});
