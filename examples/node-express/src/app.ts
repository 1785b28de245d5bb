import express from 'express';
import { findProduct, listProducts, quote } from './catalog';

export function createApp(): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json());

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/api/products', (req, res) => {
    const products = listProducts(req.query.inStock === 'true');
    res.json({ count: products.length, products });
  });

  app.get('/api/products/:sku', (req, res) => {
    const product = findProduct(req.params.sku);
    if (!product) {
      res.status(404).json({ error: `no product ${req.params.sku}` });
      return;
    }
    res.json(product);
  });

  app.post('/api/quote', (req, res) => {
    const items = Array.isArray(req.body?.items) ? req.body.items : [];
    res.json(quote(items));
  });

  return app;
}
