/**
 * Rewriting one simple command inside a RUN: split its source into words
 * (quotes kept as written, so `"-X main.v=${V}"` still expands), separate
 * the `NAME=value` prefix assignments, and replace the command's range with
 * new text. Refused when the command cannot be edited safely (inside
 * `sh -c '…'`, conditional, with redirections).
 */
import type { DockerfileModel, RunInstruction, ShellCommand } from '../../dockerfile/types.js';
import { commandTokens, isEditable, type Token } from '../../rules/packages/shell-edit.js';
import type { TextEdit } from '../../rules/types.js';

export interface CommandWords {
  /** `NAME=value` prefix assignments, as written. */
  assignments: Token[];
  /** The command name token. */
  name: Token;
  /** Argument tokens after the name. */
  args: Token[];
}

export function splitCommand(
  model: DockerfileModel,
  run: RunInstruction,
  command: ShellCommand,
): CommandWords | undefined {
  if (!isEditable(run, command) || command.conditional) return undefined;
  const tokens = commandTokens(model, run, command);
  if (!tokens || tokens.length === 0) return undefined;
  // Redirections and control operators end up as words here: leave such commands alone.
  if (tokens.some((token) => /^\d*[<>]|^[|&;]/.test(token.text))) return undefined;
  let index = 0;
  while (index < tokens.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(tokens[index]!.text)) index++;
  const name = tokens[index];
  if (!name || name.value !== command.name) return undefined;
  const args = tokens.slice(index + 1);
  if (args.length !== command.args.length) return undefined;
  return { assignments: tokens.slice(0, index), name, args };
}

/** Replaces the whole command (prefix assignments included) with `text`. */
export function replaceCommand(command: ShellCommand, text: string): TextEdit {
  return { start: command.range.start.offset, end: command.range.end.offset, newText: text };
}

/** Inserts `text ` right before the command (before its prefix assignments). */
export function prefixCommand(command: ShellCommand, text: string): TextEdit {
  return { start: command.range.start.offset, end: command.range.start.offset, newText: `${text} ` };
}

/** The value of an assignment token `NAME=value` when it assigns `name`. */
export function assignmentValue(tokens: readonly Token[], name: string): string | undefined {
  const token = tokens.find((item) => item.value.startsWith(`${name}=`));
  return token?.value.slice(name.length + 1);
}

/**
 * Adds words to a flag value written in any quoting: `"-X a=b"` → `"-s -w -X a=b"`,
 * `-w` → `'-s -w'`. Returns the new token text.
 */
export function prependToValue(text: string, words: string): string {
  const quote = text[0];
  if (quote === '"' || quote === "'") return `${quote}${words} ${text.slice(1)}`;
  if (text === '') return `'${words}'`;
  return text.includes('$') ? `"${words} ${text}"` : `'${words} ${text}'`;
}
