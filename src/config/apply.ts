/**
 * Puts a loaded config into effect for the process: the base image catalogue
 * the rules and the fixer consult is the builtin one plus the team's entries.
 */
import { extend, resetCatalogue, type UserBaseImageEntry } from '../catalog/index.js';
import { parseBytes } from '../util/bytes.js';
import { PareError } from '../util/errors.js';
import type { PareConfig } from './schema.js';

export function applyConfig(config: PareConfig, configPath = 'config'): void {
  resetCatalogue();
  const entries = (config.baseImages ?? []).map((entry, index): UserBaseImageEntry => {
    const size = typeof entry.size === 'number' ? entry.size : parseBytes(entry.size);
    if (size === undefined) {
      throw new PareError(
        `baseImages.${index}.size: "${entry.size}" is not a size (e.g. 164MB, 1.2GB, 5000000)`,
        {
          subject: configPath,
        },
      );
    }
    return {
      name: entry.name,
      size,
      libc: entry.libc,
      hasShell: entry.hasShell,
      packageManager: entry.packageManager,
      ...(entry.kind ? { kind: entry.kind } : {}),
      ...(entry.ecosystem ? { ecosystem: entry.ecosystem } : {}),
      ...(entry.env ? { env: entry.env } : {}),
    };
  });
  if (entries.length > 0) extend(entries);
}
