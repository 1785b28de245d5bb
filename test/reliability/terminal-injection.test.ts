/**
 * Names an image or a Dockerfile controls reach the terminal escaped: no ESC
 * sequence, CR, forged line or bidi override from the input is printed raw,
 * in reports on stdout or in error lines on stderr.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { terminalLine, terminalLines } from '../../src/util/terminal-text.js';
import { runPareAsync } from '../helpers/cli.js';
import { buildImage, dir as directory, file, writeImage } from '../helpers/image-writer.js';

/** Anything a terminal would act on, other than the line breaks pare itself prints. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('terminalLine', () => {
  it.each([
    ['ESC sequences', 'a\u001b[31mred\u001b]0;title\u0007', 'a\\x1b[31mred\\x1b]0;title\\x07'],
    ['CR and LF', 'line\r\nforged: ok', 'line\\r\\nforged: ok'],
    ['tab and NUL', 'a\tb\u0000', 'a\\tb\\x00'],
    ['DEL and C1 (CSI)', 'x\u007fy\u009b2J', 'x\\x7fy\\x9b2J'],
    ['bidi override and line separator', 'invoice\u202eexe.txt\u2028', 'invoice\\u202eexe.txt\\u2028'],
    [
      'ordinary text, accents and CJK',
      'usr/share/zoneinfo/Amérique/東京',
      'usr/share/zoneinfo/Amérique/東京',
    ],
  ])('%s', (_, input, expected) => {
    expect(terminalLine(input)).toBe(expected);
  });

  it('keeps line breaks of a multi-line log, nothing else', () => {
    expect(terminalLines('ok\n\u001b[2Jgone\rback\n')).toBe('ok\n\\x1b[2Jgone\\rback\n');
  });
});

describe('pare on hostile names', () => {
  let dir: string;
  let image: string;
  const names = [
    'etc/evil\u001b]0;pwned\u0007',
    'etc/line\nLayers: 0 bytes wasted',
    'etc/over\rwrite',
    'etc/csi\u009b2J',
    'etc/invoice\u202egnp.exe',
  ];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pare-injection-'));
    image = await writeImage(join(dir, 'image'), 'docker-archive-legacy', [
      buildImage({
        layers: [
          {
            entries: [directory('etc'), ...names.map((name) => file(name, 'x'.repeat(100_000)))],
            createdBy: '/bin/sh -c #(nop) COPY \u001b[2J\u001b[Hfiles /etc',
          },
        ],
      }),
    ]);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('inspect --tree prints every name escaped', async () => {
    const result = await runPareAsync(['inspect', image, '--tree', '--depth', '3', '--top', '10']);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(RAW_CONTROL);
    expect(result.stdout).toContain('evil\\x1b]0;pwned\\x07');
    expect(result.stdout).toContain('line\\nLayers: 0 bytes wasted');
    expect(result.stdout).toContain('invoice\\u202egnp.exe');
    expect(result.stdout).toContain('COPY \\x1b[2J\\x1b[Hfiles /etc');
    // No forged line: the only line starting with "Layers" is pare's own heading.
    expect(result.stdout.split('\n').filter((line) => line.startsWith('Layers'))).toEqual(['Layers']);
  });

  it('an error naming a hostile path is one escaped line', async () => {
    const bad = await writeImage(join(dir, 'bad'), 'docker-archive-legacy', [
      buildImage({ layers: [{ entries: [file('../\u001b[31mescape\nforged', 'x')] }] }),
    ]);
    const result = await runPareAsync(['inspect', bad]);
    expect(result.code).toBe(2);
    expect(result.stderr).not.toMatch(RAW_CONTROL);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('\\x1b[31mescape\\nforged');
  });

  it('lint prints Dockerfile lines and quoted commands escaped, the marker still under the range', async () => {
    const dockerfile = join(dir, 'Dockerfile');
    await writeFile(
      dockerfile,
      'FROM debian:12\nRUN echo "\u001b[8m" && apt-get update && apt-get install -y curl\n',
    );
    const result = await runPareAsync(['lint', dockerfile]);
    expect(result.stdout).not.toMatch(RAW_CONTROL);
    const lines = result.stdout.split('\n');
    // The finding on `apt-get install` (no --no-install-recommends) starts after the escaped ESC.
    const source = lines.findIndex(
      (line, i) => line.includes('│ RUN echo "\\x1b[8m" && apt-get') && lines[i + 1]!.includes('^'),
    );
    expect(source).toBeGreaterThan(-1);
    const marker = lines[source + 1]!;
    expect(lines[source]!.slice(marker.indexOf('^'), marker.lastIndexOf('^') + 1)).toMatch(/^apt-get /);
  });
});
