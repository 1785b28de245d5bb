/**
 * What each instruction sees when it runs, computed in one pass per model
 * (the way ESLint hands rules a prebuilt scope): the environment (the base
 * image's known ENV, then ENV and ARG), the USER, the WORKDIR, the SHELL and
 * the image the stage chain starts from. A `FROM <stage>` starts where that
 * stage ended.
 */
import { classifyImage } from '../catalog/base-images.js';
import { absolutePath } from '../util/image-path.js';
import { stageChain } from './stages.js';
import type { DockerfileModel, ImageRef, Instruction, Stage } from './types.js';

/**
 * Stands for the working directory of a base image the catalogue does not
 * know, until a WORKDIR says: relative paths of two instructions still
 * compare equal under it.
 */
export const BASE_WORKDIR = '/<workdir>';

export interface InstructionScope {
  /**
   * Variables visible: the base image's known ENV, then ENV and ARG of the
   * Dockerfile. Read-only.
   */
  env: Readonly<Record<string, string>>;
  /** USER in effect (`root` until one is set), without the group. */
  user: string;
  /**
   * WORKDIR in effect: absolute, under BASE_WORKDIR while only relative to
   * the base image's unknown one, undefined after a WORKDIR with a variable
   * the build does not resolve.
   */
  workdir: string | undefined;
  /** SHELL in effect, when the Dockerfile set one (else the image's, `/bin/sh -c` on Linux). */
  shell?: readonly string[];
  /** The image the stage chain starts from: its base lineage. */
  base: ImageRef;
}

interface ModelScopes {
  byInstruction: Map<number, InstructionScope>;
  atEnd: Map<number, InstructionScope>;
}

const cache = new WeakMap<DockerfileModel, ModelScopes>();

function scopes(model: DockerfileModel): ModelScopes {
  let result = cache.get(model);
  if (result) return result;
  result = { byInstruction: new Map(), atEnd: new Map() };
  for (const stage of model.stages) {
    const inherited = stage.baseStage === undefined ? undefined : result.atEnd.get(stage.baseStage);
    let scope = inherited ?? imageScope(stage.base);
    for (const item of stage.instructions) {
      result.byInstruction.set(item.index, scope);
      scope = after(model, item, scope);
    }
    result.atEnd.set(stage.index, scope);
  }
  cache.set(model, result);
  return result;
}

/**
 * What a stage built directly on an image starts with. The catalogue's images
 * work in `/` unless it says otherwise; an image it does not know may have
 * any WORKDIR.
 */
function imageScope(image: ImageRef): InstructionScope {
  const match = classifyImage(image);
  const known = match?.entry.workdir;
  const workdir = image.isScratch
    ? '/'
    : match === undefined
      ? BASE_WORKDIR
      : typeof known === 'function'
        ? known(match.tag)
        : (known ?? '/');
  return {
    env: startEnv(undefined, Object.entries(match?.entry.env ?? {})),
    user: 'root',
    workdir,
    base: image,
  };
}

/**
 * Environments are indexed, not copied. A stage keeps, for each variable, the
 * values its ENVs and ARGs gave it in order; a scope's environment is a view
 * "after the n-th assignment of this stage, over what the stage started
 * with", read by a binary search. So a Dockerfile of thousands of ENVs, each
 * scope kept for the instructions after it, costs linear time and memory,
 * where copying every variable at each ENV cost their square.
 */
interface EnvLayer {
  /** What the stage started with: the base image's, or the end of the stage it is built FROM. */
  parent: EnvView | undefined;
  /** Each name's values in the order they were set, with the count of assignments they were set at. */
  values: Map<string, Array<{ at: number; value: string }>>;
  /** Assignments so far. */
  count: number;
}

interface EnvView {
  layer: EnvLayer;
  /** The view sees this many of the layer's assignments. */
  at: number;
}

function lookup(view: EnvView | undefined, name: string): string | undefined {
  for (let v = view; v; v = v.layer.parent) {
    const list = v.layer.values.get(name);
    if (!list || list[0]!.at > v.at) continue;
    let low = 0;
    let high = list.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (list[middle]!.at <= v.at) low = middle;
      else high = middle - 1;
    }
    return list[low]!.value;
  }
  return undefined;
}

/** Every name the view sees (for enumeration: rules read by name). */
function names(view: EnvView): string[] {
  const seen = new Set<string>();
  for (let v: EnvView | undefined = view; v; v = v.layer.parent)
    for (const [name, list] of v.layer.values) if (list[0]!.at <= v.at) seen.add(name);
  return [...seen];
}

/** A view as the read-only record rules read, by name or enumerated. */
function envObject(view: EnvView): Readonly<Record<string, string>> {
  return new Proxy(Object.create(null) as Record<string, string>, {
    get: (_target, name) => (typeof name === 'string' ? lookup(view, name) : undefined),
    has: (_target, name) => typeof name === 'string' && lookup(view, name) !== undefined,
    ownKeys: () => names(view),
    getOwnPropertyDescriptor: (_target, name) => {
      const value = typeof name === 'string' ? lookup(view, name) : undefined;
      return value === undefined
        ? undefined
        : { value, enumerable: true, configurable: true, writable: false };
    },
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
  });
}

