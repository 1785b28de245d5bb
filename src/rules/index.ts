import { baseRules } from './base/index.js';
import { layerRules } from './layers/index.js';
import { packageRules } from './packages/index.js';
import type { Rule } from './types.js';

/** Every rule pare knows, in documentation order. */
export const allRules: readonly Rule[] = [...baseRules, ...packageRules, ...layerRules];

export function findRule(id: string): Rule | undefined {
  return allRules.find((rule) => rule.meta.id === id);
}

export { lintModel } from './run.js';
export type * from './types.js';
