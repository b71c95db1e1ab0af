import { describe, expect, it } from "vitest";
import { formatMoney, minorDigits, moneyOf, moneyTitle, normalizedAmount } from "./money";

describe("formatMoney", () => {
  it("uses each currency's own minor digits (0, 2 and 3)", () => {
    expect(formatMoney(500000, "USD")).toBe("5,000.00 USD");
    expect(formatMoney(500000, "EUR")).toBe("5,000.00 EUR");
    expect(formatMoney(500000, "JPY")).toBe("500,000 JPY");
    expect(formatMoney(1234567, "KWD")).toBe("1,234.567 KWD");
    expect(formatMoney(1500, "BHD")).toBe("1.500 BHD");
  });

  it("keeps small, zero, negative and large amounts exact", () => {
    expect(formatMoney(5, "USD")).toBe("0.05 USD");
    expect(formatMoney(0, "USD")).toBe("0.00 USD");
    expect(formatMoney(-12345, "EUR")).toBe("-123.45 EUR");
    expect(formatMoney(7, "KWD")).toBe("0.007 KWD");
    expect(formatMoney(1_000_000_000, "USD")).toBe("10,000,000.00 USD");
    expect(formatMoney(9_007_199_254_740_991n, "JPY")).toBe("9,007,199,254,740,991 JPY");
  });

  it("upper-cases the code, falls back to 2 digits for unknown codes, labels a missing currency", () => {
    expect(formatMoney(500000, "usd")).toBe("5,000.00 USD");
    expect(formatMoney(12345, "XYZ")).toBe("123.45 XYZ");
    expect(formatMoney(500000, null)).toBe("500,000 (minor units)");
  });

  it("gives the raw value for the hover text", () => {
    expect(moneyTitle(500000, "usd")).toBe("500000 in minor units of USD");
  });
});

describe("minorDigits and normalizedAmount", () => {
  it("reads ISO 4217 digits through Intl", () => {
    expect([minorDigits("JPY"), minorDigits("USD"), minorDigits("KWD"), minorDigits("BHD")]).toEqual([0, 2, 3, 3]);
  });

  it("puts every currency on ten-thousandths of its major unit", () => {
    expect(normalizedAmount(100000, "USD")).toBe(10_000_000);
    expect(normalizedAmount(1000, "JPY")).toBe(10_000_000);
    expect(normalizedAmount(1_000_000, "KWD")).toBe(10_000_000);
    expect(normalizedAmount(100001, "EUR")).toBeGreaterThan(normalizedAmount(100000, "EUR"));
  });
});

describe("moneyOf", () => {
  it("finds { amount, currency } arguments and nothing else", () => {
    expect(moneyOf({ amount: 500000, currency: "usd", counterparty: "A" })).toEqual({ amount: 500000, currency: "USD" });
    expect(moneyOf({ amount: "500000", currency: "USD" })).toBeNull();
    expect(moneyOf({ amount: 5, currency: "dollars" })).toBeNull();
    expect(moneyOf(null)).toBeNull();
  });
});
