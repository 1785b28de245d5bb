/**
 * What a shell script the image runs (an entrypoint script, a HEALTHCHECK's
 * `CMD-SHELL`) needs besides its interpreter: the programs it runs, the
 * programs it hands its arguments to (`exec gosu node "$@"`, `set -- node "$@"`),
 * the files it names by absolute path, and the scripts it sources. Read
 * statically with the shell parser, conditional branches included: a branch
 * the probe does not take (running as root, a first start) still runs in
 * production.
 */
import { LineIndex } from '../dockerfile/positions.js';
import { loadShellParser, parseShell } from '../dockerfile/shell.js';

export interface ScriptUses {
  /** Words that name a program to look up on PATH (or a path to one). */
  programs: string[];
  /** Absolute paths the script names as arguments. */
  paths: string[];
  /** Files it reads as shell code (`. FILE`, `source FILE`). */
  sourced: string[];
}

/** Programs whose arguments are a command line of their own. */
const RUNNERS = new Set([
  'exec',
  'command',
  'env',
  'nice',
  'nohup',
  'time',
  'timeout',
  'stdbuf',
  'xargs',
  'gosu',
  'su-exec',
  'setpriv',
  'runuser',
  'chpst',
  's6-setuidgid',
  'tini',
  'dumb-init',
  'catatonit',
  'sudo',
  'doas',
]);

/** Shell builtins and keywords: never files. */
const BUILTINS = new Set([
  '.',
  ':',
  '[',
  '[[',
  'alias',
  'break',
  'cd',
  'command',
  'continue',
  'eval',
  'exec',
  'exit',
  'export',
  'false',
  'getopts',
  'hash',
  'local',
  'read',
  'readonly',
  'return',
  'set',
  'shift',
  'source',
  'trap',
  'true',
  'type',
  'ulimit',
  'umask',
  'unset',
  'wait',
]);

export async function scriptUses(text: string): Promise<ScriptUses> {
  const parser = await loadShellParser();
  const script = parseShell(text, (offset) => offset, { parser, lines: new LineIndex(text), scope: {} });
  const programs = new Set<string>();
  const paths = new Set<string>();
  const sourced = new Set<string>();
  for (const command of script.commands) {
    const name = command.name;
    if (isLiteral(name) && !BUILTINS.has(name)) programs.add(name);
    if (name === '.' || name === 'source') {
      if (command.args[0] && isLiteral(command.args[0])) sourced.add(command.args[0]);
      continue;
    }
    // `set -- node "$@"`: the words after `--` become the arguments `exec "$@"` runs.
    const runs = RUNNERS.has(command.program) || (name === 'set' && command.args[0] === '--');
    for (const arg of command.args) {
      if (!isLiteral(arg) || arg.startsWith('-')) continue;
      if (arg.startsWith('/')) paths.add(arg);
      else if (runs && !arg.includes('=')) programs.add(arg);
    }
  }
  return { programs: [...programs], paths: [...paths], sourced: [...sourced] };
}

/** A word with nothing left to expand at run time. */
function isLiteral(word: string): boolean {
  return word.length > 0 && !/[$`*?[]/.test(word);
}
