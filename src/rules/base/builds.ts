/**
 * Shared queries of the `base` family: which commands build a native
 * artifact (go build, cargo build, cc -o), where the artifact lands, which
 * builder stages are copied into the final image, and what the final image's
 * real base is. Other families may reuse these.
 */
import { posix } from 'node:path';
import type { BaseImageMatch } from '../../catalog/base-images.js';
import { classifyImage } from '../../catalog/base-images.js';
import { knownWorkdir, scopeAt } from '../../dockerfile/scope.js';
import { shippedStageIndexes, shippedStages, stageChain } from '../../dockerfile/stages.js';
import type {
  CopyInstruction,
  DockerfileModel,
  ImageRef,
  RunInstruction,
  ShellCommand,
  Stage,
} from '../../dockerfile/types.js';
import { isCopyOrAdd, isRun } from '../../dockerfile/types.js';
import {
  compilerOutput,
  goFlag,
  isCargoBuild,
  isCompilerLink,
  isGoBuild,
} from '../../knowledge/build-commands.js';
import { hasOption, subcommand } from '../../knowledge/command-flags.js';
import { formatBytes } from '../../util/bytes.js';
import { absolutePath } from '../../util/image-path.js';

// ---- stages ------------------------------------------------------------------

/** The real base image of the final image (walking `FROM <stage>`), and its catalogue entry. */
export function finalBase(model: DockerfileModel): {
  stage: Stage;
  image: ImageRef;
  match: BaseImageMatch | undefined;
} {
  const stage = shippedStages(model)[0]!;
  return { stage, image: stage.base, match: classifyImage(stage.base) };
}

/** A COPY --from=<stage> that lands in the final image. */
export interface StageCopy {
  copy: CopyInstruction;
  /** The stage copied from. */
  source: Stage;
  /** Source paths made absolute (COPY --from paths are relative to the stage's root). */
  paths: string[];
}

const copiesCache = new WeakMap<DockerfileModel, StageCopy[]>();

export function copiesIntoFinalImage(model: DockerfileModel): StageCopy[] {
  const cached = copiesCache.get(model);
  if (cached) return cached;
  const result: StageCopy[] = [];
  for (const stage of shippedStages(model)) {
    for (const instruction of stage.instructions) {
      if (!isCopyOrAdd(instruction) || instruction.fromStage === undefined) continue;
      const source = model.stages[instruction.fromStage];
      if (!source) continue;
      result.push({
        copy: instruction,
        source,
        paths: instruction.sources.map((path) => absolutePath(path)),
      });
    }
  }
  copiesCache.set(model, result);
  return result;
}

// The multi-stage converters import the resolution under this name.

// ---- build commands ------------------------------------------------------------

/**
 * The value of an environment variable for a command: its prefix assignment
 * (`X=1 cmd`, `env X=1 cmd`), an `export X=…` in the same script, or ENV/ARG.
 */
export function variableFor(
  model: DockerfileModel,
  run: RunInstruction,
  command: ShellCommand,
  name: string,
): string | undefined {
  if (name in command.assignments) return command.assignments[name];
  if (name in run.script.assignments) return run.script.assignments[name];
  return scopeAt(model, run).env[name];
}

/** `go env -w NAME=value` in this RUN before the command or in an earlier RUN of the stage chain. */
function goEnvSetting(model: DockerfileModel, run: RunInstruction, command: ShellCommand, name: string) {
  let value: string | undefined;
  const stage = model.stages[run.stageIndex];
  if (!stage) return undefined;
  for (const s of stageChain(model, stage)) {
    for (const instruction of s.instructions) {
      if (!isRun(instruction) || instruction.index > run.index) continue;
      for (const other of instruction.script.commands) {
        if (instruction === run && other === command) break;
        if (other.program !== 'go' || subcommand(other) !== 'env' || !hasOption(other.args, '-w')) continue;
        for (const arg of other.args) if (arg.startsWith(`${name}=`)) value = arg.slice(name.length + 1);
      }
    }
  }
  return value;
}

/** Whether cgo is off for a go build: CGO_ENABLED=0 from prefix, export, ENV/ARG or `go env -w`. */
export function cgoDisabled(
  model: DockerfileModel,
  run: RunInstruction,
  command: ShellCommand,
): boolean | undefined {
  const direct = variableFor(model, run, command, 'CGO_ENABLED');
  if (direct !== undefined) return direct === '0';
  const goEnv = goEnvSetting(model, run, command, 'CGO_ENABLED');
  if (goEnv !== undefined) return goEnv === '0';
  return undefined;
}

/**
 * A Go build that links statically although cgo may be on:
 * `-ldflags '-linkmode external -extldflags "-static"'`, or `-tags
 * netgo,osusergo` (pure-Go net and os/user).
 */
