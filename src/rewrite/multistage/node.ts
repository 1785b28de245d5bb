/**
 * Node: the builder installs every dependency from the manifests copied
 * first (the lockfile decides npm, yarn or pnpm and whether `ci` /
 * `--frozen-lockfile` works), runs the original's build, then drops the
 * devDependencies (`npm prune --omit=dev`; without a build the install is
 * `npm ci --omit=dev` directly). The final image is the smallest Node
 * runtime of the same libc and major version with the app directory:
 * production node_modules, build output, package.json.
 */
import { posix } from 'node:path';
import { classifyImage } from '../../catalog/base-images.js';
import type { RunInstruction, ShellCommand, Stage } from '../../dockerfile/types.js';
import { isRun } from '../../dockerfile/types.js';
import { NODE_TOOLS } from '../../knowledge/build-commands.js';
import { hasOption, subcommand } from '../../knowledge/command-flags.js';
import { ecosystem, sourceNamesManifest } from '../../knowledge/ecosystems.js';
import { workdirAt } from '../../rules/base/builds.js';
import {
  type BaseCandidate,
  candidatePool,
  choose,
  isDistrolessNode,
  isHeavyBase,
  isRuntimeKind,
  keptOriginal,
  nodeVersionOf,
  originalCandidate,
  versionsFit,
} from './bases.js';
import { type BuilderPlan, builderName } from './builder.js';
import type { ConversionInput, ConverterHooks, FinalStage, Refused } from './converter.js';
import { copyLine } from './emit.js';
import { libcOf, releaseFits } from './native.js';
import { chooseRuntime, runtimeFinalStage, runtimePackages } from './runtime.js';
import {
  contextCopies,
  contextRelative,
  copiesWholeContext,
  copyDestination,
  leadingWords,
  line,
  releaseOf,
  type StartCommands,
  startCommands,
  workdirBefore,
} from './shared.js';
import type { ConversionContext } from './types.js';

type Manager = 'npm' | 'yarn' | 'pnpm';

const LOCKFILES: Record<Manager, string[]> = {
  npm: ['package-lock.json', 'npm-shrinkwrap.json'],
  yarn: ['yarn.lock'],
  pnpm: ['pnpm-lock.yaml'],
};

/** npm/yarn/pnpm project installs and builds. */
function omitsDev(command: ShellCommand): boolean {
  return (
    command.args.some((arg) =>
      /^--omit=dev$|^--only=prod(?:uction)?$|^--prod(?:uction)?(?:=true)?$/.test(arg),
    ) ||
    (hasOption(command.args, '--omit') && command.args.includes('dev'))
  );
}

const CLEANUP = /^(?:npm|yarn|pnpm)$/;

/** A RUN that only installs the project's dependencies (and maybe cleans the cache). */
function isPureInstall(run: RunInstruction): boolean {
  const commands = run.script.commands;
  return (
    commands.some((command) => ecosystem('node').installs(command)) &&
    commands.every(
      (command) =>
        ecosystem('node').installs(command) ||
        (CLEANUP.test(command.program) && ['cache', 'store'].includes(subcommand(command) ?? '')),
    )
  );
}

interface Lock {
  manager: Manager;
  /** The lockfile, when it is known to exist. */
  lockfile?: string;
}

function detectLock(
  context: ConversionContext | undefined,
  contextDir: string | undefined,
  stage: Stage,
  installs: readonly ShellCommand[],
): Lock {
  if (context && contextDir !== undefined) {
    const prefix = contextDir === '' ? '' : `${contextDir}/`;
    for (const manager of ['pnpm', 'yarn', 'npm'] as const) {
      const lockfile = LOCKFILES[manager].find((name) => context.files.includes(`${prefix}${name}`));
      if (lockfile) return { manager, lockfile };
    }
  }
  const first = installs[0];
  const manager: Manager =
    first && (first.program === 'yarn' || first.program === 'pnpm') ? first.program : 'npm';
  const named = contextCopies(stage)
    .flatMap((copy) => copy.sources)
    .map((source) => posix.basename(source))
    .find((name) => LOCKFILES[manager].includes(name));
  if (named) return { manager, lockfile: named };
  if (!context && manager === 'npm' && installs.some((command) => subcommand(command) === 'ci'))
    return { manager, lockfile: 'package-lock.json' };
  return { manager };
}

