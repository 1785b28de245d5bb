/**
 * Queries over the original Dockerfile that every ecosystem converter needs:
 * the verbatim preamble, instruction text with its leading comments (and with
 * edits applied), WORKDIR at a point, the command the container starts with
 * in exec form, the runtime metadata to carry into the final stage, and the
 * system packages a stage installs.
 */

import type { PackageManager } from '../../catalog/base-images.js';
import { parseImageRef } from '../../dockerfile/image-ref.js';
import { literalCommandWords } from '../../dockerfile/literal-words.js';
import type {
  CommandInstruction,
  CopyInstruction,
  DockerfileModel,
  Instruction,
  KeyValueInstruction,
  Stage,
} from '../../dockerfile/types.js';
import { isCommand, isCopyOrAdd, isKeyValue, isRun } from '../../dockerfile/types.js';
import { isRemoteSource } from '../../knowledge/ecosystems.js';
import { packageChange } from '../../knowledge/file-commands.js';
import { DEV_PACKAGE, DEV_TOOLS } from '../../knowledge/packages.js';
import type { TextEdit } from '../../rules/types.js';
import { absolutePath } from '../../util/image-path.js';
import { applyEdits } from '../apply-edits.js';
import { envLine, execLine, quoteValue, runLine } from './emit.js';

// ---- text of the original -------------------------------------------------------

/** Everything before the first FROM, verbatim: directives, top comments, global ARGs. */
export function headerText(model: DockerfileModel): string {
  const first = model.stages[0]!.from;
  return model.text.slice(0, first.range.start.offset);
}

export function eolOf(model: DockerfileModel): '\n' | '\r\n' {
  return model.text.includes('\r\n') ? '\r\n' : '\n';
}

/** Comment lines directly above an instruction (after the previous instruction), verbatim. */
function leadingComments(model: DockerfileModel, instruction: Instruction): string[] {
  const previous = model.instructions[instruction.index - 1];
  const floor = previous ? previous.range.end.line : -1;
  const byLine = new Map(model.comments.map((comment) => [comment.range.start.line, comment.text]));
  const lines: string[] = [];
  for (let line = instruction.range.start.line - 1; line > floor; line--) {
    const text = byLine.get(line);
    if (text === undefined) break;
    lines.unshift(text);
  }
  return lines;
}

/** The instruction's source with edits (absolute offsets) applied. */
function editedSource(instruction: Instruction, edits: readonly TextEdit[]): string {
  const start = instruction.range.start.offset;
  return applyEdits(
    instruction.source,
    edits.map((edit) => ({ start: edit.start - start, end: edit.end - start, newText: edit.newText })),
  );
}

/** Leading comments and the source (edited when edits are given), as lines for a StageSpec. */
export function verbatim(
  model: DockerfileModel,
  instruction: Instruction,
  edits: readonly TextEdit[] = [],
): string[] {
  return [...leadingComments(model, instruction), editedSource(instruction, edits)];
}

// ---- paths ------------------------------------------------------------------------

export function resolvePath(cwd: string | undefined, path: string): string | undefined {
  if (path.includes('$')) return undefined;
  if (path.startsWith('/')) return absolutePath(path);
  return cwd === undefined ? undefined : absolutePath(`${cwd}/${path}`);
}

/** WORKDIR in effect before the instruction at `index` of the stage chain; undefined when unknown. */
export function workdirBefore(model: DockerfileModel, stage: Stage, index: number): string | undefined {
  let cwd: string | undefined;
  const chain: Stage[] = [];
  for (let s: Stage | undefined = stage; s && !chain.includes(s); ) {
    chain.unshift(s);
    s = s.baseStage === undefined ? undefined : model.stages[s.baseStage];
  }
  for (const s of chain) {
    for (const instruction of s.instructions) {
      if (instruction.index >= index) break;
      if (instruction.keyword !== 'WORKDIR' || !('args' in instruction)) continue;
      const dir = instruction.args[0];
      if (!dir || dir.includes('$')) cwd = undefined;
      else
        cwd = dir.startsWith('/')
          ? absolutePath(dir)
          : cwd === undefined
            ? undefined
            : absolutePath(`${cwd}/${dir}`);
    }
  }
  return cwd;
}

