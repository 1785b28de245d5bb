import type { RunInstruction } from '../../dockerfile/types.js';
import { ARTICLES } from '../../knowledge/articles.js';
import { hasOption } from '../../knowledge/command-flags.js';
import { APK } from '../../knowledge/packages.js';
import type { Rule, RuleFinding, TextEdit } from '../types.js';
import { deletedLater, finalImageRuns, homeAt, isMounted } from './common.js';
import { type PackageCommand, packageCommands } from './managers.js';
import { chainAfter, deleteArg, insertAfterArg } from './shell-edit.js';

const INDEX_FILE = `${APK.cacheDir}/APKINDEX.00000000.tar.gz`;

/**
 * apk commands that store the package index (and packages, with a cache set
 * up) in /var/cache/apk. `--no-network` fetches nothing: it installs from the
 * index and cache already there (the official images' `apk add --no-network
 * --virtual .rundeps $runDeps` after a build).
 */
function writesCache(item: PackageCommand): boolean {
  if (item.tool !== 'apk' || hasOption(item.args, '--no-cache', '--no-network')) return false;
  return (
    item.action === 'update' || item.action === 'add' || item.action === 'upgrade' || item.action === 'fix'
  );
}

function isUpdate(item: PackageCommand): boolean {
  return item.action === 'update' || item.action === 'upgrade';
}

/** `--no-cache` after `add`, and the `--update`/`-U` that --no-cache makes redundant dropped. */
function noCacheFix(
  run: RunInstruction,
  item: PackageCommand,
  model: Parameters<typeof insertAfterArg>[0],
): TextEdit[] | undefined {
  const insert = insertAfterArg(model, run, item.command, item.actionIndex, '--no-cache');
  if (!insert) return undefined;
  const edits = [insert];
  item.command.args.forEach((arg, index) => {
    if (index < item.argsOffset || (arg !== '--update' && arg !== '-U')) return;
    const removal = deleteArg(model, run, item.command, index);
    if (removal) edits.push(removal);
  });
  return edits;
}

/**
 * `apk add` without --no-cache, and `apk update`, store the APKINDEX files in
 * /var/cache/apk; they ship with the layer unless removed in the same RUN.
 * Only the stages of the final image are checked.
 */
export const apkCache: Rule = {
  meta: {
    id: 'apk-cache',
    title: 'apk index cache left in the layer (`apk add` without --no-cache)',
    severity: 'warning',
    fixable: true,
    articles: [ARTICLES.slimming, ARTICLES.bestPractices],
    judges: 'image',
    hadolint: ['DL3019'],
  },
  check({ model }) {
    const findings: RuleFinding[] = [];
    for (const run of finalImageRuns(model)) {
      if (isMounted(run, APK.cacheDir) || isMounted(run, APK.etcCacheDir)) continue;
      const apk = packageCommands(run).filter((item) => item.tool === 'apk');
      const writers = apk.filter(writesCache);
      if (writers.length === 0) continue;
      const last = writers[writers.length - 1]!;
      if (deletedLater(run, last.index, INDEX_FILE, homeAt(model, run))) continue;
      const saving = APK.indexEstimate;
      const update = writers.find(isUpdate);
      if (update) {
        // One finding: the index from `apk update` stays whatever the adds do; removing the cache fixes all.
        const fix = chainAfter(model, run, apk[apk.length - 1]!.command, 'rm -rf /var/cache/apk/*');
        findings.push({
          message: `\`apk ${update.action}\` stores the package index in /var/cache/apk and this RUN does not remove it; use \`apk add --no-cache\` instead`,
          range: update.command.range,
          saving,
          ...(fix ? { fix: [fix] } : {}),
          hint: '`apk add --no-cache` fetches a fresh index without storing it, so `apk update` is not needed',
        });
        continue;
      }
      writers.forEach((item, position) => {
        const fix = noCacheFix(run, item, model);
        findings.push({
          message: '`apk add` without --no-cache stores the package index in /var/cache/apk; add --no-cache',
          range: item.command.range,
          // The index is stored once per RUN.
          ...(position === 0 ? { saving } : {}),
          ...(fix ? { fix } : {}),
        });
      });
    }
    return findings;
  },
};
