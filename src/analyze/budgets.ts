/**
 * CI budgets for `pare inspect`: size, wasted bytes and efficiency limits,
 * from flags or the config file's `inspect.budgets`. Waste and efficiency use
 * dive's definitions so a `.dive-ci` threshold carries over unchanged
 * (highestWastedBytes → maxWasted, lowestEfficiency × 100 → minEfficiency).
 * The size is the sum of the layers' contents, the figure `docker images`
 * reports for an image.
 */
import type { PareConfig } from '../config/schema.js';
import { formatBytes, parseBytes } from '../util/bytes.js';
import { PareError } from '../util/errors.js';
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
function parsePercent(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  if (!match) return undefined;
  const value = Number(match[1]);
  if (value > 100) return undefined;
  if (value < 1 && value !== 0 && match[2] !== '%') return undefined;
  return value;
}

/** Budgets as given on the command line (sizes like `500MB`, percentages like `97.5%`). */
export interface BudgetFlags {
  maxSize?: string | number;
  maxWasted?: string | number;
  minEfficiency?: string | number;
}

export type BudgetSources = Partial<Record<keyof Budgets, string>>;

/**
 * The budgets in force: the config file's `inspect.budgets`, each overridden
 * by its flag; `sources` says where each came from. `configPath` names the
 * file in errors about its entries.
 */
export function resolveBudgets(
  config: PareConfig,
  configPath: string | undefined,
  flags: BudgetFlags,
): { budgets: Budgets; sources: BudgetSources } {
  const budgets: Budgets = {};
  const sources: BudgetSources = {};
  const fromConfig = config.inspect?.budgets;
  const where = configPath ?? 'config';
  if (fromConfig?.maxSize !== undefined) {
    budgets.maxSize = sizeOption(fromConfig.maxSize, `${where}: inspect.budgets.maxSize`);
    sources.maxSize = 'inspect.budgets.maxSize';
  }
  if (fromConfig?.maxWasted !== undefined) {
    budgets.maxWasted = sizeOption(fromConfig.maxWasted, `${where}: inspect.budgets.maxWasted`);
    sources.maxWasted = 'inspect.budgets.maxWasted';
  }
  if (fromConfig?.minEfficiency !== undefined) {
    budgets.minEfficiency = fromConfig.minEfficiency;
    sources.minEfficiency = 'inspect.budgets.minEfficiency';
  }
  if (flags.maxSize !== undefined) {
    budgets.maxSize = sizeOption(flags.maxSize, '--max-size');
    sources.maxSize = '--max-size';
  }
  if (flags.maxWasted !== undefined) {
    budgets.maxWasted = sizeOption(flags.maxWasted, '--max-wasted');
    sources.maxWasted = '--max-wasted';
  }
  if (flags.minEfficiency !== undefined) {
    budgets.minEfficiency = percentOption(flags.minEfficiency, '--min-efficiency');
    sources.minEfficiency = '--min-efficiency';
  }
  return { budgets, sources };
}

function sizeOption(value: string | number, subject: string): number {
  const bytes = parseBytes(String(value));
  if (bytes === undefined)
    throw new PareError(`expected a size like 500MB or 1.5GiB, got "${value}"`, { subject });
  return bytes;
}

function percentOption(value: string | number, subject: string): number {
  const percent = parsePercent(String(value));
  if (percent === undefined) {
    throw new PareError(
      `expected a percentage from 0 to 100 like 90 or 97.5%, got "${value}" (dive's 0.9 is 90 here)`,
      { subject },
    );
  }
  return percent;
}
