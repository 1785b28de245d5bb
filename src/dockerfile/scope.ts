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
  /** Variables visible: the base image's known ENV, then ENV and ARG of the Dockerfile. */
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
  return { env: { ...(match?.entry.env ?? {}) }, user: 'root', workdir, base: image };
}

/** The scope after an instruction ran. */
function after(model: DockerfileModel, item: Instruction, scope: InstructionScope): InstructionScope {
  if ((item.keyword === 'ENV' || item.keyword === 'ARG') && 'pairs' in item) {
    const env = { ...scope.env };
    for (const pair of item.pairs) {
      // `ARG X` inside a stage takes the default of a global `ARG X=…`.
      const value = pair.value ?? (item.keyword === 'ARG' ? globalDefault(model, pair.key) : undefined);
      if (value !== undefined) env[pair.key] = value;
    }
    return { ...scope, env };
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
