import { shippedStages } from '../../dockerfile/stages.js';
import type {
  CopyInstruction,
  DockerfileModel,
  RunInstruction,
  ShellCommand,
} from '../../dockerfile/types.js';
import { isCopyOrAdd, isRun } from '../../dockerfile/types.js';
import { ARTICLES } from '../../knowledge/articles.js';
import { formatBytes } from '../../util/bytes.js';
import { absolutePath } from '../../util/image-path.js';
import type { ContextFile, Rule, RuleFinding, TextEdit } from '../types.js';
import { isUnderMount, listSome, removalCovers, shortCommand } from '../util.js';
import {
  type ContextIndex,
  type CopiedPath,
  commandDirectories,
  contextEntryFor,
  copiedBytes,
  copiedPaths,
  displayPath,
  downloadedByAdd,
  entryBytes,
  hasVariable,
  indexContext,
  isWithin,
  measuredBytes,
  workdirAt,
} from './paths.js';

interface Ownership {
  command: ShellCommand;
  recursive: boolean;
  /** `app:app` for chown, `755` for chmod; undefined with --reference. */
  value?: string;
  paths: string[];
}

const CHOWN_FLAGS = /^-[RhvcfHLP]+$/;
const CHMOD_FLAGS = /^-[Rvcf]+$/;

/**
 * Parses `chown [-R] owner path…` / `chmod [-R] mode path…`, and `touch
 * path…`, which changes only timestamps but copies the file up the same way.
 */
function parseOwnership(command: ShellCommand): Ownership | undefined {
  if (command.program === 'touch') return parseTouch(command);
  if (command.program !== 'chown' && command.program !== 'chmod') return undefined;
  const flags = command.program === 'chown' ? CHOWN_FLAGS : CHMOD_FLAGS;
  let recursive = false;
  let reference = false;
  const operands: string[] = [];
  for (const arg of command.args) {
    if (operands.length === 0 && (flags.test(arg) || arg.startsWith('--'))) {
      if (arg === '--recursive' || (!arg.startsWith('--') && arg.includes('R'))) recursive = true;
      if (arg.startsWith('--reference')) reference = true;
      continue;
    }
    operands.push(arg);
  }
  const value = reference ? undefined : operands[0];
  const paths = reference ? operands : operands.slice(1);
  if (paths.length === 0) return undefined;
  return { command, recursive, ...(value !== undefined ? { value } : {}), paths };
}

interface Covered {
  copied: CopiedPath;
  bytes?: number;
}

/** `touch [-acm] [-d DATE] [-t STAMP] [-r FILE] path…` (`-c` creates nothing). */
function parseTouch(command: ShellCommand): Ownership | undefined {
  const paths: string[] = [];
  for (let i = 0; i < command.args.length; i++) {
    const arg = command.args[i]!;
    if (arg === '-d' || arg === '-t' || arg === '-r') i++;
    else if (!arg.startsWith('-')) paths.push(arg);
  }
  return paths.length > 0 ? { command, recursive: false, paths } : undefined;
}

/** `chmod +x`, `chmod 755`: only files are made executable, so an exact-path copy pare cannot type is a file. */
function makesExecutable(ownership: Ownership): boolean {
  return (
    ownership.command.program === 'chmod' &&
    ownership.value !== undefined &&
    (/^[ugoa]*\+[rwx]*x/.test(ownership.value) || /^[0-7]?[0-7]*[1357][0-7]{0,2}$/.test(ownership.value))
  );
}

