import type { CommandInstruction } from './types.js';

// Words made only of characters the shell treats literally, or quoted without expansions.
const WORD = /(?:[A-Za-z0-9_@%+=:,./-]+|'[^']*'|"[^"$`\\!]*")+/y;
const GLOB_WORD = /(?:[A-Za-z0-9_@%+=:,./*?-]+|'[^']*'|"[^"$`\\!]*")+/y;

/**
 * The words of a shell-form CMD/ENTRYPOINT when it is one simple command of
 * literal words (so exec form runs exactly the same thing); undefined otherwise.
 * A leading `exec` is dropped. `allowGlobs` accepts `*`/`?` (callers that
 * resolve them against known paths).
 */
export function literalCommandWords(
  instruction: CommandInstruction,
  allowGlobs = false,
): string[] | undefined {
  const text = (instruction.shellText ?? '').trim();
  const script = instruction.script;
  if (!text || !script || script.syntaxError) return undefined;
  // The parser also reports the command `exec` runs; `exec ./app` is still one command.
  const single =
    script.commands.length === 1 || (script.commands.length === 2 && script.commands[0]!.name === 'exec');
  if (!single) return undefined;
  const command = script.commands[0]!;
  if (Object.keys(command.assignments).length > 0 || Object.keys(script.assignments).length > 0)
    return undefined;
  const pattern = allowGlobs ? GLOB_WORD : WORD;
  const raw: string[] = [];
  let index = 0;
  while (index < text.length) {
    const space = /[ \t]+/y;
    space.lastIndex = index;
    if (space.test(text)) {
      index = space.lastIndex;
      continue;
    }
    pattern.lastIndex = index;
    const match = pattern.exec(text);
    if (!match) return undefined;
    raw.push(match[0]);
    index = pattern.lastIndex;
  }
  const words = raw.map((word) =>
    word.replace(
      /'([^']*)'|"([^"]*)"/g,
      (_, single: string | undefined, double: string | undefined) => single ?? double ?? '',
    ),
  );
  // Cross-check with the shell parser: same words, nothing else going on.
  const parsed = [command.name, ...command.args];
  if (parsed.length !== words.length || parsed.some((word, i) => word !== words[i])) return undefined;
  if (words[0] === 'exec' && words.length > 1) words.shift();
  return words;
}
