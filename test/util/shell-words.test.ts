import { describe, expect, it } from 'vitest';
import { splitWords } from '../../src/util/shell-words.js';

describe('splitWords', () => {
  it.each([
    ['plain words', 'node dist/cli.js --version', ['node', 'dist/cli.js', '--version']],
    [
      'a shell script in single quotes',
      `sh -c 'curl -fsS localhost:3000/health && echo ok'`,
      ['sh', '-c', 'curl -fsS localhost:3000/health && echo ok'],
    ],
    [
      'env with assignments',
      `env NODE_ENV=production A=1 node -e "console.log(1)"`,
      ['env', 'NODE_ENV=production', 'A=1', 'node', '-e', 'console.log(1)'],
    ],
    ['an assignment word is kept, not dropped', 'A=1 node x.js', ['A=1', 'node', 'x.js']],
    ['nothing is expanded', `echo $HOME "$PATH" '$x'`, ['echo', '$HOME', '$PATH', '$x']],
    ['escapes inside double quotes', String.raw`printf "a\"b\\c\$d\e"`, ['printf', String.raw`a"b\c$d\e`]],
    ['a backslash outside quotes', String.raw`a\ b c\'d`, ['a b', "c'd"]],
    ['empty quoted words are words', `x '' ""`, ['x', '', '']],
    ['a comment ends the line', 'ls -l # list', ['ls', '-l']],
    ['a hash inside a word is literal', 'curl http://x/#top', ['curl', 'http://x/#top']],
    ['blank input', '   ', []],
  ])('%s', (_name, text, words) => {
    expect(splitWords(text)).toEqual({ words });
  });

  it.each([
    ['a pipe', 'a | b', /"\|" at column 3 needs a shell/],
    ['&&', 'a && b', /"&" at column 3/],
    ['a redirection', 'a > out', /">" at column 3/],
    ['an open single quote', `sh -c 'x`, /unterminated ' quote at column 7/],
    ['an open double quote', `echo "x`, /unterminated " quote at column 6/],
  ])('refuses %s', (_name, text, message) => {
    const result = splitWords(text);
    expect('error' in result && result.error).toMatch(message);
  });
});
