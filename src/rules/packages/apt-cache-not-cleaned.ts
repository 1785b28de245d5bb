import type { DockerfileModel, Instruction, RunInstruction } from '../../dockerfile/types.js';
import { ARTICLES } from '../../knowledge/articles.js';
import { APT } from '../../knowledge/packages.js';
import type { Rule, RuleFinding } from '../types.js';
import {
  deletedLater,
  deletes,
  finalImageRuns,
  firstMatchUpTo,
  homeAt,
  isMounted,
  packageOperands,
} from './common.js';
import { isApt, type PackageCommand, packageCommands } from './managers.js';
import { chainAfter } from './shell-edit.js';

const KEEP_DEBS = /Keep-Downloaded-Packages\s*(?:=\s*|\s+)["']?(?:true|1|yes|on)\b/i;

/**
 * Where the docker-clean hook that official Debian/Ubuntu images ship was
 * deleted (or apt was told to keep .debs) before or in this RUN: then nothing
 * cleans the archives automatically.
 */
function autoCleanDisabledAt(model: DockerfileModel, run: RunInstruction): Instruction | undefined {
  return firstMatchUpTo(model, run, 'apt-docker-clean-off', (item) => {
    if (item.keyword !== 'RUN') return false;
    const other = item as RunInstruction;
    return (
      KEEP_DEBS.test(other.source) ||
      other.script.commands.some((command) => deletes(command, APT.dockerCleanConfig, '/root'))
    );
  });
}

/** Installs of local .deb files (`apt-get install ./pkg.deb`) download nothing into the archives. */
function installsOnlyLocalFiles(item: PackageCommand): boolean {
  const operands = packageOperands({ ...item.command, args: item.args }, APT.optionsWithValue);
  return (
    operands.length > 0 && operands.every((operand) => operand.includes('/') && operand.endsWith('.deb'))
  );
}

/**
 * `apt-get install` keeps the downloaded .deb files in /var/cache/apt/archives
 * unless something deletes them. Official Debian and Ubuntu images, and every
 * image built on them, delete them after each install
 * (/etc/apt/apt.conf.d/docker-clean), and an unknown base most likely is one
 * of those: so this is reported only where the Dockerfile itself turned that
 * hook off (the BuildKit cache-mount recipe deletes it) and the RUN neither
 * cleans nor mounts the archives.
 */
export const aptCacheNotCleaned: Rule = {
  meta: {
    id: 'apt-cache-not-cleaned',
    title: 'Downloaded .deb archives left in /var/cache/apt after the docker-clean hook was turned off',
    severity: 'warning',
    fixable: true,
    articles: [ARTICLES.slimming],
    judges: 'image',
  },
  check({ model }) {
    const findings: RuleFinding[] = [];
    for (const run of finalImageRuns(model)) {
      if (isMounted(run, APT.archivesDir)) continue;
      const disabledBy = autoCleanDisabledAt(model, run);
      if (!disabledBy) continue;
      const apt = packageCommands(run).filter(isApt);
      // `apt` (not apt-get) deletes downloaded packages itself (Binary::apt::APT::Keep-Downloaded-Packages "false").
      const installs = apt.filter(
        (item) =>
          item.tool === 'apt-get' &&
          item.action !== undefined &&
          APT.installActions.has(item.action) &&
          !installsOnlyLocalFiles(item),
      );
      if (installs.length === 0) continue;
      const last = installs[installs.length - 1]!;
      const cleaned = apt.some((item) => item.index > last.index && item.action === 'clean');
      if (cleaned || deletedLater(run, last.index, `${APT.archivesDir}/x.deb`, homeAt(model, run))) continue;
      const fix = chainAfter(model, run, apt[apt.length - 1]!.command, 'apt-get clean');
      findings.push({
        message: `\`apt-get ${last.action}\` leaves the downloaded .deb files in /var/cache/apt/archives: the docker-clean hook is off since line ${disabledBy.range.start.line + 1}; add \`apt-get clean\` to this RUN`,
        range: last.command.range,
        ...(fix ? { fix: [fix] } : {}),
        hint: 'or mount a cache: RUN --mount=type=cache,target=/var/cache/apt,sharing=locked',
      });
    }
    return findings;
  },
};
