/**
 * Exact text edits inside RUN scripts: find the source offsets of a command's
 * words (the model keeps the unquoted words, not where each one is), insert a
 * flag after a word, or chain a command after another one. Every function
 * returns undefined when the spot is not certain (nested `sh -c` strings,
 * exec form, conditional commands, pipelines, redirections), so fixes are only
 * offered where they are mechanical.
 */
import type { DockerfileModel, RunInstruction, ShellCommand } from '../../dockerfile/types.js';
import type { TextEdit } from '../types.js';

export interface Token {
  /** Source text of the word, quotes and escapes included. */
  text: string;
  /** The word after removing quotes and backslash escapes. */
  value: string;
  start: number;
  end: number;
}

function isInHeredoc(run: RunInstruction, command: ShellCommand | undefined): boolean {
  if (!command) return false;
  return run.heredocs.some(
    (heredoc) =>
      heredoc.contentRange !== null &&
      command.range.start.offset >= heredoc.contentRange.start.offset &&
      command.range.end.offset <= heredoc.contentRange.end.offset,
  );
}

/** Whether edits inside this command's range can be trusted to land on its words. */
export function isEditable(run: RunInstruction, command: ShellCommand): boolean {
  if (command.nested || run.form === 'exec') return false;
  if (run.form === 'heredoc') {
    // `RUN python3 <<EOF` parses only the command line, where an edit could land in the heredoc marker.
    return isInHeredoc(run, command);
  }
  return true;
}

/**
 * Splits the source of a command into words with offsets, joining line
 * continuations and dropping the comment lines Docker removes inside them.
 */
export function commandTokens(
  model: DockerfileModel,
  run: RunInstruction,
  command: ShellCommand,
): Token[] | undefined {
  if (!isEditable(run, command)) return undefined;
  const text = model.text;
  const continuation = isInHeredoc(run, command) ? '\\' : model.escape;
  const dropsComments = !isInHeredoc(run, command);
  const end = command.range.end.offset;
  const tokens: Token[] = [];
  let i = command.range.start.offset;
  let current: Token | undefined;
  const flush = () => {
    if (current) tokens.push(current);
    current = undefined;
  };
  while (i < end) {
    const ch = text[i]!;
    const afterContinuation = continuationEnd(text, i, continuation);
    if (afterContinuation !== undefined) {
      flush();
      i = dropsComments ? skipCommentLines(text, afterContinuation, end) : afterContinuation;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      flush();
      i++;
      continue;
    }
    current ??= { text: '', value: '', start: i, end: i };
    if (ch === "'") {
      const close = text.indexOf("'", i + 1);
      if (close === -1 || close >= end) return undefined;
      current.value += text.slice(i + 1, close);
      i = close + 1;
    } else if (ch === '"') {
      let j = i + 1;
      let value = '';
      while (j < end && text[j] !== '"') {
        if (text[j] === '\\' && j + 1 < end && '$`"\\'.includes(text[j + 1]!)) {
          value += text[j + 1];
          j += 2;
        } else {
          value += text[j];
          j++;
        }
      }
      if (j >= end) return undefined;
      current.value += value;
      i = j + 1;
    } else if (ch === '\\' && i + 1 < end) {
      current.value += text[i + 1];
      i += 2;
    } else {
      current.value += ch;
      i++;
    }
    current.end = i;
    current.text = text.slice(current.start, current.end);
  }
  flush();
  return tokens;
}

/** When `text[i]` starts a line continuation (escape character, optional blanks, newline): the offset after it. */
function continuationEnd(text: string, i: number, continuation: string): number | undefined {
  // `foo\\` at the end of a line is an escaped escape, not a continuation (BuildKit and sh agree).
  if (text[i] !== continuation || text[i - 1] === continuation) return undefined;
  let j = i + 1;
  while (text[j] === ' ' || text[j] === '\t') j++;
  if (text[j] === '\r') j++;
  return text[j] === '\n' ? j + 1 : undefined;
}

