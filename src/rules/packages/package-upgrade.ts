import { ARTICLES } from '../../knowledge/articles.js';
import type { Rule, RuleFinding } from '../types.js';
import { finalImageRuns } from './common.js';
import { type PackageCommand, packageCommands } from './managers.js';

const APT_UPGRADES = new Set(['upgrade', 'dist-upgrade', 'full-upgrade']);
const RPM_UPGRADES = new Set(['update', 'upgrade', 'up', 'distro-sync', 'dist-upgrade', 'dup']);

/** An upgrade of every installed package (not of named ones: those are installs). */
function upgradesEverything(item: PackageCommand): boolean {
  if (item.action === undefined) return false;
  const local = item.actionIndex - item.argsOffset;
  const named = item.args.slice(local + 1).some((arg) => !arg.startsWith('-'));
  if (item.tool === 'apt-get' || item.tool === 'apt') return APT_UPGRADES.has(item.action) && !named;
  if (item.tool === 'apk') return item.action === 'upgrade' && !named;
  if (item.tool === 'npm' || item.tool === 'yarn' || item.tool === 'pnpm' || item.tool === 'pip')
    return false;
  return RPM_UPGRADES.has(item.action) && !named;
}

/**
 * `apt-get upgrade`, `apk upgrade`, `dnf update` rewrite every upgraded
 * package's files in a new layer while the old versions stay in the base
 * layers below: the image carries both. A newer base tag brings the same
 * fixes without the duplicate. Reported as info: patching on purpose is a
 * security choice, and the size depends on how stale the base is.
 */
export const packageUpgrade: Rule = {
  meta: {
    id: 'package-upgrade',
    title: 'Distribution upgrade in the image: upgraded files are stored twice',
    severity: 'info',
    fixable: false,
    articles: [ARTICLES.minimize],
    judges: 'image',
    hadolint: ['DL3005', 'DL3017', 'DL3031', 'DL3035', 'DL3039'],
  },
  check({ model }) {
    const findings: RuleFinding[] = [];
    for (const run of finalImageRuns(model)) {
      for (const item of packageCommands(run)) {
        if (item.command.conditional || !upgradesEverything(item)) continue;
        findings.push({
          message: `\`${item.tool} ${item.action}\` rewrites every upgraded package's files in this layer while the old versions stay in the base image's layers: both ship; use a newer base tag (or rebuild on the latest one)`,
          range: item.command.range,
          hint: 'pin a recent tag of the base and rebuild regularly; if a fix cannot wait, upgrade only the affected packages (apt-get install --only-upgrade PACKAGE)',
        });
      }
    }
    return findings;
  },
};