// ---- what the container starts with -------------------------------------------

export interface StartInstruction {
  instruction: CommandInstruction;
  /** The words, exec form; undefined when the shell form uses shell features. */
  words: string[] | undefined;
}

export interface StartCommands {
  entrypoint?: StartInstruction;
  cmd?: StartInstruction;
}

/**
 * The last ENTRYPOINT and CMD of the given stages (the final image's chain).
 * `allowGlobs`: shell-form words may hold `*`/`?` (a converter that replaces them).
 */
export function startCommands(stages: readonly Stage[], allowGlobs = false): StartCommands {
  let entrypoint: CommandInstruction | undefined;
  let cmd: CommandInstruction | undefined;
  for (const stage of stages) {
    for (const instruction of stage.instructions) {
      if (!isCommand(instruction)) continue;
      if (instruction.keyword === 'ENTRYPOINT') entrypoint = instruction;
      else cmd = instruction;
    }
  }
  return {
    ...(entrypoint
      ? { entrypoint: { instruction: entrypoint, words: commandWords(entrypoint, allowGlobs) } }
      : {}),
    ...(cmd ? { cmd: { instruction: cmd, words: commandWords(cmd, allowGlobs) } } : {}),
  };
}

/** Exec-form words of CMD/ENTRYPOINT; for the shell form only when it is one simple command of literal words. */
function commandWords(instruction: CommandInstruction, allowGlobs = false): string[] | undefined {
  if (instruction.form === 'exec') return [...(instruction.execArgs ?? [])];
  return literalCommandWords(instruction, allowGlobs);
}

/** The words the container runs first: ENTRYPOINT when there is one, else CMD. */
export function leadingWords(start: StartCommands): string[] | undefined {
  return (start.entrypoint ?? start.cmd)?.words;
}

export interface RenderedStart {
  lines: string[];
  notes: string[];
}

/**
 * ENTRYPOINT/CMD for the final stage in exec form, with the leading
 * instruction's words rewritten (the artifact's new path, `npm start` → node).
 * A shell-form ENTRYPOINT ignored CMD, so CMD is dropped with it.
 */
export function renderStart(
  model: DockerfileModel,
  start: StartCommands,
  rewrite: (words: string[]) => string[],
): RenderedStart | { error: string } {
  const notes: string[] = [];
  const lines: string[] = [];
  const lead = start.entrypoint ?? start.cmd;
  if (!lead) return { error: 'no CMD or ENTRYPOINT starts the app' };
  if (!lead.words) return { error: shellFeatures(lead.instruction) };
  const words = rewrite(lead.words);
  const changed = lead.instruction.form !== 'exec' || words.join('\0') !== lead.words.join('\0');
  if (changed) {
    notes.push(
      `${lead.instruction.keyword} ${lead.instruction.form === 'shell' ? 'in exec form' : 'rewritten'}: ${JSON.stringify(words)}`,
    );
  }
  const leadText = changed ? execLine(lead.instruction.keyword, words) : lead.instruction.source;
  lines.push(...leadingComments(model, lead.instruction), leadText);
  if (start.entrypoint && start.cmd) {
    if (start.entrypoint.instruction.form === 'shell') {
      notes.push(`CMD on line ${line(start.cmd.instruction)} dropped: the shell-form ENTRYPOINT ignored it`);
    } else if (!start.cmd.words) {
      return { error: `CMD on line ${line(start.cmd.instruction)} uses shell features; it has no exec form` };
    } else {
      const cmd = start.cmd;
      const text = cmd.instruction.form === 'exec' ? cmd.instruction.source : execLine('CMD', cmd.words!);
      if (cmd.instruction.form !== 'exec') notes.push(`CMD in exec form: ${JSON.stringify(cmd.words)}`);
      lines.push(...leadingComments(model, cmd.instruction), text);
    }
  }
  return { lines, notes };
}

