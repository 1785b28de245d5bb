/**
 * Queries the package rules share: where HOME, WORKDIR and the caches are at
 * an instruction, what a RUN deletes after a command, and the
 * subcommand/operands of package-manager command lines.
 */
import { homeOf, scopeAt, workdirOrRoot } from '../../dockerfile/scope.js';
import { rootImage, shippedStageIndexes } from '../../dockerfile/stages.js';
import type { DockerfileModel, Instruction, RunInstruction, ShellCommand } from '../../dockerfile/types.js';
import { type Distro, distroOf } from '../../knowledge/packages.js';
import { absolutePath } from '../../util/image-path.js';
import { isUnderMount, mountedTargets, removalCovers } from '../util.js';

export function distroAt(model: DockerfileModel, instruction: Instruction): Distro {
  const stage = model.stages[instruction.stageIndex];
  return stage ? distroOf(rootImage(model, stage)) : 'unknown';
}

const finalRuns = new WeakMap<DockerfileModel, readonly RunInstruction[]>();

/** Every RUN of the stages in the shipped image (found once per model: most package rules start here). */
export function finalImageRuns(model: DockerfileModel): readonly RunInstruction[] {
  let runs = finalRuns.get(model);
  if (!runs) {
    const stages = shippedStageIndexes(model);
    runs = model.instructions.filter(
      (item): item is RunInstruction => item.keyword === 'RUN' && stages.has(item.stageIndex),
    );
    finalRuns.set(model, runs);
  }
  return runs;
}

/** Environment at an instruction: the base image's known ENV, then ENV/ARG of the Dockerfile. */
export function environmentAt(
  model: DockerfileModel,
  instruction: Instruction,
): Readonly<Record<string, string>> {
  return scopeAt(model, instruction).env;
}

/** HOME at an instruction: ENV HOME, else /root for root, else /home/USER (the useradd default). */
export function homeAt(model: DockerfileModel, instruction: Instruction): string {
  return homeOf(scopeAt(model, instruction));
}

/** WORKDIR at an instruction (`/` when only the base image knows it); undefined when it holds an unresolved variable. */
export function workdirAt(model: DockerfileModel, instruction: Instruction): string | undefined {
  return workdirOrRoot(scopeAt(model, instruction));
}

const flagCache = new WeakMap<DockerfileModel, Map<string, Map<number, Instruction | undefined>>>();

/**
 * The first instruction, in this instruction's stage or the stages it is
 * built FROM, up to and including it, that matches `predicate`. Memoised per
 * model and `key` so a Dockerfile of many RUNs stays linear.
 */
export function firstMatchUpTo(
  model: DockerfileModel,
  instruction: Instruction,
  key: string,
  predicate: (item: Instruction) => boolean,
): Instruction | undefined {
  let perKey = flagCache.get(model);
  if (!perKey) {
    perKey = new Map();
    flagCache.set(model, perKey);
  }
  let firstByStage = perKey.get(key);
  if (!firstByStage) {
    firstByStage = new Map();
    for (const stage of model.stages) {
      const inherited = stage.baseStage === undefined ? undefined : firstByStage.get(stage.baseStage);
      firstByStage.set(stage.index, inherited ?? stage.instructions.find(predicate));
    }
    perKey.set(key, firstByStage);
  }
  const first = firstByStage.get(instruction.stageIndex);
  return first && first.index <= instruction.index ? first : undefined;
}

/** `~/x`, `$HOME/x`, `${HOME}/x` → `/root/x`; relative paths against `cwd` when known. */
export function normalisePath(path: string, home: string, cwd?: string): string {
  let result = path.replace(/^(?:~|\$HOME|\$\{HOME\})(?=\/|$)/, home);
  if (!result.startsWith('/') && cwd !== undefined && !result.startsWith('$'))
    result = absolutePath(cwd, result);
  return result.length > 1 ? result.replace(/\/+$/, '') : result;
}

/** Whether a path is inside a cache or tmpfs mount of the RUN (so nothing is left in the layer). */
export function isMounted(run: RunInstruction, path: string): boolean {
  return isUnderMount(run, path);
}

/** Whether any cache/tmpfs mount target ends with one of the given suffixes (user unknown). */
export function hasMountEndingWith(run: RunInstruction, ...suffixes: string[]): boolean {
  return mountedTargets(run).some((target) =>
    suffixes.some((suffix) => target.replace(/\/+$/, '').endsWith(suffix)),
  );
}

