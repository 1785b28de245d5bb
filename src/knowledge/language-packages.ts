/**
 * What pare knows about the package managers of PHP, Ruby, conda and the
 * Python project tools (uv, poetry): which command lines install, where each
 * keeps its download cache, what empties it, and how each leaves development
 * dependencies out. Pure data and predicates over a parsed command.
 */
import type { ShellCommand } from '../dockerfile/types.js';

/** Non-option words of a command, in order (values of `--opt value` are not told apart). */
function words(command: ShellCommand): string[] {
  return command.args.filter((arg) => !arg.startsWith('-'));
}

function has(command: ShellCommand, ...flags: string[]): boolean {
  return command.args.some((arg) => flags.some((flag) => arg === flag || arg.startsWith(`${flag}=`)));
}

export type LanguageTool = 'composer' | 'bundler' | 'conda' | 'uv' | 'poetry';

/** A command that installs packages with one of these tools (and fills its cache). */
export interface LanguageInstall {
  tool: LanguageTool;
  /** `composer install`, `bundle install`… as shown in messages. */
  what: string;
}

const CONDA = new Set(['conda', 'mamba', 'micromamba']);

export function languageInstall(command: ShellCommand): LanguageInstall | undefined {
  const { program } = command;
  const [verb, second] = words(command);
  if ((program === 'composer' || program === 'composer.phar') && verb !== undefined) {
    if (['install', 'update', 'require', 'i', 'u'].includes(verb))
      return { tool: 'composer', what: `composer ${verb}` };
    return undefined;
  }
  if (program === 'bundle' || program === 'bundler') {
    if (verb === 'install' || (verb === undefined && !informational(command)))
      return { tool: 'bundler', what: 'bundle install' };
    return undefined;
  }
  if (CONDA.has(program) && verb !== undefined) {
    if (verb === 'install' || verb === 'create' || verb === 'update' || verb === 'upgrade')
      return { tool: 'conda', what: `${program} ${verb}` };
    if (verb === 'env' && (second === 'create' || second === 'update'))
      return { tool: 'conda', what: `${program} env ${second}` };
    return undefined;
  }
  if (program === 'uv') {
    if (verb === 'sync' || verb === 'add' || (verb === 'pip' && second === 'install'))
      return { tool: 'uv', what: verb === 'pip' ? 'uv pip install' : `uv ${verb}` };
    if (verb === 'tool' && second === 'install') return { tool: 'uv', what: 'uv tool install' };
    return undefined;
  }
  if (program === 'poetry' && (verb === 'install' || verb === 'add' || verb === 'update'))
    return { tool: 'poetry', what: `poetry ${verb}` };
  return undefined;
}

function informational(command: ShellCommand): boolean {
  return has(command, '--version', '-v', '--help', '-h');
}

// ---------------------------------------------------------------- caches

/** What a tool's install leaves, and where, given the variables visible to the command. */
export interface CacheLocation {
  /** The directory the cache lives in; undefined when it cannot be known. */
  dir: string | undefined;
  /** Shown in messages: "Composer's download cache". */
  label: string;
  /** A command appended to the RUN that empties it, when there is one. */
  clean?: string;
}

export interface CacheQuery {
  command: ShellCommand;
  home: string;
  variable: (name: string) => string | undefined;
}

/** Where the install's cache goes, or undefined when this install keeps none. */
export function cacheOf(install: LanguageInstall, query: CacheQuery): CacheLocation | undefined {
  const { command, home, variable } = query;
  switch (install.tool) {
    case 'composer': {
      if (has(command, '--no-cache')) return undefined;
      const dir =
        variable('COMPOSER_CACHE_DIR') ??
        (variable('COMPOSER_HOME') ? `${variable('COMPOSER_HOME')}/cache` : undefined) ??
        `${variable('XDG_CACHE_HOME') ?? `${home}/.cache`}/composer`;
      if (dir === '/dev/null') return undefined;
      return { dir, label: "Composer's download cache", clean: 'composer clear-cache' };
    }
    case 'bundler': {
      // RubyGems keeps every downloaded .gem in <gem dir>/cache; Bundler installs into BUNDLE_PATH/ruby/<version>.
      const bundlePath = variable('BUNDLE_PATH');
      const gemHome = variable('GEM_HOME');
      const dir = bundlePath ? `${bundlePath}/ruby/*/cache` : gemHome ? `${gemHome}/cache` : undefined;
      return { dir, label: 'the downloaded .gem files' };
    }
    case 'conda': {
      const root = variable('CONDA_PKGS_DIRS')?.split(',')[0] ?? condaRoot(variable);
      return {
        dir: root === undefined ? undefined : root.endsWith('/pkgs') ? root : `${root}/pkgs`,
        label: 'the conda package cache (tarballs and their extracted copies)',
        clean: `${command.program} clean -afy`,
      };
    }
    case 'uv': {
      if (has(command, '--no-cache', '-n') || truthy(variable('UV_NO_CACHE'))) return undefined;
      const dir = variable('UV_CACHE_DIR') ?? `${variable('XDG_CACHE_HOME') ?? `${home}/.cache`}/uv`;
      return { dir, label: "uv's cache", clean: 'uv cache clean' };
    }
    case 'poetry': {
      if (has(command, '--no-cache')) return undefined;
      const dir =
        variable('POETRY_CACHE_DIR') ?? `${variable('XDG_CACHE_HOME') ?? `${home}/.cache`}/pypoetry`;
      return { dir, label: "Poetry's cache" };
    }
  }
}

/** Where conda lives: the images' variables, else /opt/conda (continuumio, jupyter and micromamba images). */
function condaRoot(variable: (name: string) => string | undefined): string {
  return variable('CONDA_DIR') ?? variable('MAMBA_ROOT_PREFIX') ?? '/opt/conda';
}

function truthy(value: string | undefined): boolean {
  return value !== undefined && !['', '0', 'false', 'no', 'off'].includes(value.toLowerCase());
}

/** Commands that empty the tool's cache when they run after the install. */
export function cleansCache(tool: LanguageTool, command: ShellCommand): boolean {
  const [verb, second] = words(command);
  switch (tool) {
    case 'composer':
      return (
        (command.program === 'composer' || command.program === 'composer.phar') &&
        (verb === 'clear-cache' || verb === 'clearcache' || verb === 'cc')
      );
    case 'conda':
      return CONDA.has(command.program) && verb === 'clean' && has(command, '-a', '--all', '-afy', '-ay');
    case 'uv':
      return command.program === 'uv' && verb === 'cache' && (second === 'clean' || second === 'prune');
    case 'poetry':
      return command.program === 'poetry' && verb === 'cache' && second === 'clear';
    case 'bundler':
      return false;
  }
}

// ---------------------------------------------------------------- development dependencies

/** How an install is told to leave development dependencies out, for messages. */
export const WITHOUT_DEV: Readonly<Record<'composer' | 'bundler' | 'uv' | 'poetry' | 'pipenv', string>> = {
  composer: '--no-dev',
  bundler: "bundle config set --local without 'development test'",
  uv: '--no-dev',
  poetry: '--only main',
  pipenv: 'pipenv install without --dev',
};

/** Requirement files that list development or test dependencies. */
export const DEV_REQUIREMENTS =
  /(?:^|\/)(?:requirements[-_.]?(?:dev|devel|development|test|tests|testing|lint|ci)|(?:dev|test|tests|testing)[-_]requirements)\.(?:txt|in)$/i;

/** Programs that run a test suite: an image started with one is a test image. */
export const TEST_RUNNERS = new Set(['pytest', 'py.test', 'tox', 'nox', 'phpunit', 'pest', 'rspec']);
