/**
 * Node package-manager facts shared by node-package-cache and
 * npm-dev-dependencies: which commands install, yarn 1 vs yarn berry.
 */
import type { DockerfileModel, Instruction } from '../../dockerfile/types.js';
import { asksOnlyForInformation, hasOption } from '../../knowledge/command-flags.js';
import { firstMatchUpTo } from './common.js';
import type { PackageCommand } from './managers.js';

const NPM_INSTALL = new Set([
  'install',
  'i',
  'in',
  'ins',
  'inst',
  'insta',
  'instal',
  'isnt',
  'isnta',
  'isntal',
  'isntall',
  'add',
  'ci',
  'clean-install',
  'ic',
  'install-clean',
  'isntall-clean',
  'install-ci-test',
  'cit',
  'install-test',
  'it',
  'update',
  'up',
  'upgrade',
]);
const YARN_INSTALL = new Set(['install', 'add', 'upgrade', 'global']);
const PNPM_INSTALL = new Set([
  'install',
  'i',
  'add',
  'update',
  'up',
  'upgrade',
  'fetch',
  'install-test',
  'it',
]);

/** Commands that download packages into the tool's cache. */
export function isNodeInstall(item: PackageCommand): boolean {
  if (item.tool === 'npm') return item.action !== undefined && NPM_INSTALL.has(item.action);
  if (item.tool === 'yarn')
    return item.action === undefined ? !asksOnlyForInformation(item.args) : YARN_INSTALL.has(item.action);
  if (item.tool === 'pnpm') return item.action !== undefined && PNPM_INSTALL.has(item.action);
  return false;
}

/** A project install (`npm ci`, `npm install` with no package names, `yarn`, `pnpm install`). */
export function isProjectInstall(item: PackageCommand): boolean {
  if (hasOption(item.args, '-g', '--global', '--location')) return false;
  const local = item.actionIndex - item.argsOffset;
  const rest = local === -1 ? [] : item.args.slice(local + 1);
  const names = rest.filter(
    (arg, i) =>
      !arg.startsWith('-') &&
      !/^--(?:omit|only|include|cache|prefix|registry|loglevel)$/.test(rest[i - 1] ?? ''),
  );
  if (item.tool === 'npm')
    return (
      ['install', 'i', 'ci', 'clean-install', 'ic', 'install-clean', 'isntall'].includes(item.action ?? '') &&
      names.length === 0
    );
  if (item.tool === 'yarn')
    return (
      (item.action === 'install' || (item.action === undefined && !asksOnlyForInformation(item.args))) &&
      names.length === 0
    );
  if (item.tool === 'pnpm') return (item.action === 'install' || item.action === 'i') && names.length === 0;
  return false;
}

/**
 * Yarn 2+ ("berry") keeps its cache in the project (.yarn/cache) where Plug'n'Play
 * reads it at runtime; `yarn cache clean` there would break the app.
 */
export function usesYarnBerry(model: DockerfileModel, instruction: Instruction): boolean {
  return (
    firstMatchUpTo(model, instruction, 'yarn-berry', (item) => {
      if (item.keyword === 'COPY' || item.keyword === 'ADD') {
        return (
          'sources' in item &&
          item.sources.some((source) =>
            /(?:^|\/)\.yarnrc\.yml$|(?:^|\/)\.yarn\/?$|(?:^|\/)\.pnp\.c?js$/.test(source),
          )
        );
      }
      if (item.keyword === 'RUN')
        return /yarn\s+set\s+version|yarn@[2-9]|yarn@berry|corepack\s+prepare\s+yarn|--immutable\b/.test(
          item.source,
        );
      return false;
    }) !== undefined
  );
}
