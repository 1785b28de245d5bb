/**
 * Text from an image or a Dockerfile, made safe to print on a terminal. File
 * names, history lines and container logs may hold ESC sequences (which
 * recolour, move the cursor, retitle the window or worse), CR and LF (which
 * forge report lines) and bidirectional overrides (which reorder what is shown).
 * Each such character is printed as an escape instead: \n, \r, \t, \xNN, \uNNNN.
 * HTML, JSON and SARIF escape by their own rules; diffs stay byte-exact.
 */

// C0 controls, DEL, C1 controls; bidi embeddings, overrides and isolates; line and paragraph separators.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_EXCEPT_NEWLINE =
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(char: string): string {
  const named = NAMED[char];
  if (named) return named;
  const code = char.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One line for the terminal: every control character escaped, newlines included. */
export function terminalLine(text: string): string {
  return text.replace(UNSAFE, escapeOne);
}

/** Several lines (a container's log): line breaks kept, every other control character escaped. */
export function terminalLines(text: string): string {
  return text.replace(UNSAFE_EXCEPT_NEWLINE, escapeOne);
}