function skipCommentLines(text: string, i: number, end: number): number {
  let position = i;
  while (position < end) {
    let j = position;
    while (text[j] === ' ' || text[j] === '\t') j++;
    if (text[j] !== '#' && text[j] !== '\n' && !(text[j] === '\r' && text[j + 1] === '\n')) break;
    const newline = text.indexOf('\n', j);
    if (newline === -1) return end;
    position = newline + 1;
  }
  return position;
}

/**
 * The token of `command.args[argIndex]`: finds the command name among the
 * tokens (after prefix assignments and wrappers like sudo), then checks that
 * every word up to the wanted one matches the parsed arguments.
 */
function argToken(
  model: DockerfileModel,
  run: RunInstruction,
  command: ShellCommand,
  argIndex: number,
): Token | undefined {
  const tokens = commandTokens(model, run, command);
  if (!tokens) return undefined;
  for (let nameIndex = 0; nameIndex + 1 + argIndex < tokens.length; nameIndex++) {
    if (tokens[nameIndex]!.value !== command.name) continue;
    let matches = true;
    for (let k = 0; k <= argIndex; k++) {
      if (tokens[nameIndex + 1 + k]!.value !== command.args[k]) {
        matches = false;
        break;
      }
    }
    if (matches) return tokens[nameIndex + 1 + argIndex];
  }
  return undefined;
}

/** The token of the command name itself. */
export function nameToken(
  model: DockerfileModel,
  run: RunInstruction,
  command: ShellCommand,
): Token | undefined {
  const tokens = commandTokens(model, run, command);
  if (!tokens) return undefined;
  for (let nameIndex = 0; nameIndex < tokens.length; nameIndex++) {
    if (tokens[nameIndex]!.value !== command.name) continue;
    const next = command.args[0];
    if (next === undefined || tokens[nameIndex + 1]?.value === next) return tokens[nameIndex];
  }
  return undefined;
}

/** Inserts ` <text>` right after the word at `argIndex` (e.g. after `install`). */
export function insertAfterArg(
  model: DockerfileModel,
  run: RunInstruction,
  command: ShellCommand,
  argIndex: number,
  text: string,
): TextEdit | undefined {
  if (argIndex < 0) return undefined;
  const token = argToken(model, run, command, argIndex);
  if (!token) return undefined;
  return { start: token.end, end: token.end, newText: ` ${text}` };
}

/** Inserts ` <text>` right after the command name (e.g. a bare `yarn`). */
export function insertAfterName(
  model: DockerfileModel,
  run: RunInstruction,
  command: ShellCommand,
  text: string,
): TextEdit | undefined {
  const token = nameToken(model, run, command);
  if (!token) return undefined;
  return { start: token.end, end: token.end, newText: ` ${text}` };
}

/** Deletes the word at `argIndex` together with the blank before it. */
export function deleteArg(
  model: DockerfileModel,
  run: RunInstruction,
  command: ShellCommand,
  argIndex: number,
): TextEdit | undefined {
  const token = argToken(model, run, command, argIndex);
  if (!token) return undefined;
  let start = token.start;
  while (start > 0 && (model.text[start - 1] === ' ' || model.text[start - 1] === '\t')) start--;
  if (start === token.start) return undefined;
  return { start, end: token.end, newText: '' };
}

/**
 * Runs `next` after `command` in the same RUN: ` && next` right after the
 * command in a shell-form RUN; in a heredoc script, a new line after the
 * command's line (same indentation) when that line ends the statement.
 * Undefined when the command is conditional, nested, piped or redirected.
 */
export function chainAfter(
  model: DockerfileModel,
  run: RunInstruction,
  command: ShellCommand,
  next: string,
): TextEdit | undefined {
  return chainDirectlyAfter(model, run, command, next) ?? appendToRun(model, run, next);
}

