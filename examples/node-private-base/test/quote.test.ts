import { feeBps, quote, roundMinor } from '../src/quote';

describe('quote', () => {
  it('converts EUR to JPY with the long-distance fee', () => {
    expect(quote('EUR', 'JPY', 250)).toEqual({
      from: 'EUR',
      to: 'JPY',
      amount: '250.00',
      rate: '163.120000',
      feeBps: 75,
      fee: '306',
      total: '40474',
      ratesDate: '2025-06-02',
    });
  });

  it('charges nothing for the same currency', () => {
    const q = quote('USD', 'USD', 19.99);
    expect(q.fee).toBe('0.00');
    expect(q.total).toBe('19.99');
  });

  it('uses the European fee between European currencies', () => {
    expect(feeBps('SEK', 'PLN')).toBe(50);
    expect(feeBps('EUR', 'USD')).toBe(75);
  });

  it('rounds half away from zero', () => {
    expect(roundMinor(0.125, 'EUR')).toBe(0.13);
    expect(roundMinor(-0.125, 'EUR')).toBe(-0.13);
    expect(roundMinor(10.5, 'JPY')).toBe(11);
  });
});
