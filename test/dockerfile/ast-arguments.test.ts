import { readFileSync } from 'node:fs';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forgetParseCaches, librarySplit, splitArguments } from '../../src/dockerfile/ast-arguments.js';
import { fixtureDockerfiles } from '../helpers/source-files.js';

/** What an argument is to its readers: its value and both ends of its range. */
function plain(args: ReturnType<typeof splitArguments>) {
  return args.map((arg) => ({ value: arg.getValue(), range: arg.getRange() }));
}

function expectSameSplits(text: string): number {
  let compared = 0;
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    const library = plain(librarySplit.call(instruction as Instruction));
    expect(plain(splitArguments(instruction as Instruction)), instruction.getTextContent()).toEqual(library);
    compared++;
  }
  forgetParseCaches();
  return compared;
}

describe('splitting an instruction into arguments', () => {
  it.each([
    ['plain words', 'RUN apt-get install -y curl'],
    ['tabs and repeated spaces', 'RUN a\t\tb   c'],
    ['a continuation', 'RUN apt-get update && \\\n    apt-get install -y curl'],
    ['a continuation with CRLF', 'RUN a \\\r\n  b\r\n'],
    ['whitespace after the escape', 'RUN a \\  \n  b'],
    ['an escape before a non-newline after spaces', 'RUN a\\  b c'],
    ['a comment line inside a continuation', 'RUN a \\\n# note\n  b'],
    ['an escaped dollar', 'RUN echo \\$HOME and \\"quoted\\"'],
    ['an escape at the very end', 'RUN echo \\'],
    ['an escape glued to a word', 'RUN a\\\nb'],
    ['the backtick escape', '# escape=`\nRUN dir `\n  C:\\ `$x'],
    ['JSON form', 'CMD ["node", "server.js"]'],
    ['flags', 'COPY --from=build --chown=1000:1000 /app/dist /srv/'],
  ])('%s: the same values and ranges as dockerfile-ast', (_name, text) => {
    expect(expectSameSplits(text)).toBeGreaterThan(0);
  });

  it('matches dockerfile-ast on every Dockerfile in the fixtures', () => {
    const files = fixtureDockerfiles();
    expect(files.length).toBeGreaterThan(150);
    let compared = 0;
    for (const file of files) compared += expectSameSplits(readFileSync(file, 'utf8'));
    expect(compared).toBeGreaterThan(1000);
  });

  it('matches dockerfile-ast on generated instructions full of escapes, comments and line ends', () => {
    const piece = fc.constantFrom(
      'a',
      'bc',
      ' ',
      '\t',
      '\\',
      '`',
      '\n',
      '\r\n',
      '\r',
      '#',
      '$',
      '"',
      "'",
      '\\\n',
      ' \\ \n',
    );
    const body = fc.array(piece, { maxLength: 40 }).map((parts) => parts.join(''));
    const directive = fc.constantFrom('', '# escape=`\n', '# escape=\\\n');
    const keyword = fc.constantFrom('RUN', 'COPY', 'ENV', 'CMD', 'FROM', 'LABEL');
    fc.assert(
      fc.property(directive, keyword, body, (head, word, rest) => {
        expectSameSplits(`${head}${word} ${rest}\n`);
      }),
      { numRuns: 3000 },
    );
  });
});
