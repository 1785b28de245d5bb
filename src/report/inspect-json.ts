/**
 * JSON output of `pare inspect`, schema `pare.inspect/v1`
 * (schemas/inspect-v1.json, documented in docs/inspect.md). Sizes are bytes,
 * ratios are 0..1, layer indexes are 0-based from the bottom.
 */

import type { BudgetCheck } from '../analyze/budgets.js';
import type { InspectResult } from '../analyze/inspect.js';
import { VERSION } from '../version.js';

export function inspectJson(result: InspectResult, budgets?: BudgetCheck[]) {
  const { schemaVersion, ...rest } = result;
  return {
    schemaVersion,
    tool: { name: 'pare' as const, version: VERSION },
    ...rest,
    ...(budgets ? { budgets } : {}),
  };
}

export function renderInspectJson(result: InspectResult, budgets?: BudgetCheck[]): string {
  return `${JSON.stringify(inspectJson(result, budgets), null, 2)}\n`;
}