const viewOf = new WeakMap<object, EnvView>();

/** A new stage's environment: `entries` over `parent` (a stage's end), or alone (a base image's). */
function startEnv(
  parent: Readonly<Record<string, string>> | undefined,
  entries: ReadonlyArray<readonly [string, string]>,
): Readonly<Record<string, string>> {
  const layer: EnvLayer = { parent: parent && viewOf.get(parent), values: new Map(), count: 0 };
  return assign(layer, entries);
}

/** The environment after `entries` are set, in the layer `env` is a view of (the stage's own). */
function extendEnv(
  env: Readonly<Record<string, string>>,
  entries: ReadonlyArray<readonly [string, string]>,
): Readonly<Record<string, string>> {
  const view = viewOf.get(env)!;
  // A scope is extended only at the end of its stage's assignments: instructions run in order.
  if (view.at !== view.layer.count) return startEnv(env, entries);
  return assign(view.layer, entries);
}

function assign(
  layer: EnvLayer,
  entries: ReadonlyArray<readonly [string, string]>,
): Readonly<Record<string, string>> {
  layer.count++;
  for (const [name, value] of entries) {
    const list = layer.values.get(name);
    if (list) list.push({ at: layer.count, value });
    else layer.values.set(name, [{ at: layer.count, value }]);
  }
  const view: EnvView = { layer, at: layer.count };
  const env = envObject(view);
  viewOf.set(env, view);
  return env;
}

/** The scope after an instruction ran. */
function after(model: DockerfileModel, item: Instruction, scope: InstructionScope): InstructionScope {
  if ((item.keyword === 'ENV' || item.keyword === 'ARG') && 'pairs' in item) {
    const set: Array<[string, string]> = [];
    for (const pair of item.pairs) {
      // `ARG X` inside a stage takes the default of a global `ARG X=…`.
      const value = pair.value ?? (item.keyword === 'ARG' ? globalDefault(model, pair.key) : undefined);
      if (value !== undefined) set.push([pair.key, value]);
    }
    return set.length === 0 ? scope : { ...scope, env: extendEnv(scope.env, set) };
  }
  if (!('args' in item)) return scope;
  const first = item.args[0];
  if (item.keyword === 'USER' && first) return { ...scope, user: first.split(':')[0]! };
  if (item.keyword === 'WORKDIR' && first) {
    // A Windows path (`C:\app`) is not a POSIX one: pare does not resolve it.
    const unknown = first.includes('$') || /^[A-Za-z]:|\\/.test(first) || scope.workdir === undefined;
    return { ...scope, workdir: unknown ? undefined : absolutePath(scope.workdir!, first) };
  }
  if (item.keyword === 'SHELL' && item.args.length > 0) return { ...scope, shell: item.args };
  return scope;
}

function globalDefault(model: DockerfileModel, name: string): string | undefined {
  for (const arg of model.globalArgs)
    for (const pair of arg.pairs) if (pair.key === name && pair.value !== undefined) return pair.value;
  return undefined;
}

/** The scope an instruction runs in. */
export function scopeAt(model: DockerfileModel, instruction: Instruction): InstructionScope {
  // ARGs before the first FROM run in no stage: they see nothing of an image.
  return scopes(model).byInstruction.get(instruction.index) ?? imageScope(model.stages[0]!.base);
}

/** The scope at the end of a stage: what the image it produces carries. */
export function scopeAtEnd(model: DockerfileModel, stage: Stage): InstructionScope {
  return scopes(model).atEnd.get(stage.index) ?? imageScope(stageChain(model, stage)[0]!.base);
}

/** HOME for the user in effect: ENV HOME, else /root for root, else /home/USER (useradd's default). */
export function homeOf(scope: InstructionScope): string {
  const home = scope.env.HOME;
  if (home) return home.replace(/\/+$/, '') || '/';
  return scope.user === 'root' || scope.user === '0' ? '/root' : `/home/${scope.user}`;
}

/** The working directory taking an unknown base default as `/` (what most images use). */
export function workdirOrRoot(scope: InstructionScope): string | undefined {
  const { workdir } = scope;
  if (workdir === undefined || !isUnderBaseWorkdir(workdir)) return workdir;
  return absolutePath(workdir.slice(BASE_WORKDIR.length));
}

/** The working directory only when it is known for certain (a WORKDIR, or the image's known one). */
export function knownWorkdir(scope: InstructionScope): string | undefined {
  const { workdir } = scope;
  return workdir === undefined || isUnderBaseWorkdir(workdir) ? undefined : workdir;
}

function isUnderBaseWorkdir(path: string): boolean {
  return path === BASE_WORKDIR || path.startsWith(`${BASE_WORKDIR}/`);
}
