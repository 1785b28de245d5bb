// Pure helpers: no DOM, so they run under `node --test` too.

export const DIFFICULTIES = ['easy', 'moderate', 'hard'];

/** Naismith's rule: 5 km/h on the flat plus one hour per 600 m of ascent. */
export function estimateMinutes(trail) {
  return Math.round((trail.km / 5) * 60 + (trail.ascent / 600) * 60);
}

export function formatDuration(minutes) {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h === 0 ? `${m} min` : m === 0 ? `${h} h` : `${h} h ${m} min`;
}

export function filterTrails(trails, { difficulty = 'any', maxKm = Infinity, query = '' } = {}) {
  const q = query.trim().toLowerCase();
  return trails.filter(
    (t) =>
      (difficulty === 'any' || t.difficulty === difficulty) &&
      t.km <= maxKm &&
      (q === '' || t.name.toLowerCase().includes(q) || t.tags.some((tag) => tag.includes(q))),
  );
}

export function sortTrails(trails, key) {
  const copy = [...trails];
  if (key === 'distance') copy.sort((a, b) => a.km - b.km);
  else if (key === 'ascent') copy.sort((a, b) => a.ascent - b.ascent);
  else copy.sort((a, b) => a.next.localeCompare(b.next));
  return copy;
}
