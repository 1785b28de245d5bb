import { ARTICLES } from '../../knowledge/articles.js';
import { hasOption } from '../../knowledge/command-flags.js';
import { RPM_MANAGERS, rpmCacheEstimate } from '../../knowledge/packages.js';
import type { Rule, RuleFinding } from '../types.js';
import { deletedLater, distroAt, finalImageRuns, homeAt, isMounted } from './common.js';
import { type PackageCommand, packageCommands } from './managers.js';
import { chainAfter } from './shell-edit.js';

/** `dnf clean all`, `zypper clean -a` / `zypper cc --all`: every cache, metadata included. */
function cleansAll(item: PackageCommand): boolean {
  if (item.tool === 'zypper')
    return (item.action === 'clean' || item.action === 'cc') && hasOption(item.args, '--all', '-a');
  if (item.action !== 'clean') return false;
  const what = item.args.slice(item.actionIndex - item.argsOffset + 1);
  return what.includes('all') || (what.includes('metadata') && what.includes('packages'));
}

/** yum, dnf, microdnf and tdnf share one family of caches; zypper has its own. */
function family(tool: string): string {
  return tool === 'zypper' ? 'zypper' : 'dnf';
}

/**
 * yum/dnf/microdnf/zypper keep repository metadata (tens of MB) and, with
 * keepcache, the packages under /var/cache. Clean them in the RUN that
 * installs. Only the stages of the final image are checked.
 */
export const yumDnfCache: Rule = {
  meta: {
    id: 'yum-dnf-cache',
    title: 'yum/dnf/zypper caches left in the layer (no `clean all`)',
    severity: 'warning',
    fixable: true,
    articles: [ARTICLES.slimming, ARTICLES.minimize],
    judges: 'image',
    hadolint: ['DL3032', 'DL3040', 'DL3036'],
  },
  check({ model }) {
    const findings: RuleFinding[] = [];
    for (const run of finalImageRuns(model)) {
      const all = packageCommands(run).filter((item) => item.tool in RPM_MANAGERS);
      const home = homeAt(model, run);
      for (const group of ['dnf', 'zypper']) {
        const commands = all.filter((item) => family(item.tool) === group);
        const installs = commands.filter(
          (item) => item.action !== undefined && RPM_MANAGERS[item.tool]!.installActions.has(item.action),
        );
        if (installs.length === 0) continue;
        const first = installs[0]!;
        const last = installs[installs.length - 1]!;
        const manager = RPM_MANAGERS[first.tool]!;
        if (manager.cacheDirs.some((dir) => isMounted(run, dir))) continue;
        if (commands.some((item) => item.index > last.index && cleansAll(item))) continue;
        if (manager.cacheDirs.some((dir) => deletedLater(run, last.index, `${dir}/x`, home))) continue;
        const clean = RPM_MANAGERS[last.tool]!.clean;
        const fix = chainAfter(model, run, commands[commands.length - 1]!.command, clean);
        const saving = rpmCacheEstimate(distroAt(model, run), first.tool);
        findings.push({
          message: `\`${first.tool} ${first.action}\` leaves repository metadata and packages in ${group === 'zypper' ? '/var/cache/zypp' : first.tool === 'tdnf' ? '/var/cache/tdnf' : '/var/cache/{dnf,yum}'}; add \`${clean}\` to this RUN`,
          range: first.command.range,
          saving,
          ...(fix ? { fix: [fix] } : {}),
          hint: `or mount a cache: RUN --mount=type=cache,target=${manager.cacheDirs[0]}`,
        });
      }
    }
    return findings;
  },
};