function installCommand(lock: Lock, production: boolean): string {
  switch (lock.manager) {
    case 'npm':
      return `npm ${lock.lockfile ? 'ci' : 'install'}${production ? ' --omit=dev' : ''}`;
    case 'yarn':
      return `yarn install${lock.lockfile ? ' --frozen-lockfile' : ''}${production ? ' --production' : ''}`;
    case 'pnpm':
      return `pnpm install${lock.lockfile ? ' --frozen-lockfile' : ''}${production ? ' --prod' : ''}`;
  }
}

function pruneCommand(lock: Lock): string {
  switch (lock.manager) {
    case 'npm':
      return 'npm prune --omit=dev';
    case 'yarn':
      // yarn 1 removes devDependencies from node_modules on a production install.
      return `yarn install --production${lock.lockfile ? ' --frozen-lockfile' : ''} --ignore-scripts --prefer-offline`;
    case 'pnpm':
      return 'pnpm prune --prod';
  }
}

/** `npm start` → `node server.js` when package.json's start script is exactly that. */
function resolveStart(
  words: string[],
  context: ConversionContext | undefined,
  contextDir: string | undefined,
): string[] {
  const [program, sub, script] = words;
  const isStart =
    program !== undefined &&
    ['npm', 'yarn', 'pnpm'].includes(posix.basename(program)) &&
    (sub === 'start' || (sub === 'run' && script === 'start'));
  if (!isStart || words.length > (sub === 'run' ? 3 : 2) || contextDir === undefined || !context?.read)
    return words;
  const text = context.read(contextDir === '' ? 'package.json' : `${contextDir}/package.json`);
  if (!text) return words;
  let start: unknown;
  try {
    start = (JSON.parse(text) as { scripts?: Record<string, unknown> }).scripts?.start;
  } catch {
    return words;
  }
  if (typeof start !== 'string') return words;
  const parts = start.trim().split(/\s+/);
  if (parts[0] !== 'node' || parts.length < 2 || parts.some((part) => !/^[A-Za-z0-9_@%+=:,./-]+$/.test(part)))
    return words;
  return parts;
}

interface NodeFacts {
  installs: Located[];
  /** Commands that build the project (npm run build…). */
  builds: ShellCommand[];
  /** Where the project is installed: the app directory. */
  projectDir: string;
  lock: Lock;
  start: StartCommands;
  /** The words the container starts with, as written and with package.json's start script followed. */
  original: string[];
  resolved: string[];
  program: string;
  needsNpm: boolean;
}

type Located = { run: RunInstruction; command: ShellCommand };

function precheck({ model, stage, options, log }: ConversionInput): NodeFacts | Refused {
  const runs = stage.instructions.filter(isRun);
  const installs = runs.flatMap((run) =>
    run.script.commands
      .filter((command) => ecosystem('node').installs(command))
      .map((command) => ({ run, command })),
  );
  const builds = runs.flatMap((run) =>
    run.script.commands.filter((command) => ecosystem('node').builds(command)),
  );
  if (installs.length === 0) return { error: 'no npm/yarn/pnpm install of the project' };
  const base = stage.base;
  if (!isHeavyBase(base) && builds.length === 0 && installs.every(({ command }) => omitsDev(command))) {
    return {
      error: `${base.raw} is already a runtime image, nothing is built and devDependencies are not installed`,
    };
  }
  const first = installs[0]!;
  const projectDir = workdirAt(model, first.run, first.command);
  if (projectDir === undefined) return { error: 'the directory npm installs in is not known (no WORKDIR)' };
  const contextDir = contextRelative(model, stage, projectDir);
  const lock = detectLock(
    options.context,
    contextDir,
    stage,
    installs.map(({ command }) => command),
  );
  if (
    lock.manager === 'yarn' &&
    options.context?.files.includes(`${contextDir ? `${contextDir}/` : ''}.yarnrc.yml`)
  ) {
    return { error: "yarn 2+ (.yarnrc.yml): Plug'n'Play installs are not converted" };
  }

  // Start command.
  const start = startCommands([stage]);
  if (!start.entrypoint && !start.cmd) return { error: 'no CMD or ENTRYPOINT starts the app' };
  const original = leadingWords(start);
  if (!original) return { error: 'the CMD/ENTRYPOINT uses shell features; no exec form to write' };
  const resolved = resolveStart(original, options.context, contextDir);
  if (resolved !== original)
    log.note(`${original.join(' ')} → ${resolved.join(' ')} (package.json's start script)`);
  const program = posix.basename(resolved[0] ?? '');
  if (!['node', 'nodejs', 'npm', 'yarn', 'pnpm', 'npx'].includes(program) && !resolved[0]?.startsWith('.')) {
    return {
      error: `the container runs ${resolved[0]}, which is not node or a file of the app (a global install?)`,
    };
  }
  const needsNpm = program !== 'node' && program !== 'nodejs';

  return { installs, builds, projectDir, lock, start, original, resolved, program, needsNpm };
}

