/**
 * Python: pip installs go into a virtualenv built in a builder stage (the
 * original stage, whose base or packages have the compilers native wheels
 * need); the final image is the smallest Python runtime base of the same libc,
 * interpreter layout and version (or distribution release) with only the venv
 * and the app. Debian's python3-* packages live in the system site-packages, so
 * they are installed again (apt, cleaned up) in the final stage and the venv
 * sees them with --system-site-packages (《Docker最佳实践：构建最小镜像》,
 * 《Minimize Container Image Size》).
 */
import { posix } from 'node:path';
import { classifyImage } from '../../catalog/base-images.js';
import type { DockerfileModel, RunInstruction, ShellCommand, Stage } from '../../dockerfile/types.js';
import { isRun } from '../../dockerfile/types.js';
import { isPythonProgram, venvTarget } from '../../knowledge/build-commands.js';
import { subcommand } from '../../knowledge/command-flags.js';
import { pipArgs, sourceNamesManifest } from '../../knowledge/ecosystems.js';
import { insertAfterArg, isEditable } from '../../rules/packages/shell-edit.js';
import {
  type BaseCandidate,
  candidatePool,
  isHeavyBase,
  isRuntimeKind,
  keptOriginal,
  originalCandidate,
  pythonVersionOf,
  repositoryOf,
  versionsFit,
} from './bases.js';
import { type BuilderPlan, builderName } from './builder.js';
import type { ConversionInput, ConverterHooks, FinalStage, Refused } from './converter.js';
import { copyLine, type StageSpec } from './emit.js';
import { libcOf, releaseFits } from './native.js';
import { chooseRuntime, runtimeFinalStage, runtimePackages } from './runtime.js';
import {
  contextCopies,
  copyDestination,
  isBuildOnlyPackage,
  line,
  pathEnvLine,
  releaseOf,
  resolvePath,
  startCommands,
  systemPackages,
  workdirBefore,
} from './shared.js';

const VENV = '/opt/venv';

/** Python from the distribution (apt/apk python3), as opposed to an official python image's /usr/local. */
const DISTRO_PYTHON = /^python3(?:\.\d+)?$/;
/** Debian/Alpine packages of Python libraries, installed into the system site-packages. */
const PYTHON_LIBRARY = /^(?:python3|py3)-[a-z0-9][a-z0-9.+-]*$/;

type Layout = 'local' | 'system' | undefined;

function layoutOf(candidate: BaseCandidate): Layout {
  if (candidate.source === 'config') return undefined;
  if (repositoryOf(candidate.resolved) === 'python') return 'local';
  if (candidate.ecosystem === 'python') return 'system';
  return undefined;
}

interface PythonFacts {
  pips: Located[];
  /** Virtualenvs the original creates. */
  venvs: Located[];
  /** The base is an official python image (its interpreter in /usr/local). */
  official: boolean;
  /** The distribution's python3 is installed (apt/apk). */
  distroPython: boolean;
  installedNames: string[];
  pythonLibraries: string[];
}

interface PythonBuilt {
  /** The virtualenv the builder leaves, if any: without one nothing is built. */
  venv?: string;
  /** The virtualenv is pare's, not the original's. */
  ownVenv: boolean;
}

type Located = { run: RunInstruction; command: ShellCommand };

