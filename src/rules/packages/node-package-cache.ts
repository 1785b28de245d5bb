import { ARTICLES } from '../../knowledge/articles.js';
import { NODE_CACHES } from '../../knowledge/packages.js';
import type { Rule, RuleFinding } from '../types.js';
import {
  deletedLater,
  environmentAt,
  finalImageRuns,
  hasMountEndingWith,
  homeAt,
  isMounted,
  normalisePath,
  optionValue,
  variableFor,
  workdirAt,
} from './common.js';
import { type PackageCommand, packageCommands } from './managers.js';
import { isNodeInstall, usesYarnBerry } from './node.js';
import { chainAfter } from './shell-edit.js';

const CLEAN: Record<string, string> = { npm: 'npm cache clean --force', yarn: 'yarn cache clean' };

/** `npm cache clean --force`, `yarn cache clean`, `pnpm store prune` after the install. */
function cleansCache(item: PackageCommand): boolean {
  const rest = item.args.slice(item.actionIndex - item.argsOffset + 1);
  if (item.tool === 'npm')
    return item.action === 'cache' && (rest[0] === 'clean' || rest[0] === 'clear' || rest[0] === 'rm');
  if (item.tool === 'yarn') return item.action === 'cache' && rest[0] === 'clean';
  if (item.tool === 'pnpm') return item.action === 'store' && rest[0] === 'prune';
  return false;
}

/**
 * npm, yarn and pnpm keep a copy of every package they download (the npm
 * cache in ~/.npm, yarn's in /usr/local/share/.cache/yarn, pnpm's store). In
 * the final image that is a second, compressed copy of node_modules.
 */
export const nodePackageCache: Rule = {
  meta: {
    id: 'node-package-cache',
    title: 'npm/yarn/pnpm package cache left in the image',
    severity: 'warning',
    fixable: true,
    articles: [ARTICLES.slimming, ARTICLES.minimize],
    judges: 'image',
    hadolint: ['DL3060'],
  },
  check({ model }) {
    const findings: RuleFinding[] = [];
    for (const run of finalImageRuns(model)) {
      const node = packageCommands(run).filter(
        (item) => item.tool === 'npm' || item.tool === 'yarn' || item.tool === 'pnpm',
      );
      if (node.length === 0) continue;
      const env = environmentAt(model, run);
      const home = homeAt(model, run);
      const cwd = workdirAt(model, run);
      for (const tool of ['npm', 'yarn', 'pnpm']) {
        const mine = node.filter((item) => item.tool === tool);
        const installs = mine.filter(isNodeInstall);
        if (installs.length === 0) continue;
        if (tool === 'yarn' && usesYarnBerry(model, run)) continue;
        const first = installs[0]!;
        const last = installs[installs.length - 1]!;
        if (mine.some((item) => item.index > last.index && cleansCache(item))) continue;
        const v = (name: string) => variableFor(run, last.command, env, name);
        let explicit: string | undefined;
        let defaults: string[];
        if (tool === 'npm') {
          explicit = optionValue(last.args, '--cache') ?? v('npm_config_cache') ?? v('NPM_CONFIG_CACHE');
          defaults = [NODE_CACHES.npm(home)];
        } else if (tool === 'yarn') {
          explicit =
            optionValue(last.args, '--cache-folder') ?? v('YARN_CACHE_FOLDER') ?? v('yarn_cache_folder');
          defaults = [NODE_CACHES.yarn(home), ...NODE_CACHES.yarnAlternatives(home)];
        } else {
          explicit =
            optionValue(last.args, '--store-dir') ?? v('npm_config_store_dir') ?? v('NPM_CONFIG_STORE_DIR');
          defaults = [NODE_CACHES.pnpm(home), ...NODE_CACHES.pnpmAlternatives(home)];
        }
        const cacheDir = normalisePath(explicit ?? defaults[0]!, home, cwd);
        const candidates = explicit !== undefined ? [cacheDir] : defaults;
        if (candidates.some((dir) => isMounted(run, dir))) continue;
        if (
          explicit === undefined &&
          hasMountEndingWith(
            run,
            '/.npm',
            '/.cache/yarn',
            '/.yarn/berry/cache',
            '/pnpm/store',
            '/.pnpm-store',
            '/pnpm',
          )
        )
          continue;
        if (candidates.some((dir) => deletedLater(run, last.index, `${dir}/x`, home, cwd))) continue;
        const clean = CLEAN[tool];
        const fix = clean ? chainAfter(model, run, mine[mine.length - 1]!.command, clean) : undefined;
        const action = first.action === undefined ? tool : `${tool} ${first.action}`;
        findings.push({
          message:
            tool === 'pnpm'
              ? `\`${action}\` leaves the pnpm store in ${cacheDir} in this layer (its files are mostly hard-linked into node_modules, its index and metadata are not); use a cache mount`
              : `\`${action}\` leaves its package cache in ${cacheDir}, a second copy of the dependencies in this layer; add \`${clean}\` to this RUN`,
          range: first.command.range,
          // pnpm's store shares most bytes with node_modules through hard links: a minor cost.
          ...(tool === 'pnpm' ? { severity: 'info' as const } : {}),
          ...(fix ? { fix: [fix] } : {}),
          hint: `or mount a cache: RUN --mount=type=cache,target=${cacheDir} …`,
        });
      }
    }
    return findings;
  },
};