/** Manifests and install first, then the sources, the build, the prune. */
function planBuilder(
  { model, stage, options, log }: ConversionInput,
  { installs, builds, projectDir, lock }: NodeFacts,
  plan: BuilderPlan,
): void {
  const first = installs[0]!;
  const whole = contextCopies(stage).find(copiesWholeContext);
  const manifestFirst = !whole || installs.every(({ run }) => run.index < whole.index);
  const pure = installs.every(({ run }) => isPureInstall(run));
  const production = builds.length === 0;
  let generated = false;
  if (!manifestFirst && pure && whole && whole.index < first.run.index) {
    const dest = copyDestination(model, stage, whole);
    const destination = whole.destination.endsWith('/') ? whole.destination : `${whole.destination}/`;
    if (dest === projectDir) {
      for (const { run } of installs) plan.drop.add(run.index);
      // Without a context the lockfile may exist: a glob copies it when it does.
      const lockfiles = lock.lockfile
        ? [lock.lockfile]
        : options.context
          ? []
          : LOCKFILES[lock.manager].slice(0, 1).map((name) => `${name}*`);
      plan.insertBefore(
        whole.index,
        copyLine({
          sources: ['package.json', ...lockfiles],
          destination,
          ...(whole.chown ? { chown: whole.chown } : {}),
        }),
        `RUN ${installCommand(lock, production)}`,
      );
      generated = true;
      log.note(
        `package.json${lock.lockfile ? ` and ${lock.lockfile}` : ''} copied before the sources, dependencies installed with ${installCommand(lock, production)}: the install layer stays cached until they change`,
      );
    }
  }
  if (!generated || !production) {
    if (!installs.every(({ command }) => omitsDev(command)) || !production) {
      plan.append.push(`RUN ${pruneCommand(lock)}`);
      log.note(
        `devDependencies removed after ${production ? 'the install' : 'the build'} (${pruneCommand(lock)})`,
      );
    }
  }
  if (builds.length > 0)
    log.note('the build runs in the builder; its output is copied with the app directory');
}

