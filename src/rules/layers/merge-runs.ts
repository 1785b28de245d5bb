/**
 * Merging consecutive RUN instructions into one: the text edits that join
 * them with ` && \` continuations, and the checks that make the merge keep
 * what each RUN did (same flags, no `cd`/`export` leaking into the next
 * command, no `;`/`||` that would swallow an earlier failure).
 */
import type { DockerfileModel, RunInstruction } from '../../dockerfile/types.js';
import type { TextEdit } from '../types.js';

/** Commands whose effect outlives them in the same shell: merging would change what follows. */
const SHELL_STATE = new Set([
  'cd',
  'pushd',
  'popd',
  'export',
  'unset',
  'set',
  'shopt',
  'umask',
  'ulimit',
  'source',
  '.',
  'alias',
  'exit',
  'exec',
  'trap',
  'readonly',
  'declare',
  'typeset',
  'local',
  'eval',
  'return',
]);

const WORD = /[A-Za-z_!][\w!-]*/y;
const OPENERS = new Set(['if', 'for', 'while', 'until', 'case', 'select']);
const CLOSERS = new Set(['fi', 'done', 'esac']);
/** Words after which the next word is again a command name. */
const KEEP_POSITION = new Set([
  'then',
  'do',
  'else',
  'elif',
  'if',
  'while',
  'until',
  '!',
  'time',
  'fi',
  'done',
  'esac',
]);

const POSIX_SHELLS = /(?:^|\/)(?:sh|bash|dash|ash|zsh|ksh|busybox)$/;

interface ScriptShape {
  /** `;`, a newline or a lone `&` outside quotes and parentheses. */
  sequence: boolean;
  /** `||` outside quotes and parentheses. */
  or: boolean;
  /** A `#` comment (it runs to the end of the joined script). */
  comment: boolean;
  /** Where the comment starts in the script text. */
  commentIndex?: number;
  /** Ends with an operator waiting for more (`&&`, `|`, `\`…). */
  dangling: boolean;
}

