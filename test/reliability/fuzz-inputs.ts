/**
 * Arbitraries for the fuzz test: Dockerfiles assembled from the tokens that
 * stress a parser (nesting openers, quotes, escapes, heredocs, variables,
 * control characters), and tars assembled from real headers with bytes flipped,
 * fields pushed to their extremes and pax records garbled.
 */
import fc from 'fast-check';
import { BLOCK, endOfArchive, padded, paxHeader, tarHeader } from '../helpers/tar-writer.js';

const KEYWORDS = [
  'RUN',
  'COPY',
  'ADD',
  'ENV',
  'ARG',
  'WORKDIR',
  'CMD',
  'ENTRYPOINT',
  'USER',
  'LABEL',
  'EXPOSE',
  'VOLUME',
  'SHELL',
  'HEALTHCHECK',
  'ONBUILD',
  'STOPSIGNAL',
  'FROM',
  'run',
  'MAINTAINER',
];

const TOKENS = [
  'apt-get',
  'install',
  '-y',
  'update',
  'rm',
  '-rf',
  '/var/lib/apt/lists/*',
  'echo',
  'sh',
  'bash',
  '-c',
  'sudo',
  'env',
  'cd',
  '/app',
  '.',
  './',
  '..',
  'pip',
  'npm',
  'ci',
  'go',
  'build',
  'chown',
  '-R',
  'app:app',
  '&&',
  '||',
  '|',
  ';',
  '&',
  '(',
  ')',
  '{',
  '}',
  '$(',
  '`',
  '"',
  "'",
  '\\',
  '${A:-',
  '${A:+',
  '}',
  '$A',
  '$((',
  '))',
  '[',
  ']',
  '[[',
  ']]',
  ',',
  '=',
  'A=$A$A',
  '<<EOF',
  '<<-EOF',
  'EOF',
  '\n',
  '\\\n',
  '#',
  ' ',
  '\t',
  '--mount=type=cache,target=/root/.cache',
  '--from=build',
  '--chown=1:1',
  '--link',
  '"a b"',
  '["sh", "-c", "x"]',
  'if',
  'then',
  'fi',
  'for',
  'do',
  'done',
  'case',
  'esac',
  '*',
  '?',
  '~',
  '\u001b[2J',
  '\r',
  '\u0000',
  '\ufeff',
  '\u202e',
  'é',
  '東京',
];

const token = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...TOKENS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
);

const instruction = fc
  .tuple(fc.constantFrom(...KEYWORDS), fc.array(token, { maxLength: 24 }), fc.constantFrom(' ', '\t', ''))
  .map(([keyword, words, gap]) => `${keyword}${gap || ' '}${words.join(gap === '' ? '' : ' ')}`);

const image = fc.constantFrom(
  'debian:12',
  'golang:1.22 AS build',
  'scratch',
  'build',
  '${BASE}',
  'alpine@sha256:ab',
);

/** A Dockerfile: usually a FROM first, sometimes a directive or an ARG before it, then instructions. */
export const dockerfileText = fc
  .tuple(
    fc.constantFrom('', '# syntax=docker/dockerfile:1\n', '# escape=`\n', 'ARG BASE=debian:12\n'),
    fc.boolean(),
    image,
    fc.array(instruction, { maxLength: 14 }),
    fc.constantFrom('\n', '\r\n'),
  )
  .map(
    ([prefix, withFrom, from, lines, newline]) =>
      `${prefix}${withFrom ? `FROM ${from}${newline}` : ''}${lines.join(newline)}${newline}`,
  );

const TYPES = ['0', '1', '2', '3', '4', '5', '6', '7', 'g', 'x', 'L', 'K', 'S', 'D', 'V', 'M', 'Z', '\0'];

const entry = fc
  .record({
    name: fc.oneof(
      fc.constantFrom('etc/passwd', './a', '../x', '/abs', 'a//b/./c/', '.wh.gone', 'd/.wh..wh..opq', ''),
      fc.string({ maxLength: 40 }),
      fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes)),
    ),
    type: fc.constantFrom(...TYPES),
    data: fc.uint8Array({ maxLength: 1200 }).map((bytes) => Buffer.from(bytes)),
    linkname: fc.constantFrom('', 'etc/passwd', '../../x', '/', 'a'),
    pax: fc.option(
      fc.dictionary(
        fc.constantFrom(
          'path',
          'linkpath',
          'size',
          'uid',
          'mtime',
          'GNU.sparse.realsize',
          'SCHILY.xattr.a',
          'x',
        ),
        fc.oneof(
          fc.constantFrom('', '-1', '99999999999999999999', 'a/b', '1e3'),
          fc.string({ maxLength: 20 }),
        ),
      ),
      { nil: undefined },
    ),
    /** Bytes of the header overwritten after it is built: offset and value. */
    flips: fc.array(fc.tuple(fc.integer({ min: 0, max: BLOCK - 1 }), fc.integer({ min: 0, max: 255 })), {
      maxLength: 4,
    }),
  })
  .map(({ name, type, data, linkname, pax, flips }) => {
    const header = tarHeader({
      name: Buffer.isBuffer(name) ? name.subarray(0, 100) : Buffer.from(name).subarray(0, 100),
      type,
      size: data.length,
      linkname,
    });
    for (const [offset, value] of flips) header[offset] = value;
    return Buffer.concat([...(pax ? [paxHeader(pax)] : []), header, padded(data)]);
  });

/** A tar stream: entries, maybe the end-of-archive blocks, maybe cut short. */
export const tarBytes = fc
  .tuple(fc.array(entry, { maxLength: 6 }), fc.boolean(), fc.option(fc.nat(), { nil: undefined }))
  .map(([entries, end, cut]) => {
    const whole = Buffer.concat([...entries, ...(end ? [endOfArchive()] : [])]);
    return cut === undefined ? whole : whole.subarray(0, cut % (whole.length + 1));
  });
