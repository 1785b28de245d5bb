import { fromMinutes, toMinutes } from './time';

export interface Booking {
  room: string;
  date: string;
  start: string;
  end: string;
  title: string;
}

export interface Slot {
  start: string;
  end: string;
}

/** Office hours the booking screens show. */
export const OPEN = '08:00';
export const CLOSE = '18:00';

/**
 * The free slots of one room on one day: office hours minus its bookings,
 * merged where bookings overlap, slots shorter than minMinutes dropped.
 */
export function freeSlots(bookings: Booking[], minMinutes = 15): Slot[] {
  const busy = bookings
    .map((b) => [toMinutes(b.start), toMinutes(b.end)] as const)
    .sort((a, b) => a[0] - b[0]);
  const slots: Slot[] = [];
  let cursor = toMinutes(OPEN);
  const close = toMinutes(CLOSE);
  for (const [start, end] of busy) {
    if (start - cursor >= minMinutes) slots.push({ start: fromMinutes(cursor), end: fromMinutes(start) });
    cursor = Math.max(cursor, end);
  }
  if (close - cursor >= minMinutes) slots.push({ start: fromMinutes(cursor), end: fromMinutes(close) });
  return slots;
}

export function freeMinutes(slots: Slot[]): number {
  return slots.reduce((sum, s) => sum + toMinutes(s.end) - toMinutes(s.start), 0);
}
