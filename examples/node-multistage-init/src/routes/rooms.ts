import { Router } from 'express';
import bookings from '../data/bookings.json';
import rooms from '../data/rooms.json';
import { freeMinutes, freeSlots } from '../lib/availability';
import { isIsoDate } from '../lib/time';
import { HttpError } from '../middleware/errors';

export const roomsRouter = Router();

roomsRouter.get('/', (req, res) => {
  const minSeats = Number(req.query.minSeats ?? 0);
  const needs = typeof req.query.equipment === 'string' ? req.query.equipment.split(',') : [];
  const list = rooms.filter((r) => r.seats >= minSeats && needs.every((n) => r.equipment.includes(n)));
  res.json({ count: list.length, rooms: list });
});

roomsRouter.get('/availability', (req, res) => {
  const date = String(req.query.date ?? '');
  if (!isIsoDate(date)) throw new HttpError(400, 'date must be YYYY-MM-DD');
  const minutes = Number(req.query.minMinutes ?? 30);
  const result = rooms.map((room) => {
    const slots = freeSlots(
      bookings.filter((b) => b.room === room.id && b.date === date),
      minutes,
    );
    return { room: room.id, seats: room.seats, freeMinutes: freeMinutes(slots), slots };
  });
  res.json({ date, minMinutes: minutes, rooms: result.filter((r) => r.slots.length > 0) });
});

roomsRouter.get('/:id', (req, res) => {
  const room = rooms.find((r) => r.id === req.params.id);
  if (!room) throw new HttpError(404, `no room ${req.params.id}`);
  res.json(room);
});