/** Scans a shell script's top level, quote- and parenthesis-aware (no full parse needed for these questions). */
function scriptShape(text: string): ScriptShape {
  const shape: ScriptShape = { sequence: false, or: false, comment: false, dangling: false };
  let depth = 0;
  let quote: '"' | "'" | '`' | undefined;
  let commandPosition = true;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quote) {
      if (char === '\\' && quote !== "'") i++;
      else if (char === quote) quote = undefined;
      continue;
    }
    // Compound commands (`if …; then …; fi`, loops) are one command to what surrounds them.
    if (/[A-Za-z_!]/.test(char)) {
      WORD.lastIndex = i;
      const word = WORD.exec(text)![0];
      const after = text[i + word.length];
      const isWord = after === undefined || /[\s;&|)]/.test(after);
      if (commandPosition && isWord) {
        if (OPENERS.has(word)) depth++;
        else if (CLOSERS.has(word) && depth > 0) depth--;
      }
      commandPosition = isWord && KEEP_POSITION.has(word);
      i += word.length - 1;
      continue;
    }
    if (!/\s/.test(char)) commandPosition = /[;&|({\n]/.test(char);
    switch (char) {
      case '\\':
        i++;
        break;
      case "'":
      case '"':
      case '`':
        quote = char;
        break;
      case '(':
      case '{':
        depth++;
        break;
      case ')':
      case '}':
        if (depth > 0) depth--;
        break;
      case '#':
        if (i === 0 || /\s/.test(text[i - 1]!)) {
          shape.comment = true;
          shape.commentIndex = i;
          return finish();
        }
        break;
      case ';':
      case '\n':
        if (depth === 0) shape.sequence = true;
        break;
      case '|':
        if (text[i + 1] === '|') {
          if (depth === 0) shape.or = true;
          i++;
        }
        break;
      case '&':
        if (text[i + 1] === '&') i++;
        else if (text[i - 1] !== '>' && text[i + 1] !== '>' && depth === 0) shape.sequence = true;
        break;
    }
  }
  return finish();

  function finish(): ScriptShape {
    const end = text.replace(/#.*$/s, '').trimEnd();
    shape.dangling = /(?:&&|\|\||[|;&\\])$/.test(end) || quote !== undefined || depth > 0;
    return shape;
  }
}

function flagKey(run: RunInstruction): string {
  return run.flags
    .map((flag) => `${flag.name}=${flag.value ?? ''}`)
    .sort()
    .join(' ');
}

/** Whether two RUNs carry the same `--mount`/`--network`/`--security` flags. */
export function sameFlags(a: RunInstruction, b: RunInstruction): boolean {
  return flagKey(a) === flagKey(b);
}

/** Shell-form RUN without heredocs that parsed cleanly: the kind a merge can join. */
export function isMergeableForm(run: RunInstruction): boolean {
  return (
    run.form === 'shell' &&
    run.heredocs.length === 0 &&
    !run.script.syntaxError &&
    run.script.text.trim() !== ''
  );
}

/** Whether a SHELL instruction before the RUN switched to a non-POSIX shell (PowerShell, cmd). */
function usesNonPosixShell(model: DockerfileModel, run: RunInstruction): boolean {
  for (const item of model.instructions) {
    if (item.index >= run.index) break;
    if (item.keyword !== 'SHELL' || !('args' in item)) continue;
    if (item.stageIndex !== run.stageIndex && !inBaseChain(model, item.stageIndex, run.stageIndex)) continue;
    if (!POSIX_SHELLS.test(item.args[0] ?? '')) return true;
  }
  return false;
}

function inBaseChain(model: DockerfileModel, ancestor: number, stageIndex: number): boolean {
  const seen = new Set<number>();
  for (
    let s = model.stages[stageIndex];
    s && !seen.has(s.index);
    s = s.baseStage === undefined ? undefined : model.stages[s.baseStage]
  ) {
    if (s.index === ancestor) return true;
    seen.add(s.index);
  }
  return false;
}

/** Why a sequence of RUNs cannot be merged mechanically, or undefined when it can. */
export function mergeBlocker(model: DockerfileModel, runs: readonly RunInstruction[]): string | undefined {
  if (runs.length < 2) return 'nothing to merge';
  for (let i = 0; i < runs.length; i++) {
    const run = runs[i]!;
    if (!isMergeableForm(run)) return `the RUN at line ${line(run)} is not a plain shell-form RUN`;
    if (i > 0) {
      const previous = runs[i - 1]!;
      if (run.index !== previous.index + 1 || run.stageIndex !== previous.stageIndex)
        return 'the RUNs are not consecutive';
      if (!sameFlags(previous, run))
        return `the RUNs at lines ${line(previous)} and ${line(run)} have different flags`;
    }
    const shape = scriptShape(run.script.text);
    if (i < runs.length - 1) {
      const state = run.script.commands.find(
        (command) => !command.nested && SHELL_STATE.has(command.program),
      );
      if (state)
        return `\`${state.name}\` at line ${state.range.start.line + 1} would change the shell for the next RUN`;
      if (Object.keys(run.script.assignments).length > 0)
        return `a variable set at line ${line(run)} would leak into the next RUN`;
      if (shape.comment && !trailingComment(model, run))
        return `the RUN at line ${line(run)} has a comment that a merge cannot keep`;
      if (shape.dangling) return `the RUN at line ${line(run)} ends with an operator`;
    }
    if (i > 0 && (shape.sequence || shape.or)) {
      return `the RUN at line ${line(run)} uses \`;\` or \`||\` at its top level, which would hide an earlier failure`;
    }
  }
  if (usesNonPosixShell(model, runs[0]!)) return 'a SHELL instruction selects a non-POSIX shell';
  return undefined;
}

/** Where the shell script of a RUN starts (after the keyword and its flags). */
function scriptStart(model: DockerfileModel, run: RunInstruction): number {
  let offset = run.keywordRange.end.offset;
  for (const flag of run.flags) offset = Math.max(offset, flag.range.end.offset);
  return skipBlank(model, offset);
}

function skipBlank(model: DockerfileModel, start: number): number {
  const { text, escape: escapeChar } = model;
  let offset = start;
  for (;;) {
    const char = text[offset];
    if (char === ' ' || char === '\t') offset++;
    else if (char === escapeChar && /^[ \t]*\r?\n/.test(text.slice(offset + 1, offset + 4))) {
      offset = text.indexOf('\n', offset) + 1;
    } else return offset;
  }
}

/** Edits that merge consecutive RUNs into the first one, or undefined when that is not safe. */
export function mergeRunsEdits(
  model: DockerfileModel,
  runs: readonly RunInstruction[],
): TextEdit[] | undefined {
  if (mergeBlocker(model, runs) !== undefined) return undefined;
  const { text, escape: escapeChar } = model;
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  const indent = continuationIndent(model, runs[0]!);
  const edits: TextEdit[] = [];
  for (let i = 1; i < runs.length; i++) {
    const previous = runs[i - 1]!;
    const run = runs[i]!;
    let end = trimmedEnd(text, previous.range.end.offset);
    // `RUN echo 1 # note`: the comment moves onto its own continuation line.
    const comment = trailingComment(model, previous);
    let moved = '';
    if (comment) {
      end = trimmedEnd(text, comment.start);
      moved = `${indent}${comment.text}${newline}`;
    }
    const start = scriptStart(model, run);
    const gap = text.slice(trimmedEnd(text, previous.range.end.offset), run.range.start.offset);
    const comments: string[] = [];
    for (const gapLine of gap.split(/\r?\n/)) {
      const trimmed = gapLine.trim();
      if (trimmed === '') continue;
      if (!trimmed.startsWith('#')) return undefined;
      comments.push(gapLine.trimEnd());
    }
    const commentText = comments.map((comment) => `${comment}${newline}`).join('');
    edits.push({
      start: end,
      end: start,
      newText: ` && ${escapeChar}${newline}${moved}${commentText}${indent}`,
    });
  }
  return edits;
}

function trimmedEnd(text: string, offset: number): number {
  let end = offset;
  while (end > 0 && (text[end - 1] === ' ' || text[end - 1] === '\t')) end--;
  return end;
}

/** A shell comment at the end of a RUN's last line: its offset and text; undefined when there is none or it cannot be located. */
function trailingComment(
  model: DockerfileModel,
  run: RunInstruction,
): { start: number; text: string } | undefined {
  const shape = scriptShape(run.script.text);
  if (shape.commentIndex === undefined) return undefined;
  const comment = run.script.text.slice(shape.commentIndex).trimEnd();
  if (comment.includes('\n')) return undefined;
  const end = trimmedEnd(model.text, run.range.end.offset);
  const start = end - comment.length;
  if (model.text.slice(start, end) !== comment) return undefined;
  // The comment must sit on the last physical line, after code.
  const lineStart = model.text.lastIndexOf('\n', start - 1) + 1;
  if (
    model.text.slice(lineStart, start).trim() === '' ||
    (lineStart <= run.range.start.offset && start <= scriptStart(model, run))
  )
    return undefined;
  return { start, text: comment };
}

function continuationIndent(model: DockerfileModel, run: RunInstruction): string {
  const source = model.text.slice(run.range.start.offset, run.range.end.offset);
  const second = /\r?\n([ \t]+)\S/.exec(source);
  return second?.[1] ?? '    ';
}

function line(run: RunInstruction): number {
  return run.range.start.line + 1;
}
