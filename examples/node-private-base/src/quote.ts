import { MINOR_DIGITS, RATES, RATES_DATE } from './rates';

/** Conversion fee in basis points, by how far the money travels. */
export function feeBps(from: string, to: string): number {
  if (from === to) return 0;
  const euro = ['EUR', 'CHF', 'SEK', 'PLN', 'GBP'];
  return euro.includes(from) && euro.includes(to) ? 50 : 75;
}

export interface Quote {
  from: string;
  to: string;
  amount: string;
  rate: string;
  feeBps: number;
  fee: string;
  total: string;
  ratesDate: string;
}

/** Rounds half away from zero at the currency's minor unit, as the payment provider does. */
export function roundMinor(value: number, currency: string): number {
  const factor = 10 ** MINOR_DIGITS[currency]!;
  return (Math.sign(value) * Math.round(Math.abs(value) * factor + Number.EPSILON)) / factor;
}

export function quote(from: string, to: string, amount: number): Quote {
  const rate = RATES[to]! / RATES[from]!;
  const gross = roundMinor(amount * rate, to);
  const bps = feeBps(from, to);
  const fee = roundMinor((gross * bps) / 10_000, to);
  const digits = MINOR_DIGITS[to]!;
  return {
    from,
    to,
    amount: amount.toFixed(MINOR_DIGITS[from]!),
    rate: rate.toFixed(6),
    feeBps: bps,
    fee: fee.toFixed(digits),
    total: roundMinor(gross - fee, to).toFixed(digits),
    ratesDate: RATES_DATE,
  };
}