/** What of the earlier COPY/ADD output a chown/chmod/touch of `path` rewrites. */
function coveredCopies(
  path: string,
  ownership: Ownership,
  copies: CopiedPath[],
  context: ContextIndex | undefined,
): Covered[] {
  const { recursive } = ownership;
  const result: Covered[] = [];
  for (const copied of copies) {
    const fromContext = copied.contextPath !== undefined && context !== undefined;
    const sameFile =
      path === copied.path &&
      (copied.kind === 'file' || (copied.kind === 'unknown' && makesExecutable(ownership)));
    if (recursive ? removalCovers(path, copied.path) : sameFile) {
      const bytes = context ? copiedBytes(copied, context) : undefined;
      result.push({ copied, ...(bytes !== undefined ? { bytes } : {}) });
    } else if (copied.kind === 'dir' && fromContext && isWithin(path, copied.path) && path !== copied.path) {
      const entry = contextEntryFor(copied, path, context);
      if (!entry || (!recursive && entry.isDirectory)) continue;
      result.push({ copied, bytes: entryBytes(context, entry) });
    }
  }
  return result;
}

const SMALL = 64 * 1024;
/** Directories whose base-image content a recursive chown/chmod would also change. */
const SYSTEM_DIR = /^\/(?:$|(?:usr|etc|var|lib\w*|bin|sbin|root|run|tmp)(?:\/|$))|^\/home(?:\/[^/]+)?$/;
const LARGE = 1024 * 1024;

/**
 * `COPY . /app` then `RUN chown -R app /app`, `ADD https://…/tini /tini`
 * then `RUN chmod +x /tini`, `ADD app.jar` then `RUN touch /app.jar`:
 * changing ownership, mode or even a timestamp copies every touched file up
 * into the new layer, so the image holds it twice.
 */
export const recursiveChownChmod: Rule = {
  meta: {
    id: 'recursive-chown-chmod',
    title: 'chown, chmod or touch in a RUN after COPY/ADD stores the files a second time',
    severity: 'warning',
    fixable: true,
    articles: [ARTICLES.minimize],
    judges: 'image',
  },
  needsContext: true,
  check({ model, contextFiles }) {
    const context = contextFiles ? indexContext(contextFiles) : undefined;
    const findings: RuleFinding[] = [];
    const copies: CopiedPath[] = [];
    for (const stage of shippedStages(model)) {
      for (const instruction of stage.instructions) {
        if (isCopyOrAdd(instruction)) {
          copies.push(...copiedPaths(model, instruction, context), ...downloadedByAdd(model, instruction));
          continue;
        }
        if (!isRun(instruction)) continue;
        const finding = checkRun(model, instruction, copies, context, contextFiles);
        if (finding) findings.push(finding);
      }
    }
    return findings;
  },
};

function checkRun(
  model: DockerfileModel,
  run: RunInstruction,
  copies: CopiedPath[],
  context: ContextIndex | undefined,
  contextFiles: readonly ContextFile[] | undefined,
): RuleFinding | undefined {
  const directories = commandDirectories(run, workdirAt(model, run));
  const offending: Array<{ ownership: Ownership; covered: Covered[]; paths: string[] }> = [];
  for (const command of run.script.commands) {
    const ownership = parseOwnership(command);
    if (!ownership) continue;
    const cwd = directories.get(command);
    const covered: Covered[] = [];
    const paths: string[] = [];
    for (const written of ownership.paths) {
      if (hasVariable(written) || (cwd === undefined && !written.startsWith('/'))) continue;
      const path = absolutePath(cwd ?? '/', written);
      if (isUnderMount(run, path)) continue;
      paths.push(path);
      covered.push(...coveredCopies(path, ownership, copies, context));
    }
    if (covered.length > 0) offending.push({ ownership, covered, paths });
  }
  const first = offending[0];
  if (!first) return undefined;

  const byCopy = new Map<string, Covered>();
  for (const item of offending.flatMap((entry) => entry.covered))
    byCopy.set(`${item.copied.instruction.index}:${item.copied.source}`, item);
  const covered = [...byCopy.values()];
  const { bytes, allKnown } = measuredBytes(covered);
  const instructions = [...new Set(covered.map((item) => item.copied.instruction))].sort(
    (a, b) => a.index - b.index,
  );
  const where = listSome(instructions, (item) => `${item.keyword} at line ${item.range.start.line + 1}`);
  const size = bytes > 0 ? ` (${formatBytes(bytes)})` : '';
  const finding: RuleFinding = {
    message: `\`${shortCommand(first.ownership.command.text)}\` rewrites what ${where} put in ${displayPath(first.paths[0]!)}${size}: every touched file is stored again in this layer`,
    range: first.ownership.command.range,
  };
  if (bytes > 0 && contextFiles) {
    finding.saving = {
      bytes,
      basis: `measured in the build context: bytes ${where} copied that this RUN rewrites`,
    };
  }
  const recursive = offending.some((entry) => entry.ownership.recursive);
  if (allKnown && bytes < (recursive ? SMALL : LARGE)) finding.severity = 'info';
  else if (!recursive && !(allKnown && bytes >= LARGE)) finding.severity = 'info';

  const fix = instructions.length === 1 ? fixFor(model, run, instructions[0]!, copies) : undefined;
  if (fix) finding.fix = fix;
  else finding.hint = hintFor(offending.map((entry) => entry.ownership));
  return finding;
}

