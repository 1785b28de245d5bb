/** An image's environment (config.Env, `KEY=value` lines), as a map; a line without `=` names nothing. */
import type { ImageConfig } from './types.js';

export function imageEnv(config: ImageConfig | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of config?.config?.Env ?? []) {
    const at = entry.indexOf('=');
    if (at > 0) env[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return env;
}
