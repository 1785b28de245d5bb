/**
 * How a size compares with the original's, worded the same in every report:
 * "3.2x smaller (-68.4%)", "1.1x larger (+9.0%)", or "same size (0.0%)" when the
 * difference would print as 0.0% (a "1.0x smaller" helps nobody).
 */
export function sizeChange(size: number, original: number): { factor: string; percent: string } | undefined {
  if (original <= 0 || size <= 0) return undefined;
  const change = ((size - original) / original) * 100;
  const percent = `${change <= 0 ? '' : '+'}${change.toFixed(1)}%`;
  if (Math.abs(change) < 0.05) return { factor: 'same size', percent: '0.0%' };
  const factor =
    size < original ? `${(original / size).toFixed(1)}x smaller` : `${(size / original).toFixed(1)}x larger`;
  return { factor, percent };
}

/** "3.2x smaller (-68.4%)", "1.1x larger (+9.0%)", "same size (0.0%)"; empty when a size is unknown. */
export function ratio(size: number, original: number): string {
  const change = sizeChange(size, original);
  return change ? `${change.factor} (${change.percent})` : '';
}
