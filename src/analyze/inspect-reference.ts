/**
 * `pare inspect IMAGE` as one call: open the image the reference names, read
 * it into the inspect report (inspect.ts), close it, and hold the report to
 * the budgets. Progress goes out through callbacks; nothing is printed.
 */
import { openImage } from '../image/open.js';
import { type BudgetCheck, type BudgetSources, type Budgets, checkBudgets } from './budgets.js';
import { type InspectOptions, type InspectResult, inspectImage } from './inspect.js';

export interface InspectReferenceOptions extends InspectOptions {
  /** Which image of a multi-platform index (`os/arch[/variant]`). */
  platform?: string;
  /** How long a registry image may take to read. */
  timeoutMs?: number;
  /** Bytes received so far from a registry, as they arrive. */
  onReceived?: (bytes: number) => void;
  budgets?: Budgets;
  /** Where each budget came from, for its message (default: its flag). */
  budgetSources?: BudgetSources;
}

export interface InspectReferenceResult {
  result: InspectResult;
  /** One per budget given; `exceeded` says which failed. */
  checks: BudgetCheck[];
}

export async function inspectReference(
  reference: string,
  options: InspectReferenceOptions = {},
): Promise<InspectReferenceResult> {
  const { platform, timeoutMs, onReceived, budgets, budgetSources, ...inspectOptions } = options;
  const image = await openImage(reference, {
    ...(platform ? { platform } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(onReceived ? { onReceived } : {}),
  });
  let result: InspectResult;
  try {
    result = await inspectImage(image, inspectOptions);
  } finally {
    await image.close();
  }
  return { result, checks: checkBudgets(result, budgets ?? {}, budgetSources) };
}