/** Paths a command deletes: `rm` operands, `find PATH … -delete|-exec rm`. */
function deletedPaths(command: ShellCommand): string[] {
  if (command.program === 'rm') return command.args.filter((arg) => !arg.startsWith('-')).flatMap(splitWords);
  if (command.program === 'find' && command.args.some((arg) => arg === '-delete' || arg === 'rm')) {
    const paths: string[] = [];
    for (const arg of command.args) {
      if (arg.startsWith('-') || arg === '(' || arg === '!') break;
      paths.push(arg);
    }
    return paths;
  }
  return [];
}

/**
 * Whether a command after position `after` in the RUN deletes `path` (or a
 * folder holding it). `~` and `$HOME` in the deleted paths are expanded.
 */
export function deletedLater(
  run: RunInstruction,
  after: number,
  path: string,
  home: string,
  cwd?: string,
): ShellCommand | undefined {
  const commands = run.script.commands;
  for (let i = after + 1; i < commands.length; i++) {
    if (deletes(commands[i]!, path, home, cwd)) return commands[i];
  }
  return undefined;
}

/** Whether the command deletes `path` or a folder holding it. */
export function deletes(command: ShellCommand, path: string, home: string, cwd?: string): boolean {
  return deletedPaths(command).some((pattern) => removalCovers(normalisePath(pattern, home, cwd), path));
}

/** A later RUN of the same stage that deletes `path`: too late, the bytes stay in the earlier layer. */
export function laterRunDeleting(
  model: DockerfileModel,
  run: RunInstruction,
  path: string,
  home: string,
): RunInstruction | undefined {
  const stage = model.stages[run.stageIndex];
  if (!stage) return undefined;
  let perStage = deletingCache.get(model);
  if (!perStage) {
    perStage = new Map();
    deletingCache.set(model, perStage);
  }
  const key = `${stage.index}\0${path}\0${home}`;
  let runs = perStage.get(key);
  if (!runs) {
    runs = stage.instructions.filter(
      (item): item is RunInstruction =>
        item.keyword === 'RUN' &&
        (item as RunInstruction).script.commands.some((command) => deletes(command, path, home)),
    );
    perStage.set(key, runs);
  }
  return firstAfter(runs, run.index);
}

const deletingCache = new WeakMap<DockerfileModel, Map<string, RunInstruction[]>>();

/** The first instruction of a list sorted by index that comes after `index` (binary search). */
export function firstAfter<T extends Instruction>(sorted: readonly T[], index: number): T | undefined {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (sorted[mid]!.index <= index) low = mid + 1;
    else high = mid;
  }
  return sorted[low];
}

export function commandIndex(run: RunInstruction, command: ShellCommand): number {
  return run.script.commands.indexOf(command);
}

/** Variables in shell words are not split by the model: `apt-get install $DEPS` → split here. */
function splitWords(arg: string): string[] {
  // Nearly every operand is one word already.
  if (!/\s/.test(arg)) return arg === '' ? [] : [arg];
  return arg.split(/\s+/).filter((word) => word !== '');
}

/** Index (into args) of the first non-option word, skipping option values. */
export function subcommandIndex(args: readonly string[], optionsWithValue: readonly string[]): number {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return i + 1 < args.length ? i + 1 : -1;
    if (arg.startsWith('-')) {
      if (optionsWithValue.includes(arg)) i++;
      continue;
    }
    return i;
  }
  return -1;
}

/** Non-option words after the subcommand (package names), split on blanks. */
export function packageOperands(command: ShellCommand, optionsWithValue: readonly string[]): string[] {
  const start = subcommandIndex(command.args, optionsWithValue);
  if (start === -1) return [];
  const result: string[] = [];
  for (let i = start + 1; i < command.args.length; i++) {
    const arg = command.args[i]!;
    if (arg === '--') continue;
    if (arg.startsWith('-')) {
      if (optionsWithValue.includes(arg)) i++;
      continue;
    }
    result.push(...splitWords(arg));
  }
  return result;
}

/** The value of `--name value` or `--name=value` (or a short `-n value`). */
export function optionValue(args: readonly string[], ...names: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    for (const name of names) {
      if (arg === name) return args[i + 1];
      if (arg.startsWith(`${name}=`)) return arg.slice(name.length + 1);
    }
  }
  return undefined;
}

/** Assignments visible to a command: `X=1 cmd`, `export X=1` earlier in the script, ENV/ARG. */
export function variableFor(
  run: RunInstruction,
  command: ShellCommand,
  env: Record<string, string>,
  name: string,
): string | undefined {
  return command.assignments[name] ?? run.script.assignments[name] ?? env[name];
}

/** A `sh -c`/wrapper duplicate: the model lists `sudo apt-get …` and `apt-get …`; keep the inner one. */
export function isWrapperEntry(command: ShellCommand): boolean {
  return ['sudo', 'env', 'nice', 'nohup', 'time', 'exec', 'command', 'stdbuf', 'ionice', 'doas'].includes(
    command.program,
  );
}