function hintFor(ownerships: Ownership[]): string {
  if (ownerships.every((ownership) => ownership.command.program === 'touch'))
    return 'drop the touch: it only changes timestamps, and the file is stored again for it';
  const parts: string[] = [];
  for (const ownership of ownerships) {
    if (ownership.value === undefined) continue;
    // --chmod takes an octal mode: `+x` on a copied program is 755.
    const mode = /^[ugoa]*\+x$/.test(ownership.value) ? '755' : ownership.value;
    parts.push(ownership.command.program === 'chown' ? `--chown=${ownership.value}` : `--chmod=${mode}`);
  }
  const flags = parts.length > 0 ? parts.join(' ') : '--chown=…/--chmod=…';
  return `set ownership and mode while copying: COPY ${flags} … (ADD takes the same flags; --chmod needs BuildKit), and drop the RUN`;
}

/**
 * The safe mechanical fix: the RUN only changes ownership/mode of one path,
 * which exactly one COPY filled and no RUN wrote into. Move the change onto
 * that COPY; delete the RUN when the path is the copied file, or keep a
 * non-recursive chown/chmod of the directory itself (COPY --chown does not
 * change a destination directory that already existed, e.g. from WORKDIR).
 */
function fixFor(
  model: DockerfileModel,
  run: RunInstruction,
  copy: CopyInstruction,
  copies: CopiedPath[],
): TextEdit[] | undefined {
  if (run.form !== 'shell' || run.heredocs.length > 0 || run.script.syntaxError || run.flags.length > 0)
    return undefined;
  // A COPY in a base stage may feed other stages too: leave it to a human.
  if (copy.stageIndex !== run.stageIndex || copy.sources.some(hasVariable)) return undefined;
  const ownerships: Ownership[] = [];
  for (const command of run.script.commands) {
    const ownership = parseOwnership(command);
    // A value from ARG/ENV could be overridden at build time: keep the variable, so leave it to a human.
    if (
      !ownership ||
      command.nested ||
      command.conditional ||
      command.text.includes('$') ||
      Object.keys(command.assignments).length > 0
    )
      return undefined;
    ownerships.push(ownership);
  }
  const chown = ownerships.filter((item) => item.command.program === 'chown');
  const chmod = ownerships.filter((item) => item.command.program === 'chmod');
  if (chown.length > 1 || chmod.length > 1) return undefined;
  if (chown[0] && !/^[\w.-]+:[\w.-]+$/.test(chown[0].value ?? '')) return undefined;
  if (chmod[0] && !/^[0-7]{3,4}$/.test(chmod[0].value ?? '')) return undefined;

  const cwd = workdirAt(model, run);
  const written = new Set(ownerships.flatMap((item) => item.paths));
  if (written.size !== 1) return undefined;
  const raw = [...written][0]!;
  if (hasVariable(raw) || (cwd === undefined && !raw.startsWith('/'))) return undefined;
  const path = absolutePath(cwd ?? '/', raw);

  const mine = copies.filter((item) => item.instruction === copy);
  if (mine.length === 0) return undefined;
  const destination = workdirAt(model, copy);
  if (destination === undefined) return undefined;
  const isFile = mine.length === 1 && mine[0]!.kind === 'file' && mine[0]!.path === path;
  const isDir =
    absolutePath(destination, copy.destination) === path && mine.every((item) => isWithin(item.path, path));
  if (!isFile && !isDir) return undefined;
  // A system directory likely holds files of the base image that the RUN also changes.
  if (isDir && SYSTEM_DIR.test(path)) return undefined;
  if (
    copies.some(
      (item) => item.instruction !== copy && item.instruction.index < run.index && isWithin(item.path, path),
    )
  )
    return undefined;
  if (runWroteInto(model, run, path)) return undefined;

  const edits: TextEdit[] = [];
  const flagEdits: string[] = [];
  for (const [name, ownership] of [
    ['chown', chown[0]],
    ['chmod', chmod[0]],
  ] as const) {
    if (!ownership) continue;
    const existing = copy.flags.find((flag) => flag.name === name);
    if (existing)
      edits.push({
        start: existing.range.start.offset,
        end: existing.range.end.offset,
        newText: `--${name}=${ownership.value}`,
      });
    else flagEdits.push(`--${name}=${ownership.value}`);
  }
  if (flagEdits.length > 0)
    edits.push({
      start: copy.keywordRange.end.offset,
      end: copy.keywordRange.end.offset,
      newText: ` ${flagEdits.join(' ')}`,
    });

  if (isFile) {
    let end = run.range.end.offset;
    const { text } = model;
    while (text[end] === ' ' || text[end] === '\t' || text[end] === '\r') end++;
    if (text[end] === '\n') end++;
    edits.push({ start: run.range.start.offset, end, newText: '' });
  } else {
    for (const ownership of ownerships) {
      if (!ownership.recursive) continue;
      const edit = dropRecursive(model, ownership.command);
      if (!edit) return undefined;
      edits.push(edit);
    }
  }
  return edits;
}

