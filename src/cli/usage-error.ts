/**
 * commander's error messages, reworded as pare's one-line errors: the flag
 * as the user typed it first, the problem, and where the usage is. A flag of
 * hadolint, dive or SlimToolkit gets pare's name for it.
 */
import type { CommanderError } from 'commander';
import { foreignFlagHint } from './foreign-flags.js';

// "option '-f, --format <format>' argument 'xml' is invalid. Allowed choices are text, json."
const INVALID_CHOICE =
  /^option '(?:\S+, )?(\S+) <([^>]+)>' argument '(.*)' is invalid\. Allowed choices are (.*)\.$/s;

// "command-argument value 'tcsh' is invalid for argument 'shell'. Allowed choices are bash, zsh."
const INVALID_ARGUMENT =
  /^command-argument value '(.*)' is invalid for argument '([^']+)'\. Allowed choices are (.*)\.$/s;

export function describeUsageError(error: CommanderError, command: string | undefined): string {
  const help = `run "${command === undefined ? 'pare help' : `pare help ${command}`}" for usage`;
  const message = oneLine(error.message.replace(/^error: /, ''));
  const choice = error.code === 'commander.invalidArgument' ? INVALID_CHOICE.exec(message) : null;
  if (choice) {
    const [, flag, placeholder, value, allowed] = choice;
    // The placeholder names what the value is: <format>, <severity>, <kind>.
    return `${flag}: unknown ${placeholder} "${value}" (expected ${allowed})`;
  }
  const argument = error.code === 'commander.invalidArgument' ? INVALID_ARGUMENT.exec(message) : null;
  if (argument) {
    const [, value, name, allowed] = argument;
    return `unknown ${name} "${value}" (expected ${allowed})`;
  }
  const unknown = error.code === 'commander.unknownOption' ? /'([^']+)'/.exec(message)?.[1] : undefined;
  const hint = unknown ? foreignFlagHint(unknown) : undefined;
  return `${message.replace(/\.$/, '')}${hint ? ` (${hint})` : ''}; ${help}`;
}

/** "unknown option '--x'\n(Did you mean --y?)" becomes one line. */
function oneLine(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join(' ');
}
