/**
 * Splits a command line into words the way a POSIX shell would before
 * running it, without running anything: quotes and backslashes are honoured,
 * nothing is expanded (`$HOME` stays `$HOME`, since the words are handed to a
 * container, not to this machine's shell). A line that needs a shell to mean
 * anything (a pipe, `&&`, a redirection) is refused with the place it
 * happens, so the user can wrap it in `sh -c '…'` knowingly.
 */

export type SplitWords = { words: string[] } | { error: string };

const OPERATORS = new Set(['|', '&', ';', '<', '>', '(', ')']);

export function splitWords(text: string): SplitWords {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) return { error: `unterminated ' quote at column ${i + 1}` };
      word += text.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (char === '"') {
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        // Inside double quotes a backslash escapes only these characters.
        if (text[j] === '\\' && j + 1 < text.length && '$`"\\\n'.includes(text[j + 1]!)) j++;
        if (text[j] !== '\n' || text[j - 1] !== '\\') word += text[j];
      }
      if (j >= text.length) return { error: `unterminated " quote at column ${i + 1}` };
      inWord = true;
      i = j;
    } else if (char === '\\') {
      if (i + 1 < text.length && text[i + 1] !== '\n') {
        word += text[i + 1];
        inWord = true;
      }
      i++;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (OPERATORS.has(char)) {
      return { error: `"${char}" at column ${i + 1} needs a shell: wrap the command in sh -c '…'` };
    } else if (char === '#' && !inWord) {
      break;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return { words };
}
