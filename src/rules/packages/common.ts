/**
 * Queries the package rules share: who the user is and where HOME, WORKDIR
 * and the caches are at an instruction, what a RUN deletes after a command,
 * and the subcommand/operands of package-manager command lines.
 */
import type {
  DockerfileModel,
  ImageRef,
  Instruction,
  RunInstruction,
  ShellCommand,
  Stage,
} from '../../dockerfile/types.js';
import { Environment } from '../environment.js';
import { isUnderMount, mountedTargets, removalCovers, stagesInFinalImage } from '../util.js';
import { DEV_STAGE_NAME, type Distro, distroOf, imageDefaultEnv } from './knowledge.js';

/** The stage and the stages it is built FROM, base first. */
export function stageChain(model: DockerfileModel, stage: Stage): Stage[] {
  const chain: Stage[] = [];
  let current: Stage | undefined = stage;
  while (current && !chain.includes(current)) {
    chain.unshift(current);
    current = current.baseStage === undefined ? undefined : model.stages[current.baseStage];
  }
  return chain;
}

/** The image at the root of a stage's FROM chain. */
export function rootImage(model: DockerfileModel, stage: Stage): ImageRef {
  return stageChain(model, stage)[0]!.base;
}

export function distroAt(model: DockerfileModel, instruction: Instruction): Distro {
  const stage = model.stages[instruction.stageIndex];
  return stage ? distroOf(rootImage(model, stage)) : 'unknown';
}

/** A development, test or debug image on purpose: final stage named `dev`, `test`…, or a devcontainer Dockerfile. */
export function isDevelopmentImage(model: DockerfileModel): boolean {
  return (
    DEV_STAGE_NAME.test(model.finalStage.name ?? '') || /(?:^|[\\/])\.devcontainer[\\/]/.test(model.path)
  );
}

/** Indexes of the stages whose layers end up in the image `docker build` produces. */
export function finalImageStages(model: DockerfileModel): Set<number> {
  return new Set(stagesInFinalImage(model).map((stage) => stage.index));
}

/** Every RUN of the stages in the final image. */
export function finalImageRuns(model: DockerfileModel): RunInstruction[] {
  const stages = finalImageStages(model);
  return model.instructions.filter(
    (item): item is RunInstruction => item.keyword === 'RUN' && stages.has(item.stageIndex),
  );
}

/** What an instruction sees: the environment, USER and WORKDIR in effect before it runs. */
interface Scope {
  env: Environment;
  user: string;
  /** Undefined once a WORKDIR holds an unresolved variable. */
  workdir: string | undefined;
}

const scopeCache = new WeakMap<DockerfileModel, Map<number, Scope>>();

/** One pass over the stages (a FROM <stage> starts from its base's end state), memoised per model. */
function scopes(model: DockerfileModel): Map<number, Scope> {
  const cached = scopeCache.get(model);
  if (cached) return cached;
  const byInstruction = new Map<number, Scope>();
  const atEnd = new Map<number, Scope>();
  const globalDefaults = globalArgDefaults(model);
  for (const stage of model.stages) {
    const inherited = stage.baseStage === undefined ? undefined : atEnd.get(stage.baseStage);
    let scope: Scope = inherited ?? {
      env: Environment.of(imageDefaultEnv(stage.base)),
      user: 'root',
      workdir: '/',
    };
    for (const item of stage.instructions) {
      byInstruction.set(item.index, scope);
      if ((item.keyword === 'ENV' || item.keyword === 'ARG') && 'pairs' in item) {
        // `ARG X` inside a stage takes the default of a global `ARG X=…`.
        const changes = item.pairs.map(
          (pair) =>
            [
              pair.key,
              pair.value ?? (item.keyword === 'ARG' ? globalDefaults.get(pair.key) : undefined),
            ] as const,
        );
        scope = { ...scope, env: scope.env.with(changes) };
      } else if (item.keyword === 'USER' && 'args' in item && item.args[0]) {
        scope = { ...scope, user: item.args[0].split(':')[0]! };
      } else if (item.keyword === 'WORKDIR' && 'args' in item && item.args[0]) {
        const arg = item.args[0];
        scope = {
          ...scope,
          workdir:
            arg.includes('$') || scope.workdir === undefined ? undefined : joinPath(scope.workdir, arg),
        };
      }
    }
    atEnd.set(stage.index, scope);
  }
  scopeCache.set(model, byInstruction);
  return byInstruction;
}

/** The first value each global `ARG NAME=value` gives a name. */
function globalArgDefaults(model: DockerfileModel): Map<string, string> {
  const defaults = new Map<string, string>();
  for (const arg of model.globalArgs)
    for (const pair of arg.pairs)
      if (pair.value !== undefined && !defaults.has(pair.key)) defaults.set(pair.key, pair.value);
  return defaults;
}

const EMPTY_SCOPE: Scope = { env: Environment.EMPTY, user: 'root', workdir: '/' };

function scopeAt(model: DockerfileModel, instruction: Instruction): Scope {
  return scopes(model).get(instruction.index) ?? EMPTY_SCOPE;
}

/** Environment at an instruction: well-known base image env, then ENV/ARG of the Dockerfile. */
export function environmentAt(model: DockerfileModel, instruction: Instruction): Environment {
  return scopeAt(model, instruction).env;
}

/** The USER at an instruction (`root` when none was set). */
export function userAt(model: DockerfileModel, instruction: Instruction): string {
  return scopeAt(model, instruction).user;
}

/** HOME at an instruction: ENV HOME, else /root for root, else /home/USER (the useradd default). */
export function homeAt(
  model: DockerfileModel,
  instruction: Instruction,
  env = environmentAt(model, instruction),
): string {
  const home = env.get('HOME');
  if (home) return home.replace(/\/+$/, '') || '/';
  const user = userAt(model, instruction);
  return user === 'root' || user === '0' ? '/root' : `/home/${user}`;
}

/** WORKDIR at an instruction; undefined when it holds an unresolved variable. */
export function workdirAt(model: DockerfileModel, instruction: Instruction): string | undefined {
  return scopeAt(model, instruction).workdir;
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

export function joinPath(base: string, path: string): string {
  const parts = (path.startsWith('/') ? path : `${base}/${path}`).split('/');
  const out: string[] = [];
  for (const part of parts) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

/** `~/x`, `$HOME/x`, `${HOME}/x` → `/root/x`; relative paths against `cwd` when known. */
export function normalisePath(path: string, home: string, cwd?: string): string {
  let result = path.replace(/^(?:~|\$HOME|\$\{HOME\})(?=\/|$)/, home);
  if (!result.startsWith('/') && cwd !== undefined && !result.startsWith('$')) result = joinPath(cwd, result);
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
export function deletedPaths(command: ShellCommand): string[] {
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
export function splitWords(arg: string): string[] {
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

export function subcommandOf(command: ShellCommand, optionsWithValue: readonly string[]): string | undefined {
  const index = subcommandIndex(command.args, optionsWithValue);
  return index === -1 ? undefined : command.args[index];
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
  env: Environment,
  name: string,
): string | undefined {
  return command.assignments[name] ?? run.script.assignments[name] ?? env.get(name);
}

/** A `sh -c`/wrapper duplicate: the model lists `sudo apt-get …` and `apt-get …`; keep the inner one. */
export function isWrapperEntry(command: ShellCommand): boolean {
  return ['sudo', 'env', 'nice', 'nohup', 'time', 'exec', 'command', 'stdbuf', 'ionice', 'doas'].includes(
    command.program,
  );
}

export function lineOf(instruction: Instruction): number {
  return instruction.range.start.line + 1;
}
