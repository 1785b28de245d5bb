import type { DockerfileModel, Instruction, RunInstruction } from '../../dockerfile/types.js';
import { ARTICLES } from '../../knowledge/articles.js';
import { hasOption } from '../../knowledge/command-flags.js';
import { APT } from '../../knowledge/packages.js';
import type { Rule, RuleFinding } from '../types.js';
import { environmentAt, finalImageRuns, firstMatchUpTo, packageOperands } from './common.js';
import { isApt, type PackageCommand, packageCommands } from './managers.js';
import { insertAfterArg } from './shell-edit.js';

const RECOMMENDS_OFF = /APT::Install-Recommends\s*(?:=\s*|\s+)["']?(?:false|0|no|off)\b/i;

/** `-o APT::Install-Recommends=false` (or `=0`) on the command line. */
function recommendsOffOption(args: readonly string[]): boolean {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value =
      arg === '-o' || arg === '--option'
        ? args[i + 1]
        : arg.startsWith('-o')
          ? arg.slice(2)
          : arg.startsWith('--option=')
            ? arg.slice(9)
            : undefined;
    if (value !== undefined && RECOMMENDS_OFF.test(value.replace(/^=/, ''))) return true;
  }
  return false;
}

/** An apt config turning recommends off, written by this RUN or an earlier one, or copied in. */
function configTurnsRecommendsOff(model: DockerfileModel, run: RunInstruction): boolean {
  return (
    firstMatchUpTo(model, run, 'apt-recommends-off', (item: Instruction) => {
      if (item.keyword === 'RUN') return RECOMMENDS_OFF.test(item.source);
      if ((item.keyword === 'COPY' || item.keyword === 'ADD') && 'destination' in item) {
        return item.destination.startsWith('/etc/apt/apt.conf');
      }
      return false;
    }) !== undefined
  );
}

/**
 * Recommended packages are pulled in by default and are often larger than
 * what was asked for (`apt-get install python3-pip` brings a compiler chain).
 * Reported for the stages of the final image only: in a build stage they cost
 * build time, not image size.
 */
export const aptNoInstallRecommends: Rule = {
  meta: {
    id: 'apt-no-install-recommends',
    title: '`apt-get install` without --no-install-recommends',
    severity: 'warning',
    fixable: true,
    articles: [ARTICLES.minimize],
    judges: 'image',
    hadolint: ['DL3015'],
  },
  check({ model }) {
    const findings: RuleFinding[] = [];
    for (const run of finalImageRuns(model)) {
      const installs = packageCommands(run).filter(
        (item: PackageCommand) => isApt(item) && item.action === 'install',
      );
      if (installs.length === 0) continue;
      if (configTurnsRecommendsOff(model, run) || environmentAt(model, run).APT_CONFIG) continue;
      for (const item of installs) {
        // `--install-recommends` is an explicit choice: respected.
        if (
          hasOption(item.args, '--no-install-recommends', '--install-recommends') ||
          recommendsOffOption(item.args)
        )
          continue;
        const packages = packageOperands({ ...item.command, args: item.args }, APT.optionsWithValue);
        if (packages.length === 0) continue;
        const fix = insertAfterArg(model, run, item.command, item.actionIndex, '--no-install-recommends');
        const shown = packages.length > 3 ? `${packages.slice(0, 3).join(' ')} …` : packages.join(' ');
        findings.push({
          message: `\`${item.tool} install ${shown}\` also installs every recommended package; add --no-install-recommends`,
          range: item.command.range,
          ...(fix ? { fix: [fix] } : {}),
          hint: 'list the recommended packages you really need explicitly',
        });
      }
    }
    return findings;
  },
};
