import type { RuleSettings } from '../rules/run.js';
import type { Rule, Severity } from '../rules/types.js';
import { PareError } from '../util/errors.js';
import type { PareConfig } from './schema.js';

/** Merges config `rules` with `--disable` ids, rejecting ids no rule has. */
export function ruleSettingsFrom(
  config: PareConfig,
  rules: readonly Rule[],
  options: { disable?: string[]; configPath?: string } = {},
): RuleSettings {
  const known = new Set(rules.map((rule) => rule.meta.id));
  const disabled = new Set<string>();
  const severities = new Map<string, Severity>();
  for (const [id, setting] of Object.entries(config.rules ?? {})) {
    if (!known.has(id)) {
      throw new PareError(`unknown rule "${id}" in "rules" (run "pare rules" for the list)`, {
        subject: options.configPath ?? 'config',
      });
    }
    if (setting === 'off') disabled.add(id);
    else severities.set(id, setting);
  }
  for (const id of options.disable ?? []) {
    if (!known.has(id))
      throw new PareError(`unknown rule "${id}" (run "pare rules" for the list)`, { subject: '--disable' });
    disabled.add(id);
  }
  return { disabled, severities };
}
