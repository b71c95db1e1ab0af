// Personal data in a call's arguments, found by the gate (not by asking the
// model): emails, phone numbers, payment card numbers (Luhn-checked) and IBANs
// (mod-97-checked). Used by pii-strict to hold outbound calls.
const EMAIL = /[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,}/i;
// The international prefix starts the number: "00" inside a longer word ("a003-2952…" of a
// UUID) is not one.
const PHONE = /(?<![0-9A-Za-z])(?:\+|00)[1-9][0-9 ().-]{7,18}[0-9]|\b\(?[0-9]{3}\)?[ .-][0-9]{3}[ .-][0-9]{4}\b/;
// Identifiers, not personal data: their digits are read as nothing else.
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const CARD = /\b(?:[0-9][ -]?){13,19}\b/g;
const IBAN = /\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}\b/gi;

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  // A run of one repeated digit passes Luhn trivially (all zeros) but is no card.
  return digits.length >= 13 && sum % 10 === 0 && !/^(\d)\1+$/.test(digits);
}

function ibanValid(raw: string): boolean {
  const iban = raw.replace(/ /g, "").toUpperCase();
  if (iban.length < 15 || iban.length > 34) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const value = /[A-Z]/.test(char) ? String(char.charCodeAt(0) - 55) : char;
    for (const digit of value) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}

function strings(value: unknown, out: string[] = [], depth = 0): string[] {
  if (depth > 10) return out;
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const item of value) strings(item, out, depth + 1);
  else if (value && typeof value === "object") for (const item of Object.values(value)) strings(item, out, depth + 1);
  return out;
}

export function detectPii(args: unknown): { hasAny: boolean; kinds: string[] } {
  const kinds = new Set<string>();
  for (const original of strings(args)) {
    let text = original.replace(UUID, " ");
    if (EMAIL.test(text)) kinds.add("email");
    // IBANs and card numbers are found first and removed, so their digits are not read as phone numbers.
    for (const match of text.match(IBAN) ?? []) {
      if (ibanValid(match)) {
        kinds.add("iban");
        text = text.replace(match, " ");
      }
    }
    for (const match of text.match(CARD) ?? []) {
      if (luhn(match.replace(/[^0-9]/g, ""))) {
        kinds.add("card");
        text = text.replace(match, " ");
      }
    }
    if (PHONE.test(text)) kinds.add("phone");
  }
  return { hasAny: kinds.size > 0, kinds: [...kinds].sort() };
}