function chooseFinal(
  { model, stage, options, log }: ConversionInput,
  { builds, projectDir, start, original, resolved, program, needsNpm }: NodeFacts,
): FinalStage | Refused {
  const base = stage.base;
  const libc = libcOf(base);
  const release = releaseOf(base.resolved);
  const version = nodeVersionOf(base.resolved);
  const official = classifyImage(base)?.entry.name === 'node';
  const distrolessOk = !start.entrypoint && program === 'node';
  const packages = runtimePackages([stage], (name) => /^(?:nodejs|npm|yarn|yarnpkg)$/.test(name));
  const fits = (c: BaseCandidate): boolean => {
    if (c.ecosystem !== 'node' || !isRuntimeKind(c.kind) || c.kind === 'scratch' || c.libc !== libc)
      return false;
    if (!releaseFits(release, c)) return false;
    if (c.kind === 'distroless' && !(distrolessOk && isDistrolessNode(c.resolved))) return false;
    if (needsNpm && !c.hasShell) return false;
    return c.source === 'original' || versionsFit(official ? version : undefined, nodeVersionOf(c.resolved));
  };
  const pool = candidatePool(base, {
    includeOriginal: isRuntimeKind(originalCandidate(base)?.kind ?? 'toolchain'),
    allowed: options.allowedBases,
  });
  let chosen = chooseRuntime(pool, fits, packages);
  let finalPackages = packages;
  // A Node image that is a distribution plus its nodejs package: the same distribution's slim image and nodejs.
  const manager = classifyImage(base)?.entry.packageManager;
  const family = manager === 'apt' || manager === 'apk' ? manager : undefined;
  if (!chosen && !official && release !== undefined && family) {
    const distro = choose(
      pool,
      (c) =>
        c.ecosystem === 'generic' &&
        (c.kind === 'slim' || c.kind === 'runtime') &&
        c.libc === libc &&
        c.hasShell &&
        c.packageManager === family &&
        releaseOf(c.resolved) === release,
    );
    if (distro) {
      chosen = distro;
      const names = ['nodejs', ...(needsNpm ? ['npm'] : [])];
      const same = packages.find((item) => item.manager === family);
      finalPackages = [
        { manager: family, names: [...names, ...(same?.names ?? [])] },
        ...packages.filter((item) => item !== same),
      ];
      log.warn(
        `assumes node in ${base.raw} is ${release}'s nodejs package: the final stage installs the same package on ${distro.image}`,
      );
    }
  }
  if (!chosen) {
    chosen = keptOriginal(base, 'node', libc);
    log.warn(
      `no smaller Node runtime base for ${base.resolved} in the catalogue (same libc${version ? `, Node ${version}` : ''}${needsNpm ? ', with npm' : ''}): the final stage keeps ${base.raw}; add one to the config's baseImages`,
    );
  }
  const distroless = chosen.kind === 'distroless';

  // Copies: the project directory, and other directories the original copied into.
  const dirs = new Set<string>([projectDir]);
  for (const copy of contextCopies(stage)) {
    const dest = copyDestination(model, stage, copy);
    if (dest === undefined)
      return { error: `the destination of ${copy.keyword} on line ${line(copy)} is not known` };
    if (copy.sources.every((source) => sourceNamesManifest(source, 'node'))) continue;
    if (dest === '/')
      return {
        error: `${copy.keyword} on line ${line(copy)} copies the app to /; pare cannot copy it alone`,
      };
    dirs.add(dest);
  }
  const roots = [...dirs].filter(
    (dir) => ![...dirs].some((other) => other !== dir && dir.startsWith(`${other}/`)),
  );

  const final = runtimeFinalStage({
    model,
    stages: [stage],
    start,
    rewriteStart: (words) => {
      const next = words === original ? resolved : words;
      // distroless/nodejs's ENTRYPOINT is node itself: CMD holds the script.
      return distroless && posix.basename(next[0] ?? '') === 'node' ? next.slice(1) : next;
    },
    builder: builderName(stage),
    copies: roots.map((dir) => ({ from: dir, to: dir })),
    base: chosen,
    packages: finalPackages,
  });
  if ('error' in final) return final;
  if (distroless) log.note(`${chosen.image} runs node as its ENTRYPOINT: CMD names the script only`);
  log.lead(
    `multi-stage: ${base.raw} installs${builds.length > 0 ? ' and builds' : ''}, ${chosen.image} runs the app with production dependencies only`,
  );
  log.absorb(final);
  if (!workdirBefore(model, stage, Number.POSITIVE_INFINITY)) {
    log.warn('no WORKDIR in the final stage: relative paths in CMD resolve against /');
  }
  const globals = stage.instructions
    .filter(isRun)
    .flatMap((run) => run.script.commands)
    .filter(
      (command) =>
        NODE_TOOLS.has(command.program) &&
        hasOption(command.args, '-g', '--global') &&
        ['install', 'i', 'add'].includes(subcommand(command) ?? ''),
    );
  if (globals.length > 0) {
    log.warn(
      `global installs of the original (${globals.map((command) => command.text).join('; ')}) are not in the final image`,
    );
  }

  return { stage: final.stage, base: chosen.image, artifact: final.artifact };
}

export const nodeConverter: ConverterHooks<NodeFacts, void> = { precheck, planBuilder, chooseFinal };