function chainDirectlyAfter(
  model: DockerfileModel,
  run: RunInstruction,
  command: ShellCommand,
  next: string,
): TextEdit | undefined {
  if (!isEditable(run, command) || command.conditional) return undefined;
  const text = model.text;
  const end = command.range.end.offset;
  if (isInHeredoc(run, command)) {
    const heredoc = run.heredocs.find(
      (h) => h.contentRange && end <= h.contentRange.end.offset && end >= h.contentRange.start.offset,
    )!;
    const contentEnd = heredoc.contentRange!.end.offset;
    const newline = text.indexOf('\n', end);
    if (newline !== -1 && newline <= contentEnd) {
      const rest = text.slice(end, newline).replace(/\r$/, '');
      if (
        !/(?:\\|&&|\|\||\||&|\bthen|\bdo|\{|\()\s*$/.test(rest) &&
        !/^\s*(?:\|(?!\|)|>|<|\d>)/.test(rest) &&
        !/^\s*[^\s&;|]/.test(rest)
      ) {
        const lineStart = text.lastIndexOf('\n', command.range.start.offset - 1) + 1;
        const indent = /^[ \t]*/.exec(text.slice(lineStart, command.range.start.offset))![0];
        return { start: newline + 1, end: newline + 1, newText: `${indent}${next}\n` };
      }
    }
    return inlineChain(text, end, contentEnd, '\\', false, next);
  }
  return inlineChain(text, end, run.range.end.offset, model.escape, true, next);
}

function inlineChain(
  text: string,
  end: number,
  limit: number,
  continuation: string,
  dropsComments: boolean,
  next: string,
): TextEdit | undefined {
  let i = end;
  while (i < limit) {
    const ch = text[i];
    if (ch === ' ' || ch === '\t') {
      i++;
      continue;
    }
    const after = continuationEnd(text, i, continuation);
    if (after !== undefined) {
      i = dropsComments ? skipCommentLines(text, after, limit) : after;
      continue;
    }
    break;
  }
  const rest = text.slice(i, Math.min(limit, i + 2));
  const ok =
    i >= limit ||
    rest.startsWith('&&') ||
    rest.startsWith('||') ||
    rest.startsWith(';') ||
    rest.startsWith('\n') ||
    rest.startsWith('\r\n');
  if (!ok) return undefined;
  return { start: end, end, newText: ` && ${next}` };
}

/**
 * Runs `next` at the very end of the RUN: ` && next` after the last statement
 * of a shell-form RUN, or a last line in a heredoc script. Used when the
 * command itself sits in an `if`, a pipeline or an `sh -c` string. Refused
 * when the end is not a plain statement end (comments, a trailing `;`/`&`/`|`,
 * a final `exit`).
 */
function appendToRun(model: DockerfileModel, run: RunInstruction, next: string): TextEdit | undefined {
  if (run.script.syntaxError || run.form === 'exec') return undefined;
  const text = model.text;
  if (run.form === 'heredoc') {
    if (run.heredocs.length !== 1 || !run.script.commands.every((command) => isInHeredoc(run, command)))
      return undefined;
    const content = run.heredocs[0]!.contentRange;
    if (!content) return undefined;
    const body = text.slice(content.start.offset, content.end.offset);
    const lines = body.split('\n').filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
    const lastLine = lines[lines.length - 1]?.trim() ?? '';
    if (/(?:\\|&&|\|\||\||&|\bthen|\bdo|\{|\()$/.test(lastLine) || /^exit\b/.test(lastLine)) return undefined;
    const end = content.end.offset;
    return { start: end, end, newText: text[end - 1] === '\n' ? `${next}\n` : `\n${next}` };
  }
  const script = run.script.text.trimEnd();
  if (script.includes('#') || /[;&|\\]$/.test(script) || /(?:^|[;&|]\s*)exit\b[^;&|]*$/.test(script))
    return undefined;
  let end = run.range.end.offset;
  while (end > run.range.start.offset && /\s/.test(text[end - 1]!)) end--;
  return { start: end, end, newText: ` && ${next}` };
}