function precheck({ stage }: ConversionInput): PythonFacts | Refused {
  const runs = stage.instructions.filter(isRun);
  const located = (predicate: (command: ShellCommand) => boolean) =>
    runs.flatMap((run) => run.script.commands.filter(predicate).map((command) => ({ run, command })));
  const pips = located((command) => pipArgs(command)?.[0] === 'install');
  const venvs = located((command) => venvTarget(command) !== undefined);
  const managers = located(
    (command) =>
      ['poetry', 'pipenv', 'uv', 'pdm'].includes(command.program) && subcommand(command) !== 'export',
  );
  if (managers.length > 0) {
    return {
      error: `${managers[0]!.command.program} manages its own environment; pare converts pip installs only`,
    };
  }
  for (const { run, command } of pips) {
    const args = pipArgs(command)!;
    const bad = args.find((arg) => /^(?:--user|--target|-t|--prefix|--root)(?:=|$)/.test(arg));
    if (bad)
      return {
        error: `pip install ${bad} on line ${line(run)} installs outside an environment pare can copy`,
      };
  }

  const base = stage.base;
  const baseMatch = classifyImage(base);
  const official = baseMatch?.entry.name === 'python' && baseMatch.entry.source === 'builtin';
  const installed = systemPackages([stage]);
  const installedNames = installed.flatMap((item) => item.names);
  const distroPython = !official && installedNames.some((name) => DISTRO_PYTHON.test(name));
  const pythonLibraries = installedNames.filter(
    (name) =>
      PYTHON_LIBRARY.test(name) &&
      !isBuildOnlyPackage(name) &&
      !/^python3-(?:pip|venv|dev|setuptools|wheel|distutils)$/.test(name),
  );
  const compilers = installedNames.filter((name) => isBuildOnlyPackage(name));
  const nothingInstalled =
    pips.length === 0 && venvs.length === 0 && pythonLibraries.length === 0 && !distroPython;
  if (nothingInstalled && (baseMatch?.entry.ecosystem !== 'python' || !isHeavyBase(base))) {
    return { error: 'no pip install or Python packages to move' };
  }
  if (!isHeavyBase(base) && compilers.length === 0) {
    return {
      error: `${base.raw} is already a runtime image and nothing is compiled: a builder stage would not make it smaller`,
    };
  }

  return { pips, venvs, official, distroPython, installedNames, pythonLibraries };
}

/** The virtualenv: the original's, or pare's own for pip installs into the system. */
function planBuilder(
  { model, stage, log }: ConversionInput,
  { pips, venvs, distroPython, installedNames, pythonLibraries }: PythonFacts,
  plan: BuilderPlan,
): PythonBuilt | Refused {
  const existing = venvs.map(({ run, command }) =>
    resolvePath(workdirBefore(model, stage, run.index), venvTarget(command)!),
  );
  let venv: string | undefined;
  let ownVenv = false;
  if (existing.length > 0) {
    venv = existing[0];
    if (!venv) return { error: 'the virtualenv directory is relative and WORKDIR is unknown' };
    log.note(`the original virtualenv ${venv} is built in the builder and copied`);
    for (const { run, command } of pips) {
      if (
        command.name.includes('/') &&
        !command.name.startsWith(`${venv}/`) &&
        !isPythonProgram(command.program)
      ) {
        return { error: `${command.name} on line ${line(run)} installs outside the virtualenv ${venv}` };
      }
    }
  } else if (pips.length > 0) {
    venv = VENV;
    ownVenv = true;
    const first = pips[0]!;
    for (const { run, command } of pips) {
      if (command.name.includes('/')) {
        return {
          error: `${command.name} on line ${line(run)} names the system pip by path; the virtualenv would be bypassed`,
        };
      }
    }
    const systemSite = distroPython && pythonLibraries.length > 0 ? ' --system-site-packages' : '';
    const create = `python3 -m venv${systemSite} ${VENV}`;
    if (!distroPython) {
      plan.afterFrom.push(`RUN ${create}`, pathEnvLine(`${VENV}/bin`));
    } else {
      const error = addVenvPackage(model, stage, plan, installedNames);
      if (error) return { error: error };
      plan.insertBefore(first.run.index, pathEnvLine(`${VENV}/bin`));
      if (first.run.script.commands[0] === first.command) plan.insertBefore(first.run.index, `RUN ${create}`);
      else if (isEditable(first.run, first.command) && !first.command.conditional) {
        plan.edit(first.run.index, {
          start: first.command.range.start.offset,
          end: first.command.range.start.offset,
          newText: `${create} && `,
        });
      } else
        return { error: `the pip install on line ${line(first.run)} cannot get a virtualenv in front of it` };
    }
    log.note(
      `pip installs into the virtualenv ${VENV}${systemSite ? ' (with the system site-packages, where the python3-* packages are)' : ''}, built in the builder and copied alone`,
    );
  }

  return { ...(venv ? { venv } : {}), ownVenv };
}

