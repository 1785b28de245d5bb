import { startInstructions } from '../../dockerfile/stages.js';
import type { DockerfileModel, Instruction, RunInstruction, ShellCommand } from '../../dockerfile/types.js';
import { ARTICLES } from '../../knowledge/articles.js';
import { pipArgs } from '../../knowledge/ecosystems.js';
import { DEV_REQUIREMENTS, TEST_RUNNERS, WITHOUT_DEV } from '../../knowledge/language-packages.js';
import type { Rule, RuleFinding, TextEdit } from '../types.js';
import { environmentAt, finalImageRuns, firstMatchUpTo, variableFor } from './common.js';
import { insertAfterArg } from './shell-edit.js';

function has(args: readonly string[], ...flags: string[]): boolean {
  return args.some((arg) => flags.some((flag) => arg === flag || arg.startsWith(`${flag}=`)));
}

function truthy(value: string | undefined): boolean {
  return value !== undefined && !['', '0', 'false', 'no', 'off'].includes(value.toLowerCase());
}

function verbIndex(command: ShellCommand): number {
  return command.args.findIndex((arg) => !arg.startsWith('-'));
}

const BUNDLE_WITHOUT_CONFIG =
  /bundle\s+config\s+(?:set\s+)?(?:--(?:local|global)\s+)?without\b|BUNDLE_WITHOUT\s*[=:]|BUNDLE_ONLY\s*[=:]/;

/** A `bundle config … without …` (or BUNDLE_WITHOUT) earlier in the stage chain, or a copied Bundler config. */
function bundlerExcludesGroups(model: DockerfileModel, run: RunInstruction, command: ShellCommand): boolean {
  const position = run.script.commands.indexOf(command);
  const earlierInRun = run.script.commands
    .slice(0, position)
    .some((other) => BUNDLE_WITHOUT_CONFIG.test(`${other.name} ${other.args.join(' ')}`));
  if (earlierInRun) return true;
  return (
    firstMatchUpTo(model, run, 'bundler-without', (item: Instruction) => {
      if (item === run) return false;
      if (item.keyword === 'RUN') return BUNDLE_WITHOUT_CONFIG.test(item.source);
      // A copied .bundle/config may set it: pare cannot read it.
      return (
        (item.keyword === 'COPY' || item.keyword === 'ADD') &&
        'sources' in item &&
        item.sources.some((source) => /(?:^|\/)\.bundle(?:\/config)?\/?$/.test(source))
      );
    }) !== undefined
  );
}

interface DevInstall {
  what: string;
  instead: string;
  fix?: TextEdit;
}

/** Whether a command installs the development dependencies of the project, and how not to. */
function devInstall(
  model: DockerfileModel,
  run: RunInstruction,
  command: ShellCommand,
  env: Readonly<Record<string, string>>,
): DevInstall | undefined {
  const { program, args } = command;
  const verb = args[verbIndex(command)];
  const variable = (name: string) => variableFor(run, command, env, name);
  if ((program === 'composer' || program === 'composer.phar') && (verb === 'install' || verb === 'i')) {
    if (has(args, '--no-dev') || truthy(variable('COMPOSER_NO_DEV'))) return undefined;
    const fix = insertAfterArg(model, run, command, verbIndex(command), WITHOUT_DEV.composer);
    return { what: `composer ${verb}`, instead: `add ${WITHOUT_DEV.composer}`, ...(fix ? { fix } : {}) };
  }
  if ((program === 'bundle' || program === 'bundler') && (verb === 'install' || verb === undefined)) {
    if (verb === undefined && has(args, '--version', '-v', '--help', '-h')) return undefined;
    if (has(args, '--without', '--only') || variable('BUNDLE_WITHOUT') || variable('BUNDLE_ONLY'))
      return undefined;
    if (bundlerExcludesGroups(model, run, command)) return undefined;
    return {
      what: 'bundle install',
      instead: `run \`${WITHOUT_DEV.bundler}\` first (or ENV BUNDLE_WITHOUT=development:test)`,
    };
  }
  if (program === 'poetry' && verb === 'install') {
    if (has(args, '--only', '--without', '--no-dev', '--only-root')) return undefined;
    return { what: 'poetry install', instead: `add ${WITHOUT_DEV.poetry} (or --without dev)` };
  }
  if (program === 'uv' && verb === 'sync') {
    if (has(args, '--no-dev', '--only-group', '--no-default-groups') || truthy(variable('UV_NO_DEV')))
      return undefined;
    const fix = insertAfterArg(model, run, command, verbIndex(command), WITHOUT_DEV.uv);
    return { what: 'uv sync', instead: `add ${WITHOUT_DEV.uv}`, ...(fix ? { fix } : {}) };
  }
  if (program === 'pipenv' && verb === 'install' && has(args, '--dev', '-d')) {
    return { what: 'pipenv install --dev', instead: 'drop --dev' };
  }
  const pip = pipArgs(command);
  if (pip?.includes('install')) {
    const files = pip.flatMap((arg, i) =>
      arg === '-r' || arg === '--requirement'
        ? [pip[i + 1] ?? '']
        : arg.startsWith('--requirement=')
          ? [arg.slice(14)]
          : /^-r./.test(arg)
            ? [arg.slice(2)]
            : [],
    );
    const dev = files.find((file) => DEV_REQUIREMENTS.test(file));
    if (dev) return { what: `pip install -r ${dev}`, instead: `install only the runtime requirements` };
  }
  return undefined;
}

/** An image started with a test runner is a test image: its test dependencies are its purpose. */
function startsTests(model: DockerfileModel): boolean {
  const { entrypoint, cmd } = startInstructions(model);
  return [entrypoint, cmd].some((instruction) =>
    instruction?.script?.commands.some(
      (command) =>
        TEST_RUNNERS.has(command.program) ||
        (/^python\d*(?:\.\d+)?$/.test(command.program) &&
          command.args[0] === '-m' &&
          TEST_RUNNERS.has(command.args[1] ?? '')),
    ),
  );
}

/**
 * `composer install`, `bundle install`, `poetry install` and `uv sync` install
 * the development and test dependencies too unless told otherwise, and so
 * does `pip install -r requirements-dev.txt`: test runners, linters and
 * debuggers in the shipped image. npm, yarn and pnpm have their own rule
 * (npm-dev-dependencies).
 */
export const devDependenciesInstalled: Rule = {
  meta: {
    id: 'dev-dependencies-installed',
    title: 'Development dependencies (Composer, Bundler, Poetry, uv, pip) installed into the final image',
    severity: 'warning',
    fixable: true,
    articles: [ARTICLES.slimming, ARTICLES.rightWay],
    judges: 'image',
  },
  check({ model }) {
    const findings: RuleFinding[] = [];
    if (startsTests(model)) return findings;
    for (const run of finalImageRuns(model)) {
      const env = environmentAt(model, run);
      for (const command of run.script.commands) {
        if (command.conditional) continue;
        const found = devInstall(model, run, command, env);
        if (!found) continue;
        findings.push({
          message: `\`${found.what}\` installs the development and test dependencies into the final image; ${found.instead}`,
          range: command.range,
          ...(found.fix ? { fix: [found.fix] } : {}),
          hint: 'install the development dependencies only in a stage that runs the tests or the build',
        });
      }
    }
    return findings;
  },
};