export function goLinksStaticallyWithCgo(command: ShellCommand): boolean {
  const ldflags = goFlag(command.args, 'ldflags') ?? '';
  if (/-extldflags[= ]+['"]?[^'"]*-static/.test(ldflags)) return true;
  const tags = (goFlag(command.args, 'tags') ?? '').split(/[,\s]+/);
  return tags.includes('netgo') && tags.includes('osusergo');
}

/**
 * Whether a native build is known to produce a static binary, one that needs
 * no libc: Go with cgo off (or linked statically), Rust for a musl target, C
 * with -static. Undefined for commands that are not such builds.
 */
export function buildsStaticBinary(
  model: DockerfileModel,
  run: RunInstruction,
  command: ShellCommand,
): boolean | undefined {
  if (isGoBuild(command))
    return cgoDisabled(model, run, command) === true || goLinksStaticallyWithCgo(command);
  if (isCargoBuild(command)) {
    const target = goFlag(command.args, 'target') ?? variableFor(model, run, command, 'CARGO_BUILD_TARGET');
    return target !== undefined && /-linux-musl/.test(target) && !target.includes('$');
  }
  if (isCompilerLink(command)) return command.args.some((arg) => arg === '-static' || arg === '-static-pie');
  return undefined;
}

// ---- where an artifact lands ----------------------------------------------------

/** Where a build writes its output: an exact path, a directory it writes into, or unknown. */
export type Output = { path: string } | { dir: string } | { unknown: true };

/** The working directory at a command: the WORKDIR in effect when known for certain, then `cd` earlier in the RUN. */
export function workdirAt(
  model: DockerfileModel,
  run: RunInstruction,
  command?: ShellCommand,
): string | undefined {
  let cwd = knownWorkdir(scopeAt(model, run));
  if (command) {
    for (const other of run.script.commands) {
      if (other === command) break;
      if (other.program === 'cd') {
        const dir = other.args.find((arg) => !arg.startsWith('-'));
        if (!dir || dir.includes('$') || dir === '-') cwd = undefined;
        else if (dir.startsWith('/')) cwd = absolutePath(dir);
        else cwd = cwd === undefined ? undefined : absolutePath(cwd, dir);
      }
    }
  }
  return cwd;
}

function resolve(path: string, cwd: string | undefined): Output {
  if (path.includes('$')) return { unknown: true };
  const trailing = path.endsWith('/');
  if (path.startsWith('/')) return trailing ? { dir: absolutePath(path) } : { path: absolutePath(path) };
  if (cwd === undefined) return { unknown: true };
  const full = absolutePath(cwd, path);
  return trailing ? { dir: full } : { path: full };
}

export function outputOf(model: DockerfileModel, run: RunInstruction, command: ShellCommand): Output {
  const cwd = workdirAt(model, run, command);
  if (command.program === 'go') {
    if (subcommand(command) === 'install') {
      const gobin = variableFor(model, run, command, 'GOBIN');
      if (gobin) return { dir: gobin };
      const gopath = variableFor(model, run, command, 'GOPATH');
      return gopath && !gopath.includes(':') ? { dir: `${gopath}/bin` } : { unknown: true };
    }
    const out = goFlag(command.args, 'o');
    if (out !== undefined) return resolve(out, cwd);
    return cwd === undefined ? { unknown: true } : { dir: cwd };
  }
  if (command.program === 'cargo') {
    if (subcommand(command) === 'install') return { unknown: true };
    if (
      goFlag(command.args, 'target-dir') !== undefined ||
      variableFor(model, run, command, 'CARGO_TARGET_DIR')
    ) {
      return { unknown: true };
    }
    return cwd === undefined ? { unknown: true } : { dir: `${cwd}/target` };
  }
  // cmake, make, ninja: where they write is in the project's files, not on the command line.
  if (!isCompilerLink(command)) return { unknown: true };
  const out = compilerOutput(command.args);
  if (out !== undefined) return resolve(out, cwd);
  return cwd === undefined ? { unknown: true } : { path: `${cwd}/a.out` };
}

/** Whether a COPY source path (absolute, maybe a glob) may carry the output. */
function pathMayCarry(source: string, output: Output): boolean {
  if ('unknown' in output) return true;
  const star = source.search(/[*?[]/);
  const prefix =
    star === -1 ? source : source.slice(0, source.lastIndexOf('/', star) + 1 || 1).replace(/\/$/, '') || '/';
  const target = 'path' in output ? output.path : output.dir;
  if (prefix === '/' || target === prefix || target.startsWith(`${prefix}/`)) return true;
  // A file inside the directory the build writes into (`go build` without -o).
  if ('dir' in output && prefix.startsWith(`${output.dir}/`)) return true;
  if (star !== -1 && 'path' in output && prefix.startsWith(`${posix.dirname(output.path)}/`)) return true;
  return false;
}

const MOVERS = new Set(['cp', 'mv', 'install', 'ln', 'rsync']);

/**
 * The output, plus where later `cp`/`mv`/`install` commands of the stage put
 * it (`cargo build && cp target/release/app /app`).
 */
function movedOutputs(
  model: DockerfileModel,
  stage: Stage,
  run: RunInstruction,
  build: ShellCommand,
  output: Output,
): Output[] {
  const outputs: Output[] = [output];
  for (const s of model.stages) {
    if (!stageChain(model, s).includes(stage) && s !== stage) continue;
    for (const instruction of s.instructions) {
      if (!isRun(instruction) || instruction.index < run.index) continue;
      const commands = instruction.script.commands;
      const from = instruction === run ? commands.indexOf(build) + 1 : 0;
      for (const command of commands.slice(from)) {
        if (!MOVERS.has(command.program)) continue;
        const operands = command.args.filter((arg) => !arg.startsWith('-'));
        if (command.program === 'install' && command.args.some((arg) => /^-[a-zA-Z]*[gmo]$/.test(arg)))
          continue;
        if (operands.length < 2) continue;
        const cwd = workdirAt(model, instruction, command);
        const destination = resolve(operands[operands.length - 1]!, cwd);
        const sources = operands.slice(0, -1).map((source) => resolve(source, cwd));
        const carries = sources.some((source) =>
          'unknown' in source
            ? true
            : outputs.some((out) => pathMayCarry('path' in source ? source.path : source.dir, out)),
        );
        if (!carries) continue;
        outputs.push(
          'unknown' in destination
            ? destination
            : { dir: 'path' in destination ? destination.path : destination.dir },
        );
      }
    }
  }
  return outputs;
}

/** A build command whose artifact ends up in the final image. */
/**
 * The commands that run after a build's command, in order: the rest of its
 * RUN, then the later RUNs of its stage chain and of the final image.
 */
export function commandsAfter(
  model: DockerfileModel,
  build: Pick<ArtifactBuild, 'run' | 'command' | 'stage'>,
): ShellCommand[] {
  const stages = new Set([...stageChain(model, build.stage), ...shippedStages(model)]);
  const after: ShellCommand[] = [];
  for (const stage of stages) {
    for (const instruction of stage.instructions) {
      if (!isRun(instruction) || instruction.index < build.run.index) continue;
      const commands = instruction.script.commands;
      const from = instruction === build.run ? commands.indexOf(build.command) + 1 : 0;
      after.push(...commands.slice(from));
    }
  }
  return after;
}

export interface ArtifactBuild {
  run: RunInstruction;
  command: ShellCommand;
  /** Stage where the build runs. */
  stage: Stage;
  /** The COPY instructions that carry it into the final image; empty when it is built there. */
  copies: StageCopy[];
  /** True when the build runs in a stage that is part of the final image. */
  inFinalImage: boolean;
}

/**
 * Build commands (matching `predicate`) whose output reaches the final image:
 * those run in the final image's own stages, and those in stages copied from
 * with a COPY --from whose source path may carry the output.
 */
export function artifactBuilds(
  model: DockerfileModel,
  predicate: (command: ShellCommand) => boolean,
): ArtifactBuild[] {
  const finalIndexes = shippedStageIndexes(model);
  const copies = copiesIntoFinalImage(model);
  const result: ArtifactBuild[] = [];
  for (const stage of model.stages) {
    const inFinal = finalIndexes.has(stage.index);
    // Stages copied from whose chain contains this stage.
    const carriers = copies.filter((copy) => stageChain(model, copy.source).includes(stage));
    if (!inFinal && carriers.length === 0) continue;
    for (const instruction of stage.instructions) {
      if (!isRun(instruction)) continue;
      for (const command of instruction.script.commands) {
        if (!predicate(command)) continue;
        const outputs = inFinal
          ? []
          : movedOutputs(model, stage, instruction, command, outputOf(model, instruction, command));
        const carrying = carriers.filter((copy) =>
          copy.paths.some((path) => outputs.some((output) => pathMayCarry(path, output))),
        );
        if (!inFinal && carrying.length === 0) continue;
        result.push({ run: instruction, command, stage, copies: carrying, inFinalImage: inFinal });
      }
    }
  }
  return result;
}

/** The package managers installedPackages reads; every other command is skipped before its words are read. */
const INSTALLERS = new Set(['apt-get', 'apt', 'aptitude', 'apk', 'yum', 'dnf', 'microdnf', 'zypper']);
/** The commands removedPackages reads. */
const REMOVERS = new Set(['apt-mark', 'apt-get', 'apt', 'apk', 'yum', 'dnf', 'microdnf']);

/** Packages installed with apt-get/apt/apk/yum/dnf/microdnf in a RUN (operands of install/add). */
export function installedPackages(run: RunInstruction): Array<{ command: ShellCommand; packages: string[] }> {
  const result: Array<{ command: ShellCommand; packages: string[] }> = [];
  for (const command of run.script.commands) {
    if (!INSTALLERS.has(command.program)) continue;
    const sub = subcommand(command);
    const installs =
      ((command.program === 'apt-get' || command.program === 'apt' || command.program === 'aptitude') &&
        sub === 'install') ||
      (command.program === 'apk' && sub === 'add') ||
      ((command.program === 'yum' ||
        command.program === 'dnf' ||
        command.program === 'microdnf' ||
        command.program === 'zypper') &&
        (sub === 'install' || sub === 'in'));
    if (!installs) continue;
    const packages: string[] = [];
    let seen = false;
    for (let i = 0; i < command.args.length; i++) {
      const arg = command.args[i]!;
      if (arg.startsWith('-')) {
        // apk add --virtual NAME …: NAME is not a package.
        if (arg === '--virtual' || arg === '-t' || arg === '--repository' || arg === '-X') i++;
        continue;
      }
      if (!seen) {
        seen = true;
        continue;
      }
      packages.push(arg.replace(/[=<>].*$/, ''));
    }
    result.push({ command, packages });
  }
  return result;
}

/**
 * Packages removed again in the same RUN (apk del, apt-get purge/remove, yum
 * remove), plus virtual names; `*` when the RUN marks every package automatic
 * and auto-removes (the official images' build-and-purge: what the built
 * binaries need is marked manual again, everything else installed goes).
 */
export function removedPackages(run: RunInstruction): Set<string> {
  const removed = new Set<string>();
  let markedAllAuto = false;
  for (const command of run.script.commands) {
    if (!REMOVERS.has(command.program)) continue;
    const sub = subcommand(command);
    if (command.program === 'apt-mark' && sub === 'auto' && command.args.some(isEveryPackage))
      markedAllAuto = true;
    if (
      markedAllAuto &&
      (command.program === 'apt-get' || command.program === 'apt') &&
      (sub === 'autoremove' ||
        ((sub === 'purge' || sub === 'remove') && hasOption(command.args, '--auto-remove', '--autoremove')))
    )
      removed.add('*');
    const removes =
      (command.program === 'apk' && sub === 'del') ||
      ((command.program === 'apt-get' || command.program === 'apt') &&
        (sub === 'purge' || sub === 'remove' || sub === 'autoremove')) ||
      ((command.program === 'yum' || command.program === 'dnf' || command.program === 'microdnf') &&
        (sub === 'remove' || sub === 'erase' || sub === 'autoremove'));
    if (!removes) continue;
    let seen = false;
    for (const arg of command.args) {
      if (arg.startsWith('-')) continue;
      if (!seen) {
        seen = true;
        continue;
      }
      removed.add(arg);
    }
  }
  return removed;
}

/** `apt-mark auto '.*'`: a pattern matching every package name. */
function isEveryPackage(arg: string): boolean {
  return arg === '.*' || arg === '*' || arg === '^.*' || arg === '^.*$' || arg === '~i';
}

/** `apk add --virtual .build-deps gcc …`: the virtual name for the installed packages. */
export function virtualName(command: ShellCommand): string | undefined {
  const index = command.args.findIndex((arg) => arg === '--virtual' || arg === '-t');
  if (index !== -1) return command.args[index + 1];
  const long = command.args.find((arg) => arg.startsWith('--virtual='));
  return long?.slice('--virtual='.length);
}

/** The Dockerfile text of a command (continuations and all), for offsets of fixes. */
export function commandSource(model: DockerfileModel, command: ShellCommand): string {
  return model.text.slice(command.range.start.offset, command.range.end.offset);
}

/** `2 MB`, `7.8 MB`, `57 MB`, `1.02 GB`: approximate catalogue sizes without false precision. */
export function approx(bytes: number): string {
  const trim = (value: number, digits: number) => String(Number(value.toFixed(digits)));
  if (bytes >= 1e9) return `${trim(bytes / 1e9, 2)} GB`;
  if (bytes >= 1e6) return `${trim(bytes / 1e6, bytes < 1e7 ? 1 : 0)} MB`;
  if (bytes >= 1e3) return `${trim(bytes / 1e3, 0)} kB`;
  return formatBytes(bytes);
}