function chooseFinal(
  { model, stage, options, log }: ConversionInput,
  { pips, official, distroPython, installedNames }: PythonFacts,
  { venv, ownVenv }: PythonBuilt,
): FinalStage | Refused {
  const base = stage.base;
  const libc = libcOf(base);
  const release = releaseOf(base.resolved);
  const builderLayout: Layout = official ? 'local' : distroPython ? 'system' : undefined;
  const version = official ? pythonVersionOf(base.resolved) : undefined;
  const packages = runtimePackages(
    [stage],
    (name) => official && (DISTRO_PYTHON.test(name) || PYTHON_LIBRARY.test(name)),
  );
  const fits = (c: BaseCandidate): boolean => {
    if (c.kind === 'toolchain' || c.kind === 'scratch' || c.libc !== libc) return false;
    if (c.kind === 'full-distro' && c.source !== 'original') return false;
    if (!releaseFits(release, c)) return false;
    const layout = layoutOf(c);
    if (c.ecosystem === 'python') {
      if (builderLayout && layout && layout !== builderLayout) return false;
      if (c.kind === 'distroless' && c.source !== 'original') return false;
      return (
        versionsFit(version, layout === 'system' ? undefined : pythonVersionOf(c.resolved)) ||
        c.source === 'original'
      );
    }
    // A plain distribution runs the venv only with the distribution's own python3 (apt-installed).
    return distroPython && c.hasShell && c.packageManager !== 'none';
  };
  const pool = candidatePool(base, {
    includeOriginal: isRuntimeKind(originalCandidate(base)?.kind ?? 'toolchain'),
    allowed: options.allowedBases,
  });
  // A Python runtime image first (it has the interpreter already), then a plain distribution.
  let chosen =
    chooseRuntime(pool, (c) => fits(c) && c.ecosystem === 'python', packages) ??
    chooseRuntime(pool, fits, packages);
  if (!chosen && !venv)
    return { error: `no smaller Python runtime base for ${base.resolved} in the catalogue` };
  if (!chosen) {
    chosen = keptOriginal(base, 'python', libc);
    log.warn(
      `no smaller Python runtime base for ${base.resolved} in the catalogue (same libc${version ? `, Python ${version}` : ''}${release ? `, ${release}` : ''}): the final stage keeps ${base.raw}; add one to the config's baseImages`,
    );
  }

  // What the final image gets from the builder: the venv and the app's directories.
  const appDirs: string[] = [];
  const appCopies: string[] = [];
  for (const copy of contextCopies(stage)) {
    const dest = copyDestination(model, stage, copy);
    if (dest === undefined)
      return { error: `the destination of ${copy.keyword} on line ${line(copy)} is not known` };
    const trailing = copy.destination.endsWith('/') || /(?:^|\/)\.$/.test(copy.destination) ? '/' : '';
    appCopies.push(
      copy.heredocs.length > 0
        ? copy.source
        : copyLine({
            sources: copy.sources,
            destination: dest === '/' ? '/' : `${dest}${trailing}`,
            ...(copy.chown ? { chown: copy.chown } : {}),
            ...(copy.chmod ? { chmod: copy.chmod } : {}),
          }),
    );
    if (copy.sources.every((source) => sourceNamesManifest(source, 'python'))) continue;
    if (dest === '/')
      return {
        error: `${copy.keyword} on line ${line(copy)} copies the app to /; pare cannot copy it alone`,
      };
    appDirs.push(dest);
  }
  const copies: Array<{ from: string; to: string }> = [];
  const roots = foldPaths([...(venv ? [venv] : []), ...appDirs]);
  for (const path of roots) copies.push({ from: path, to: path });

  const start = startCommands([stage]);
  const final = runtimeFinalStage({
    model,
    stages: [stage],
    start,
    rewriteStart: (words) => {
      const [program, ...rest] = words;
      // /usr/local/bin/python or /usr/local/bin/gunicorn (pip's script) would bypass the venv: PATH finds it there.
      if (
        ownVenv &&
        program &&
        (program.startsWith('/usr/local/bin/') ||
          (program.startsWith('/') && isPythonProgram(posix.basename(program))))
      )
        return [posix.basename(program), ...rest];
      return words;
    },
    builder: builderName(stage),
    copies,
    base: chosen,
    packages,
    env: ownVenv ? [pathEnvLine(`${VENV}/bin`)] : [],
  });
  if ('error' in final) return final;
  const dev = installedNames.filter(
    (name) =>
      /-dev(?:el)?$/.test(name) && !/^(?:python3?(?:\.\d+)?|libc6?|musl|linux-libc|linux)-dev$/.test(name),
  );
  if (dev.length > 0) {
    log.warn(
      `the builder compiles against ${dev.join(', ')}; the final image needs the matching runtime libraries (e.g. libpq5 for libpq-dev) if a wheel links them`,
    );
  }
  log.lead(
    pips.length > 0 || venv
      ? `multi-stage: ${base.raw} builds the virtualenv, ${chosen.image} runs it`
      : `only the base changes (nothing to build): ${chosen.image} runs the app${packages.length > 0 ? ' with the runtime packages' : ''}`,
  );
  log.absorb(final);

  return venv
    ? { stage: final.stage, base: chosen.image, artifact: final.artifact }
    : { stage: contextFinal(final.stage, appCopies), base: chosen.image, artifact: [], withBuilder: false };
}

