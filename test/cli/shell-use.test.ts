/**
 * pare in a pipeline: `-` reads the Dockerfile from stdin wherever a command
 * reads one, and a reader that stops early (`| head`) ends pare quietly.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { WASTEFUL } from '../analyze/wasteful-image.js';
import { PARE_BIN, runPare } from '../helpers/cli.js';
import { buildImage, writeImage } from '../helpers/image-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'pare-shell-'));
const NAIVE = 'FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y curl\nCMD ["curl"]\n';
writeFileSync(join(dir, 'Dockerfile'), NAIVE);
// Enough findings that the report is far larger than a pipe's buffer.
const big = join(dir, 'Big.Dockerfile');
writeFileSync(
  big,
  `FROM ubuntu:22.04\n${Array.from({ length: 2000 }, (_, i) => `RUN apt-get update && apt-get install -y p${i}\n`).join('')}`,
);

let image: string;
beforeAll(async () => {
  image = await writeImage(join(dir, 'image'), 'docker-archive-legacy', [buildImage(WASTEFUL)]);
});

const fixed = (text: string) => expect(text).toMatch(/apt-get install --no-install-recommends -y curl/);

const fromStdin: Array<[string, () => string[], number, (stdout: string, stderr: string) => void]> = [
  [
    'lint -',
    () => ['lint', '-'],
    1,
    (stdout) => expect(stdout).toMatch(/^<stdin>\n.*apt-lists-not-removed/s),
  ],
  [
    'lint - --format json',
    () => ['lint', '-', '--format', 'json'],
    1,
    (stdout) => expect(JSON.parse(stdout).files[0].path).toBe('<stdin>'),
  ],
  [
    'fix - (a diff of <stdin>)',
    () => ['fix', '-'],
    0,
    (stdout, stderr) => {
      expect(stdout).toMatch(/^--- a\/<stdin>\n\+\+\+ b\/<stdin>\n/);
      expect(stderr).toMatch(/run again with --output FILE/);
    },
  ],
  ['fix - --output - (a filter)', () => ['fix', '-', '--output', '-'], 0, (stdout) => fixed(stdout)],
  [
    'fix - --output FILE',
    () => ['fix', '-', '--output', join(dir, 'out.Dockerfile')],
    0,
    () => fixed(readFileSync(join(dir, 'out.Dockerfile'), 'utf8')),
  ],
  [
    'inspect --dockerfile -',
    () => ['inspect', image, '--dockerfile', '-', '--format', 'json'],
    0,
    // The layers are mapped to the lines of the Dockerfile read from stdin.
    (stdout) =>
      expect(JSON.parse(stdout).layers[1].dockerfile.text).toBe(
        'RUN apt-get update && apt-get install -y curl',
      ),
  ],
];

const refused: Array<[string, string[], RegExp]> = [
  [
    'fix - --write (stdin is no file)',
    ['fix', '-', '--write'],
    /^pare: error: -: --write changes the Dockerfile in place/,
  ],
  [
    'optimize - (needs a build context)',
    ['optimize', '-'],
    /^pare: error: -: optimize needs the project directory/,
  ],
  [
    'optimize --file -',
    ['optimize', dir, '--file', '-'],
    /^pare: error: --file -: optimize builds the Dockerfile/,
  ],
];

describe('a Dockerfile on stdin', () => {
  it.each(fromStdin)('%s', (_name, args, code, check) => {
    const result = runPare(args(), { input: NAIVE, cwd: dir });
    expect(result.stderr).not.toMatch(/error/);
    expect(result.code).toBe(code);
    check(result.stdout, result.stderr);
  });

  it.each(refused)('%s: one line, exit 2', (_name, args, pattern) => {
    const result = runPare(args, { input: NAIVE, cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(pattern);
  });
});

describe('- on a terminal', () => {
  // script(1) gives pare a real terminal; the Dockerfile is typed into it and ended with Ctrl-D.
  const typed = (args: string) =>
    spawnSync(
      'sh',
      [
        '-c',
        `(sleep 1; printf 'FROM ubuntu:22.04\\nRUN apt-get update\\n'; sleep 1; printf '\\004') | script -qec "${process.execPath} ${PARE_BIN} ${args}" /dev/null`,
      ],
      { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 30_000 },
    );

  it.each(['lint -', 'fix -'])('pare %s says it reads the terminal until Ctrl-D, then goes on', (args) => {
    const result = typed(args);
    expect(result.stdout).toMatch(/^pare: reading a Dockerfile from the terminal; end it with Ctrl-D/m);
    expect(result.stdout).toMatch(/apt-get update/);
  });

  it('says nothing of the kind when stdin is a pipe', () => {
    const result = runPare(['lint', '-'], { input: NAIVE, cwd: dir });
    expect(result.stderr).not.toMatch(/terminal/);
  });
});

describe('a reader that stops early', () => {
  it.each([
    ['text', [] as string[], 'Big.Dockerfile'],
    ['json', ['--format', 'json'], '{'],
  ])('pare lint --format %s | head -1: no stack trace, the usual exit code', (_name, flags, first) => {
    const command = `node ${PARE_BIN} lint ${big} ${flags.join(' ')} | head -1; echo "pare exited \${PIPESTATUS[0]}" >&2`;
    const result = spawnSync('bash', ['-c', command], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(result.stdout.trim().split('\n')[0]).toContain(first);
    expect(result.stderr).toBe('pare exited 1\n');
  });
});