export function shellFeatures(instruction: CommandInstruction): string {
  return `${instruction.keyword} on line ${line(instruction)} uses shell features (${JSON.stringify(instruction.shellText ?? '')}); it has no exec form pare can write`;
}

export function line(instruction: Instruction): number {
  return instruction.range.start.line + 1;
}

// ---- runtime metadata carried into the final stage --------------------------------

/** Instructions that describe the running container, not the build. */
const RUNTIME_KEYWORDS = new Set([
  'ENV',
  'ARG',
  'LABEL',
  'MAINTAINER',
  'WORKDIR',
  'EXPOSE',
  'VOLUME',
  'STOPSIGNAL',
  'HEALTHCHECK',
]);

/** Instructions that only matter to the running container: dropped from builder stages. */
export const RUNTIME_ONLY_KEYWORDS = new Set([
  'CMD',
  'ENTRYPOINT',
  'EXPOSE',
  'HEALTHCHECK',
  'STOPSIGNAL',
  'VOLUME',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
]);

export interface CarriedMetadata {
  lines: string[];
  notes: string[];
  /** The HEALTHCHECK carried, if any (the final base may lack its tools). */
  healthcheck?: Instruction;
  /** USER instructions of the original, last one wins. */
  user?: Instruction;
}

/**
 * ENV/ARG/LABEL/WORKDIR/EXPOSE/VOLUME/STOPSIGNAL/HEALTHCHECK of the stages,
 * verbatim and in order. `dropEnv` names ENV keys that only configure the build
 * (GOPATH, CGO_ENABLED…): an ENV that sets only those is dropped, one that
 * mixes them is rewritten with the rest.
 */
export function carryMetadata(
  model: DockerfileModel,
  stages: readonly Stage[],
  dropEnv: (key: string) => boolean = () => false,
): CarriedMetadata {
  const lines: string[] = [];
  const notes: string[] = [];
  const dropped: string[] = [];
  let healthcheck: Instruction | undefined;
  let user: Instruction | undefined;
  for (const stage of stages) {
    for (const instruction of stage.instructions) {
      if (instruction.keyword === 'USER') user = instruction;
      if (!RUNTIME_KEYWORDS.has(instruction.keyword)) continue;
      if (instruction.keyword === 'HEALTHCHECK') healthcheck = instruction;
      if (instruction.keyword === 'ENV' && isKeyValue(instruction)) {
        const text = envWithout(instruction, dropEnv, dropped);
        if (text === undefined) continue;
        lines.push(...leadingComments(model, instruction), text);
        continue;
      }
      lines.push(...verbatim(model, instruction));
    }
  }
  if (dropped.length > 0)
    notes.push(`build-only ENV not carried into the final image: ${unique(dropped).join(', ')}`);
  return { lines, notes, ...(healthcheck ? { healthcheck } : {}), ...(user ? { user } : {}) };
}

function envWithout(
  instruction: KeyValueInstruction,
  drop: (key: string) => boolean,
  dropped: string[],
): string | undefined {
  const keep = instruction.pairs.filter((pair) => !drop(pair.key));
  if (keep.length === instruction.pairs.length) return instruction.source;
  dropped.push(...instruction.pairs.filter((pair) => drop(pair.key)).map((pair) => pair.key));
  if (keep.length === 0) return undefined;
  // Rewritten from the source text of each kept value, so `$VAR` references stay as written.
  const raw = rawPairs(instruction);
  return envLine(keep.map((pair) => [pair.key, raw.get(pair.key) ?? pair.value ?? ''] as const));
}