export const pythonConverter: ConverterHooks<PythonFacts, PythonBuilt> = {
  precheck,
  planBuilder,
  chooseFinal,
};

/** Without a venv there is nothing to build: the app's files come from the context, as in the original. */
function contextFinal(stage: StageSpec, copies: readonly string[]): StageSpec {
  const lines = stage.lines.filter((lineText) => !lineText.startsWith('COPY --from='));
  const at = lines.findIndex((lineText) => /^(?:USER|CMD|ENTRYPOINT)\b/.test(lineText));
  lines.splice(at === -1 ? lines.length : at, 0, ...copies);
  return { ...stage, lines };
}

/** Adds python3-venv to the apt install that installs python3 (Debian splits ensurepip out). */
function addVenvPackage(
  model: DockerfileModel,
  stage: Stage,
  plan: BuilderPlan,
  installed: readonly string[],
): string | undefined {
  if (installed.some((name) => /^python3(?:\.\d+)?-venv$/.test(name))) return undefined;
  if (!installed.includes('python3') || !installed.some((name) => name === 'python3-pip')) {
    // apk's python3 has ensurepip; only Debian needs the package.
    if (
      !stage.instructions
        .filter(isRun)
        .some((run) => run.script.commands.some((c) => c.program === 'apt-get' || c.program === 'apt'))
    )
      return undefined;
  }
  for (const run of stage.instructions.filter(isRun)) {
    for (const command of run.script.commands) {
      if ((command.program !== 'apt-get' && command.program !== 'apt') || subcommand(command) !== 'install')
        continue;
      if (!command.args.some((arg) => DISTRO_PYTHON.test(arg))) continue;
      const edit = insertAfterArg(model, run, command, command.args.length - 1, 'python3-venv');
      if (!edit) return `the apt-get install on line ${line(run)} cannot get python3-venv added`;
      plan.edit(run.index, edit);
      return undefined;
    }
  }
  const apk = stage.instructions
    .filter(isRun)
    .some((run: RunInstruction) => run.script.commands.some((c) => c.program === 'apk'));
  return apk ? undefined : 'python3 is installed without python3-venv and pare cannot tell where to add it';
}

/** Paths with the ones inside others removed. */
function foldPaths(paths: readonly string[]): string[] {
  const unique = [...new Set(paths)];
  return unique.filter(
    (path) => !unique.some((other) => other !== path && path.startsWith(`${other === '/' ? '' : other}/`)),
  );
}
