// Money as people read it. Amounts travel in minor units (cents: 5,000.00 USD is
// 500000), as the payments API and the gate take them; how many minor digits a
// currency has comes from ISO 4217 through Intl (JPY 0, USD 2, KWD 3). Shared by
// the server (replies, notifications, policy context) and the browser, so both
// say the same thing: no imports beyond the platform.

// Building an Intl.NumberFormat costs tens of microseconds, and the policy step asks on
// every decision with an amount: remember each currency's answer (codes are 3 letters;
// the map is bounded so arbitrary codes cannot grow it without end).
const digitsByCurrency = new Map<string, number>();

/** Digits after the decimal point of a currency: JPY 0, EUR 2, KWD 3; 2 for a code Intl does not know. */
export function minorDigits(currency: string): number {
  const known = digitsByCurrency.get(currency);
  if (known !== undefined) return known;
  let digits = 2;
  try {
    digits = new Intl.NumberFormat("en-US", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    digits = 2;
  }
  if (digitsByCurrency.size < 1000) digitsByCurrency.set(currency, digits);
  return digits;
}

/**
 * An amount in minor units with its currency: 500000 USD → "5,000.00 USD", 5000 JPY → "5,000 JPY",
 * 1234567 KWD → "1,234.567 KWD". The code follows the number (as in the inbox), so it reads the
 * same whatever the currency's symbol. Without a currency the raw number is labelled as minor units.
 */
export function formatMoney(minor: number | bigint, currency: string | null | undefined): string {
  const value = typeof minor === "bigint" ? Number(minor) : minor;
  if (!currency) return `${value.toLocaleString("en-US")} (minor units)`;
  const code = currency.toUpperCase();
  const digits = minorDigits(code);
  // Divide as text, not as a float, so large amounts keep every digit.
  const sign = value < 0 ? "-" : "";
  const whole = Math.abs(Math.trunc(value))
    .toString()
    .padStart(digits + 1, "0");
  const major = BigInt(whole.slice(0, whole.length - digits) || "0");
  const fraction = digits > 0 ? `.${whole.slice(whole.length - digits)}` : "";
  return `${sign}${new Intl.NumberFormat("en-US").format(major)}${fraction} ${code}`;
}

/** The raw value, for a tooltip beside a formatted amount. */
export function moneyTitle(minor: number | bigint, currency: string | null | undefined): string {
  return `${String(minor)} in minor units${currency ? ` of ${currency.toUpperCase()}` : ""}`;
}

/** Ten-thousandths of a major unit: every ISO 4217 currency has at most 4 minor digits. */
export const NORMALIZED_DIGITS = 4;

/**
 * The amount on one scale whatever the currency: ten-thousandths of its major unit
 * (1,000.00 USD, 1,000 JPY and 1,000.000 KWD are all 10,000,000). Policies compare
 * thresholds in the transfer's own currency with it. Integer, since Cedar has no floats.
 */
export function normalizedAmount(minor: number, currency: string): number {
  const digits = Math.min(minorDigits(currency.toUpperCase()), NORMALIZED_DIGITS);
  return Math.trunc(minor) * 10 ** (NORMALIZED_DIGITS - digits);
}

/** Money-looking arguments ({ amount, currency }) of a tool call, or null. */
export function moneyOf(args: unknown): { amount: number; currency: string } | null {
  if (!args || typeof args !== "object") return null;
  const { amount, currency } = args as { amount?: unknown; currency?: unknown };
  return typeof amount === "number" && Number.isFinite(amount) && typeof currency === "string" && /^[A-Za-z]{3}$/.test(currency)
    ? { amount, currency: currency.toUpperCase() }
    : null;
}
