/**
 * The configuration a command runs with: the config file found for the project
 * (or named by --config), the rule settings it and --disable give, and the
 * catalogue entries it adds, put into effect.
 */
import { allRules } from '../rules/index.js';
import type { RuleSettings } from '../rules/run.js';
import { applyConfig } from './apply.js';
import { loadConfig } from './load.js';
import { ruleSettingsFrom } from './rule-settings.js';
import type { PareConfig } from './schema.js';

export interface ProjectConfig {
  config: PareConfig;
  /** Where the config came from; undefined when there is none. */
  path?: string;
  settings: RuleSettings;
}

export async function loadProjectConfig(options: {
  /** --config, when given. */
  explicitPath?: string | undefined;
  /** Where to search upwards from. */
  startDirectory: string;
  /** --disable: comma-separated rule ids. */
  disable?: string | undefined;
}): Promise<ProjectConfig> {
  const { config, path } = await loadConfig({
    ...(options.explicitPath ? { explicitPath: options.explicitPath } : {}),
    startDirectory: options.startDirectory,
  });
  const disable = options.disable
    ? String(options.disable)
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean)
    : [];
  const settings = ruleSettingsFrom(config, allRules, { disable, ...(path ? { configPath: path } : {}) });
  applyConfig(config, path);
  return { config, ...(path ? { path } : {}), settings };
}