/** Removes `-R`/`--recursive` (or the R of `-Rf`) from a command's text. */
function dropRecursive(model: DockerfileModel, command: ShellCommand): TextEdit | undefined {
  const start = command.range.start.offset;
  const text = model.text.slice(start, command.range.end.offset);
  const alone = /\s(?:-R|--recursive)(?=\s)/.exec(text);
  if (alone) return { start: start + alone.index, end: start + alone.index + alone[0].length, newText: '' };
  const combined = /\s-([A-Za-z]*)R([A-Za-z]*)(?=\s)/.exec(text);
  if (combined)
    return {
      start: start + combined.index,
      end: start + combined.index + combined[0].length,
      newText: ` -${combined[1]}${combined[2]}`,
    };
  return undefined;
}

/** Whether any earlier RUN of the final image could have written under `path` (its WORKDIR, an argument, a `cd`). */
function runWroteInto(model: DockerfileModel, until: RunInstruction, path: string): boolean {
  for (const stage of shippedStages(model)) {
    for (const item of stage.instructions) {
      if (item.index >= until.index) return false;
      if (!isRun(item)) continue;
      const cwd = workdirAt(model, item);
      if (cwd === undefined || isWithin(cwd, path)) return true;
      for (const command of item.script.commands) {
        if (command.program === 'cd' || command.program === 'pushd') return true;
        for (const arg of command.args) {
          const value = arg.includes('=') && arg.startsWith('-') ? arg.slice(arg.indexOf('=') + 1) : arg;
          if (value.startsWith('/') && isWithin(absolutePath(value.split(/[\s:]/)[0]!), path)) return true;
        }
      }
    }
  }
  return false;
}
