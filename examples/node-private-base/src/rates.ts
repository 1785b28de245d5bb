// Reference rates, units of each currency per 1 EUR. Treasury publishes them
// once a day; the deploy pipeline refreshes this file (see docs/rates.md).
export const RATES_DATE = '2025-06-02';

export const RATES: Readonly<Record<string, number>> = {
  EUR: 1,
  USD: 1.1389,
  GBP: 0.8423,
  CHF: 0.9358,
  SEK: 10.9215,
  PLN: 4.2861,
  JPY: 163.12,
};

/** Digits after the decimal point of each currency's minor unit (ISO 4217). */
export const MINOR_DIGITS: Readonly<Record<string, number>> = {
  EUR: 2,
  USD: 2,
  GBP: 2,
  CHF: 2,
  SEK: 2,
  PLN: 2,
  JPY: 0,
};

export const CURRENCIES = Object.keys(RATES) as [string, ...string[]];
