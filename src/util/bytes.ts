/**
 * One unit convention for every size pare prints: SI (kB, MB, GB = 1000^n),
 * the same as `docker images`, so users can compare numbers directly.
 */
const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'] as const;

export function formatBytes(bytes: number): string {
  const sign = bytes < 0 ? '-' : '';
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 ? 0 : value < 10 ? 2 : value < 100 ? 1 : 0;
  return `${sign}${value.toFixed(digits)} ${UNITS[unit]}`;
}

const SIZE_PATTERN = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)?\s*$/i;
const MULTIPLIERS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  t: 1e12,
  tb: 1e12,
  kib: 1024,
  ki: 1024,
  mib: 1024 ** 2,
  mi: 1024 ** 2,
  gib: 1024 ** 3,
  gi: 1024 ** 3,
  tib: 1024 ** 4,
  ti: 1024 ** 4,
};

/** Parses "150MB", "1.5 GiB", "2000" into bytes; undefined when not a size. */
export function parseBytes(text: string): number | undefined {
  const match = SIZE_PATTERN.exec(text);
  if (!match) return undefined;
  const multiplier = MULTIPLIERS[(match[2] ?? '').toLowerCase()];
  if (multiplier === undefined) return undefined;
  return Math.round(Number(match[1]) * multiplier);
}