/** `KEY=value` words of an ENV as written (unquoted, variables not substituted). */
function rawPairs(instruction: KeyValueInstruction): Map<string, string> {
  const map = new Map<string, string>();
  const body = instruction.source.replace(/^\s*ENV\s+/i, '');
  const pattern = /([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|'[^']*'|(?:[^\s\\]|\\.)*)/g;
  for (let match = pattern.exec(body); match; match = pattern.exec(body)) {
    let value = match[2]!;
    if (value.startsWith('"')) value = value.slice(1, -1).replace(/\\(.)/g, '$1');
    else if (value.startsWith("'")) value = value.slice(1, -1);
    map.set(match[1]!, value);
  }
  return map;
}

/** An ENV line that prepends a directory to PATH. */
export function pathEnvLine(directory: string): string {
  return `ENV PATH=${quoteValue(`${directory}:$PATH`)}`;
}

// ---- copies from the build context ------------------------------------------------

/** COPY/ADD of local files (not --from, not URLs or git). */
export function contextCopies(stage: Stage): CopyInstruction[] {
  return stage.instructions.filter(
    (instruction): instruction is CopyInstruction =>
      isCopyOrAdd(instruction) &&
      instruction.from === undefined &&
      !instruction.sources.some((source) => isRemoteSource(source)),
  );
}

/** Where a COPY puts things, absolute; undefined when WORKDIR is unknown or variables are involved. */
export function copyDestination(
  model: DockerfileModel,
  stage: Stage,
  copy: CopyInstruction,
): string | undefined {
  const cwd = workdirBefore(model, stage, copy.index);
  return resolvePath(cwd ?? (copy.destination.startsWith('/') ? '/' : undefined), copy.destination);
}

/** A COPY that brings the whole context (or a whole directory of it): `COPY . .`, `ADD . /app`. */
export function copiesWholeContext(copy: CopyInstruction): boolean {
  return copy.sources.some((source) => /^(?:\.\/?|\.\/\.)$/.test(source.trim()));
}

/** The context directory a build directory corresponds to, via the stage's whole-context COPY. */
export function contextRelative(
  model: DockerfileModel,
  stage: Stage,
  cwd: string | undefined,
): string | undefined {
  if (cwd === undefined) return undefined;
  for (const copy of contextCopies(stage)) {
    if (!copiesWholeContext(copy)) continue;
    const dest = copyDestination(model, stage, copy);
    if (dest === undefined) continue;
    if (cwd === dest) return '';
    if (cwd.startsWith(`${dest === '/' ? '' : dest}/`))
      return cwd.slice(dest.length + (dest === '/' ? 0 : 1));
  }
  return undefined;
}

// ---- packages -----------------------------------------------------------------------

export interface InstalledPackages {
  manager: 'apt' | 'apk' | 'rpm';
  names: string[];
}

/** System packages the stages install and do not remove again. */
export function systemPackages(stages: readonly Stage[]): InstalledPackages[] {
  const installed = new Map<'apt' | 'apk' | 'rpm', Set<string>>();
  for (const stage of stages) {
    for (const run of stage.instructions.filter(isRun)) {
      for (const command of run.script.commands) {
        const change = packageChange(command);
        if (!change || (change.manager !== 'apt' && change.manager !== 'apk' && change.manager !== 'rpm'))
          continue;
        const set = installed.get(change.manager) ?? new Set<string>();
        installed.set(change.manager, set);
        for (const name of change.names) {
          if (change.action === 'install') set.add(name);
          else set.delete(name);
        }
      }
    }
  }
  return [...installed].map(([manager, names]) => ({ manager, names: [...names] }));
}

const BUILD_ONLY = new Set([
  'python3-pip',
  'python-pip',
  'py3-pip',
  'python3-venv',
  'python3-setuptools',
  'python3-wheel',
  'python3-distutils',
  'python3-virtualenv',
  'virtualenv',
  'libc-dev',
  'libc6-dev',
  'musl-dev',
  'npm',
  'golang',
  'golang-go',
  'go',
  'rustc',
  'cargo',
  'rust',
  'maven',
  'gradle',
  'apt-utils',
  'software-properties-common',
  'gnupg',
  'gnupg2',
  'dirmngr',
  'lsb-release',
]);

/**
 * Packages only a build needs: compilers, headers, VCS, editors, debuggers,
 * download tools, package tooling. `usedBinaries` are programs the running
 * container calls (HEALTHCHECK, CMD): a tool providing one of them stays.
 */
export function isBuildOnlyPackage(name: string, usedBinaries: ReadonlySet<string> = new Set()): boolean {
  const tool = DEV_TOOLS.find((item) => item.pattern.test(name));
  if (tool) return !tool.binaries.some((binary) => usedBinaries.has(binary));
  if (BUILD_ONLY.has(name)) return true;
  if (DEV_PACKAGE.test(name)) return true;
  if (/^python3?(?:\.\d+)?-(?:dev|pip|venv)$/.test(name)) return true;
  return /^openjdk-\d+-jdk(?:-headless)?$/.test(name) || /-jdk$/.test(name);
}

/** The RUN that installs runtime system packages in the final stage, cleaning up in the same layer. */
export function installRun(
  manager: PackageManager,
  names: readonly string[],
  continuation: string,
): string | undefined {
  const list = names.join(' ');
  switch (manager) {
    case 'apt':
      return runLine(
        [
          'apt-get update',
          `apt-get install -y --no-install-recommends ${list}`,
          'apt-get clean',
          'rm -rf /var/lib/apt/lists/*',
        ],
        continuation,
      );
    case 'apk':
      return `RUN apk add --no-cache ${list}`;
    case 'dnf':
    case 'yum':
    case 'microdnf':
      return runLine([`${manager} install -y ${list}`, `${manager} clean all`], continuation);
    default:
      return undefined;
  }
}

/** Which catalogue package manager installs packages of a Dockerfile manager family. */
export function managerFits(family: InstalledPackages['manager'], manager: PackageManager): boolean {
  if (family === 'rpm') return manager === 'dnf' || manager === 'yum' || manager === 'microdnf';
  return family === manager;
}

const USER_COMMANDS = new Set(['useradd', 'adduser', 'groupadd', 'addgroup', 'usermod']);

/** RUNs that only create users and groups (the final stage needs them for USER). */
export function userSetupRuns(model: DockerfileModel, stages: readonly Stage[]): string[] {
  const lines: string[] = [];
  for (const stage of stages) {
    for (const run of stage.instructions.filter(isRun)) {
      const commands = run.script.commands;
      if (commands.length > 0 && commands.every((command) => USER_COMMANDS.has(command.program)))
        lines.push(...verbatim(model, run));
    }
  }
  return lines;
}

// ---- releases -----------------------------------------------------------------------

const DEBIAN: Record<string, string> = { buster: '10', bullseye: '11', bookworm: '12', trixie: '13' };
const UBUNTU: Record<string, string> = { focal: '20.04', jammy: '22.04', noble: '24.04' };

/**
 * The distribution release an image is built on, when its name says so:
 * `debian-12`, `ubuntu-22.04`, `alpine-3.20`. Native binaries and virtualenvs
 * only move between images of the same release.
 */
export function releaseOf(image: string): string | undefined {
  const ref = parseImageRef(image, image, false);
  const repository = ref.repository;
  const tag = (ref.tag ?? 'latest').toLowerCase();
  const text = `${repository}:${tag}`;
  for (const [code, version] of Object.entries(DEBIAN)) {
    if (new RegExp(`(?:^|[^a-z])${code}(?:[^a-z]|$)`).test(text)) return `debian-${version}`;
  }
  for (const [code, version] of Object.entries(UBUNTU)) {
    if (new RegExp(`(?:^|[^a-z])${code}(?:[^a-z]|$)`).test(text)) return `ubuntu-${version}`;
  }
  const debianN = /debian(\d+)/.exec(repository);
  if (debianN) return `debian-${debianN[1]}`;
  const last = repository.slice(repository.lastIndexOf('/') + 1);
  if (last === 'debian') {
    const version = /^(\d+)/.exec(tag);
    if (version) return `debian-${version[1]}`;
  }
  if (last === 'ubuntu') {
    const version = /^(\d+\.\d+)/.exec(tag);
    if (version) return `ubuntu-${version[1]}`;
  }
  const alpine = /alpine(\d+\.\d+)/.exec(tag) ?? (last === 'alpine' ? /^(\d+\.\d+)/.exec(tag) : null);
  if (alpine) return `alpine-${alpine[1]}`;
  return undefined;
}

export function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
