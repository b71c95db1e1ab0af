import { formatMoney, moneyTitle } from "@/lib/money";

/** An amount in minor units as people read it ("5,000.00 USD"); the raw value on hover. */
export function Money({ minor, currency, className }: { minor: number; currency: string | null; className?: string }) {
  return (
    <span className={className} title={moneyTitle(minor, currency)} data-testid="money">
      {formatMoney(minor, currency)}
    </span>
  );
}
