/**
 * CI budgets for `pare inspect`: size, wasted bytes and efficiency limits,
 * from flags or the config file's `inspect.budgets`. Waste and efficiency use
 * dive's definitions so a `.dive-ci` threshold carries over unchanged
 * (highestWastedBytes → maxWasted, lowestEfficiency × 100 → minEfficiency).
 * The size is the sum of the layers' contents, the figure `docker images`
 * reports for an image.
 */
import { formatBytes } from '../util/bytes.js';
import type { InspectResult } from './inspect.js';

export interface Budgets {
  /** Bytes. */
  maxSize?: number;
  /** Bytes. */
  maxWasted?: number;
  /** Percent, 0..100. */
  minEfficiency?: number;
}

export interface BudgetCheck {
  /** `max-size`, `max-wasted` or `min-efficiency`. */
  name: 'max-size' | 'max-wasted' | 'min-efficiency';
  /** Bytes, or percent for min-efficiency. */
  limit: number;
  actual: number;
  exceeded: boolean;
  /** Where the limit came from: `--max-size` or `inspect.budgets.maxSize`. */
  source: string;
  /** One line, e.g. `image size 1.20 GB exceeds --max-size 1.00 GB`. */
  message: string;
}

export function checkBudgets(
  result: InspectResult,
  budgets: Budgets,
  sources: Partial<Record<keyof Budgets, string>> = {},
): BudgetCheck[] {
  const checks: BudgetCheck[] = [];
  if (budgets.maxSize !== undefined) {
    const actual = result.size.contentBytes;
    const exceeded = actual > budgets.maxSize;
    const source = sources.maxSize ?? '--max-size';
    checks.push({
      name: 'max-size',
      limit: budgets.maxSize,
      actual,
      exceeded,
      source,
      message: `image size ${formatBytes(actual)} ${exceeded ? 'exceeds' : 'is within'} ${source} ${formatBytes(budgets.maxSize)}`,
    });
  }
  if (budgets.maxWasted !== undefined) {
    const actual = result.efficiency.dive.wastedBytes;
    const exceeded = actual > budgets.maxWasted;
    const source = sources.maxWasted ?? '--max-wasted';
    checks.push({
      name: 'max-wasted',
      limit: budgets.maxWasted,
      actual,
      exceeded,
      source,
      message: `wasted bytes ${formatBytes(actual)} ${exceeded ? 'exceed' : 'are within'} ${source} ${formatBytes(budgets.maxWasted)}`,
    });
  }
  if (budgets.minEfficiency !== undefined) {
    const actual = result.efficiency.dive.efficiency * 100;
    const exceeded = actual < budgets.minEfficiency;
    const source = sources.minEfficiency ?? '--min-efficiency';
    checks.push({
      name: 'min-efficiency',
      limit: budgets.minEfficiency,
      actual,
      exceeded,
      source,
      message: `efficiency ${formatPercent(actual)} ${exceeded ? 'is below' : 'meets'} ${source} ${formatPercent(budgets.minEfficiency)}`,
    });
  }
  return checks;
}

/** Percent with at most two decimals, never rounding a failing value up to the limit. */
function formatPercent(value: number): string {
  const floored = Math.floor(value * 100) / 100;
  return `${Number(floored.toFixed(2))}%`;
}

/** `90`, `90%`, `99.5%` → percent. Fractions like 0.9 without `%` are refused: dive's 0.9 is 90 here. */
export function parsePercent(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  if (!match) return undefined;
  const value = Number(match[1]);
  if (value > 100) return undefined;
  if (value < 1 && value !== 0 && match[2] !== '%') return undefined;
  return value;
}
