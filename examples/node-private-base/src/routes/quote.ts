import { Router } from 'express';
import { quote } from '../quote';
import { RATES, RATES_DATE } from '../rates';
import { quoteQuery } from '../schemas';

export const quoteRouter = Router();

quoteRouter.get('/quote', (req, res) => {
  const parsed = quoteQuery.safeParse(req.query);
  if (!parsed.success) {
    res.status(400).json({
      error: 'invalid query',
      issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
    return;
  }
  const { from, to, amount } = parsed.data;
  res.json(quote(from, to, amount));
});

quoteRouter.get('/rates', (_req, res) => {
  res.json({ base: 'EUR', date: RATES_DATE, rates: RATES });
});
