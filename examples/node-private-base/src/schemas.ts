import { z } from 'zod';
import { CURRENCIES } from './rates';

const currency = z
  .string()
  .transform((s) => s.toUpperCase())
  .pipe(z.enum(CURRENCIES));

export const quoteQuery = z.object({
  from: currency,
  to: currency,
  amount: z.coerce.number().positive().max(1_000_000),
});

export type QuoteQuery = z.infer<typeof quoteQuery>;
