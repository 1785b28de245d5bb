'use strict';

const express = require('express');

const STATUSES = new Set(['pending', 'paid', 'shipped', 'cancelled']);

function ordersRouter(database) {
  const router = express.Router();

  router.get('/', async (req, res, next) => {
    try {
      const filter = {};
      if (req.query.status) {
        if (!STATUSES.has(req.query.status)) return res.status(400).json({ error: 'unknown status' });
        filter.status = req.query.status;
      }
      const limit = Math.min(Number(req.query.limit ?? 50), 200);
      const orders = await (await database.orders()).find(filter).sort({ createdAt: -1 }).limit(limit).toArray();
      res.json({ count: orders.length, orders });
    } catch (err) {
      next(err);
    }
  });

  router.post('/', async (req, res, next) => {
    try {
      const { customer, lines } = req.body ?? {};
      if (typeof customer !== 'string' || !Array.isArray(lines) || lines.length === 0) {
        return res.status(400).json({ error: 'customer and lines are required' });
      }
      const order = { customer, lines, status: 'pending', createdAt: new Date() };
      const { insertedId } = await (await database.orders()).insertOne(order);
      res.status(201).json({ id: insertedId, ...order });
    } catch (err) {
      next(err);
    }
  });

  return router;
}

module.exports = { ordersRouter };
