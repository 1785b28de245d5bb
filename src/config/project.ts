/**
 * The configuration a command runs with: the config file found for the project
 * (or named by --config), the rule settings it and --disable give, and the
 * catalogue entries it adds, put into effect.
 */
import { allRules } from '../rules/index.js';
import type { RuleSettings } from '../rules/run.js';
import { logger } from '../util/logger.js';
import { applyConfig } from './apply.js';
import { configFromHadolint, findHadolintConfig, readHadolintConfig } from './hadolint.js';
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
  const loaded = await loadConfig({
    ...(options.explicitPath ? { explicitPath: options.explicitPath } : {}),
    startDirectory: options.startDirectory,
  });
  const { config, path } =
    loaded.path === undefined ? await hadolintFallback(options.startDirectory) : loaded;
  logger.verbose(path ? `config: ${path}` : 'config: none found, the defaults apply');
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

/** With no pare config, a hadolint user's .hadolint.yaml says which rules are off and when to fail. */
async function hadolintFallback(startDirectory: string): Promise<{ config: PareConfig; path?: string }> {
  const found = await findHadolintConfig(startDirectory);
  if (!found) return { config: {} };
  const hadolint = readHadolintConfig(found.text);
  for (const problem of hadolint.problems) logger.warn(`${found.path}: ${problem}; ignored`);
  return { config: configFromHadolint(hadolint, allRules), path: found.path };
}
