import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectOneErrorLine, runPare } from '../helpers/cli.js';

const NAIVE = [
  '# the app',
  'FROM python:3.12-slim',
  'WORKDIR /app',
  'COPY . .',
  'RUN apt-get update && apt-get install -y \\',
  '    # needed by the app',
  '    curl',
  'RUN pip install -r requirements.txt',
  'CMD python app.py',
  '',
].join('\n');

function project(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'pare-fix-'));
  writeFileSync(join(dir, 'Dockerfile'), NAIVE);
  writeFileSync(join(dir, 'requirements.txt'), 'flask\n');
  writeFileSync(join(dir, 'app.py'), 'print(1)\n');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

describe('pare fix', () => {
  it('prints a unified diff and changes nothing', () => {
    const dir = project({ '.git/HEAD': 'ref: refs/heads/main\n' });
    const result = runPare(['fix', dir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`--- a/${join(dir, 'Dockerfile').slice(1)}`);
    expect(result.stdout).toContain('+RUN pip install --no-cache-dir -r requirements.txt');
    expect(result.stdout).toContain('+CMD ["python", "app.py"]');
    expect(result.stdout).toContain('--- /dev/null');
    expect(result.stdout).toContain('+.git');
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toBe(NAIVE);
    expect(readdirSync(dir).sort()).toEqual(['.git', 'Dockerfile', 'app.py', 'requirements.txt']);
  });

  it('--write applies fixes keeping comments and continuations, writes .dockerignore, and is idempotent', () => {
    const dir = project({ '.git/HEAD': 'ref: refs/heads/main\n' });
    expect(runPare(['fix', dir, '--write']).code).toBe(0);
    const fixed = readFileSync(join(dir, 'Dockerfile'), 'utf8');
    expect(fixed).toContain('# the app\n');
    expect(fixed).toContain('    # needed by the app\n');
    expect(fixed).toContain('apt-get install --no-install-recommends -y \\');
    expect(fixed).toContain('rm -rf /var/lib/apt/lists/*');
    expect(readFileSync(join(dir, '.dockerignore'), 'utf8')).toMatch(/^\.git$/m);
    const again = runPare(['fix', dir]);
    expect(again.stdout).toBe('');
    expect(again.stderr).toMatch(/nothing to fix automatically/);
  });

  it('--output writes elsewhere and refuses the input itself', () => {
    const dir = project();
    const out = join(dir, 'Dockerfile.fixed');
    expect(runPare(['fix', dir, '--output', out]).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('--no-cache-dir');
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toBe(NAIVE);
    const refused = runPare(['fix', dir, '--output', join(dir, 'Dockerfile')]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/names the input Dockerfile/);
  });

  it.each([
    ['--write', (_dir: string) => ['--write'], (dir: string) => join(dir, 'Dockerfile')],
    ['--output', (dir: string) => ['--output', join(dir, 'out')], (dir: string) => join(dir, 'out')],
  ])('%s keeps the byte-order mark the Dockerfile starts with', (_, flags, written) => {
    const dir = project();
    writeFileSync(join(dir, 'Dockerfile'), `\ufeff${NAIVE}`);
    expect(runPare(['fix', dir, '--no-dockerignore', ...flags(dir)]).code).toBe(0);
    const bytes = readFileSync(written(dir));
    expect([...bytes.subarray(0, 4)]).toEqual([0xef, 0xbb, 0xbf, '#'.charCodeAt(0)]);
    expect(bytes.toString('utf8')).toContain('--no-cache-dir');
  });

  it('writes no byte-order mark the Dockerfile did not have', () => {
    const dir = project();
    expect(runPare(['fix', dir, '--no-dockerignore', '--output', join(dir, 'out')]).code).toBe(0);
    expect(readFileSync(join(dir, 'out'))[0]).toBe('#'.charCodeAt(0));
  });

  it('--multi-stage converts a single-stage Go build (seed 004) to scratch', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pare-fix-go-'));
    writeFileSync(
      join(dir, 'Dockerfile'),
      'FROM golang:1.17\nWORKDIR /opt/app\nCOPY . .\nRUN go build -o example\nCMD ["/opt/app/example"]\n',
    );
    writeFileSync(join(dir, 'go.mod'), 'module example\n\ngo 1.17\n');
    const result = runPare(['fix', dir, '--multi-stage']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('+FROM scratch');
    expect(result.stdout).toContain(
      "+RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/example .",
    );
    expect(result.stderr).toMatch(/unverified/);
  });

  it('--multi-stage says why the conversion does not apply (a final base the catalogue does not know)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pare-fix-unknown-'));
    writeFileSync(
      join(dir, 'Dockerfile'),
      // A JVM app: what its final base must provide is not knowable (a Go binary would go onto scratch).
      'FROM maven:3.9-eclipse-temurin-17 AS build\nWORKDIR /src\nCOPY . .\nRUN mvn -B package\nFROM corp.example/base/runtime:3\nCOPY --from=build /src/target/app.jar /app.jar\nCMD ["java", "-jar", "/app.jar"]\n',
    );
    const result = runPare(['fix', dir, '--multi-stage']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'multi-stage conversion: not applicable to this Dockerfile: the final base corp.example/base/runtime:3 is not in the catalogue',
    );
  });
});

/** Dockerfiles of the shapes a pre-commit run passes, each in its own build context. */
const SHAPES = {
  clean: `FROM alpine:3.20@sha256:${'a'.repeat(64)}\nCMD ["/bin/true"]\n`,
  needsFix: 'FROM python:3.12-slim\nRUN pip install flask\nCMD python app.py\n',
  broken: 'FROM debian:12\nRUN <<EOF\n',
  // Nothing in the Dockerfile to fix, but its context sends .git to the builder.
  contextOnly: `FROM alpine:3.20@sha256:${'a'.repeat(64)}\nCOPY . /app\nCMD ["/app/run"]\n`,
} as const;
type Shape = keyof typeof SHAPES;

/** One directory per shape (with .git where the shape needs it); returns the Dockerfile paths. */
function dockerfiles(...shapes: Shape[]): string[] {
  const root = mkdtempSync(join(tmpdir(), 'pare-fix-many-'));
  return shapes.map((shape, index) => {
    const dir = join(root, `${index}-${shape}`);
    mkdirSync(dir);
    if (shape === 'contextOnly') {
      mkdirSync(join(dir, '.git'));
      writeFileSync(join(dir, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    }
    writeFileSync(join(dir, 'Dockerfile'), SHAPES[shape]);
    return join(dir, 'Dockerfile');
  });
}

const header = (path: string) => `--- a/${path.slice(1)}\n+++ b/${path.slice(1)}\n`;
function unchanged(paths: string[], shapes: Shape[]): void {
  for (const [index, path] of paths.entries())
    expect(readFileSync(path, 'utf8')).toBe(SHAPES[shapes[index]!]);
}

describe('pare fix --check', () => {
  it.each<[string, Shape[], string[], number, { diffs: number[]; stderr: RegExp[] }]>([
    ['a clean Dockerfile: silent', ['clean'], [], 0, { diffs: [], stderr: [/^$/] }],
    [
      'a clean Dockerfile, --verbose: one summary line',
      ['clean'],
      ['--verbose'],
      0,
      { diffs: [], stderr: [/^pare: 1 Dockerfile checked: nothing to fix$/m] },
    ],
    ['several clean Dockerfiles', ['clean', 'clean', 'clean'], [], 0, { diffs: [], stderr: [/^$/] }],
    [
      'a Dockerfile that needs a fix',
      ['needsFix'],
      [],
      1,
      {
        diffs: [0],
        stderr: [
          /Dockerfile: 2 fixes to apply$/m,
          /^1 of 1 Dockerfile checked would change; "pare fix --write"/m,
        ],
      },
    ],
    [
      'one of three needs a fix: only its diff',
      ['clean', 'needsFix', 'clean'],
      [],
      1,
      { diffs: [1], stderr: [/^1 of 3 Dockerfiles checked would change/m] },
    ],
    [
      'two need a fix: both diffs, in order',
      ['needsFix', 'clean', 'needsFix'],
      [],
      1,
      { diffs: [0, 2], stderr: [/^2 of 3 Dockerfiles checked would change/m] },
    ],
    [
      'a .dockerignore the fix would create is a change',
      ['contextOnly'],
      [],
      1,
      { diffs: [], stderr: [/\.dockerignore would be created to exclude \.git \(--no-dockerignore/] },
    ],
    [
      '--no-dockerignore leaves the .dockerignore out',
      ['contextOnly'],
      ['--no-dockerignore'],
      0,
      { diffs: [], stderr: [/^$/] },
    ],
    [
      'a file that does not parse: one line naming it',
      ['broken'],
      [],
      2,
      { diffs: [], stderr: [/^pare: error: \/.*-broken\/Dockerfile:2: unterminated heredoc/] },
    ],
    [
      'bad input wins over a pending fix, and the other files are still checked',
      ['needsFix', 'broken', 'clean'],
      [],
      2,
      {
        diffs: [0],
        stderr: [/-broken\/Dockerfile:2: unterminated heredoc/, /^1 of 2 Dockerfiles checked would change/m],
      },
    ],
  ])('%s', (_name, shapes, flags, code, expected) => {
    const paths = dockerfiles(...shapes);
    const result = runPare(['fix', '--check', ...flags, ...paths]);
    expect(result.code).toBe(code);
    const headers = [...result.stdout.matchAll(/^--- a\/(.*)$/gm)].map((match) => `/${match[1]}`);
    expect(headers).toEqual(expected.diffs.map((index) => paths[index]));
    for (const index of expected.diffs) {
      expect(result.stdout).toContain(`${header(paths[index]!)}@@`);
      expect(result.stdout).toContain('+RUN pip install --no-cache-dir flask');
    }
    for (const pattern of expected.stderr) expect(result.stderr).toMatch(pattern);
    if (code === 2) expect(result.stderr.match(/^pare: error: /gm)).toHaveLength(1);
    unchanged(paths, shapes);
    // No .dockerignore was written either.
    for (const path of paths) expect(readdirSync(join(path, '..'))).not.toContain('.dockerignore');
  });

  it('shows the .dockerignore diff as the default mode does', () => {
    const [path] = dockerfiles('contextOnly');
    const check = runPare(['fix', '--check', path!]);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain(`--- /dev/null\n+++ b/${join(path!, '..', '.dockerignore').slice(1)}`);
    expect(check.stdout).toMatch(/^\+\.git$/m);
    expect(check.stdout).toBe(runPare(['fix', path!]).stdout);
  });

  it('says which lines an existing .dockerignore lacks', () => {
    const [path] = dockerfiles('contextOnly');
    writeFileSync(join(path!, '..', '.dockerignore'), '*.log\n');
    const result = runPare(['fix', '--check', path!]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/\.dockerignore would also exclude \.git/);
    expect(readFileSync(join(path!, '..', '.dockerignore'), 'utf8')).toBe('*.log\n');
  });

  it.each<[string, string, number, RegExp]>([
    ['a Dockerfile that needs a fix', SHAPES.needsFix, 1, /^<stdin>: 2 fixes to apply$/m],
    ['a clean Dockerfile', SHAPES.clean, 0, /^$/],
    ['a Dockerfile that does not parse', SHAPES.broken, 2, /^pare: error: <stdin>:2: unterminated heredoc/],
  ])('reads stdin with -: %s', (_name, input, code, stderr) => {
    const result = runPare(['fix', '--check', '-'], { input });
    expect(result.code).toBe(code);
    if (code === 1) expect(result.stdout).toContain(header('/<stdin>'));
    else expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(stderr);
  });

  it('checks ./Dockerfile when no path is given', () => {
    const [path] = dockerfiles('needsFix');
    const result = runPare(['fix', '--check'], { cwd: join(path!, '..') });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('+CMD ["python", "app.py"]');
  });

  it('agrees with --write: after it, the check passes', () => {
    const paths = dockerfiles('needsFix', 'contextOnly');
    expect(runPare(['fix', '--check', ...paths]).code).toBe(1);
    expect(runPare(['fix', '--write', ...paths]).code).toBe(0);
    const again = runPare(['fix', '--check', ...paths]);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('');
  });
});

describe('pare fix with several paths', () => {
  it('prints the diff of each, naming its file, and changes nothing', () => {
    const shapes: Shape[] = ['needsFix', 'clean', 'needsFix'];
    const paths = dockerfiles(...shapes);
    const result = runPare(['fix', ...paths]);
    expect(result.code).toBe(0);
    const headers = [...result.stdout.matchAll(/^--- a\/(.*)$/gm)].map((match) => `/${match[1]}`);
    expect(headers).toEqual([paths[0], paths[2]]);
    expect(result.stderr).toContain(`2 fixes to apply in ${paths[0]} (run again with --write)`);
    expect(result.stderr).toContain(`nothing to fix automatically in ${paths[1]}`);
    expect(result.stderr).toContain(`2 fixes to apply in ${paths[2]} (run again with --write)`);
    unchanged(paths, shapes);
  });

  it('--write fixes each file in place', () => {
    const paths = dockerfiles('needsFix', 'needsFix');
    const result = runPare(['fix', '--write', ...paths]);
    expect(result.code).toBe(0);
    for (const path of paths) {
      expect(readFileSync(path, 'utf8')).toBe(
        'FROM python:3.12-slim\nRUN pip install --no-cache-dir flask\nCMD ["python", "app.py"]\n',
      );
      expect(result.stderr).toContain(`wrote ${path}\n`);
      // Atomic: the temporary sibling was renamed over the file, none is left.
      expect(readdirSync(join(path, '..'))).toEqual(['Dockerfile']);
    }
  });

  it('--write still fixes the good files when one is bad, and exits 2', () => {
    const paths = dockerfiles('needsFix', 'broken', 'needsFix');
    const result = runPare(['fix', '--write', ...paths]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^pare: error: .*-broken\/Dockerfile:2: unterminated heredoc/m);
    expect(readFileSync(paths[0]!, 'utf8')).toContain('--no-cache-dir');
    expect(readFileSync(paths[1]!, 'utf8')).toBe(SHAPES.broken);
    expect(readFileSync(paths[2]!, 'utf8')).toContain('--no-cache-dir');
  });

  it('shows a .dockerignore two Dockerfiles of one context propose once', () => {
    const [path] = dockerfiles('contextOnly');
    const other = join(path!, '..', 'Dockerfile.prod');
    writeFileSync(other, SHAPES.contextOnly);
    const result = runPare(['fix', '--check', path!, other]);
    expect(result.code).toBe(1);
    expect(result.stdout.match(/^--- \/dev\/null$/gm)).toHaveLength(1);
    expect(result.stderr).toMatch(/^2 of 2 Dockerfiles checked would change/m);
  });
});

describe('pare fix usage mistakes', () => {
  it.each<[string, (paths: string[]) => string[], RegExp]>([
    [
      '--check with --write',
      (paths) => ['--check', '--write', ...paths],
      /--check changes nothing and --write changes the Dockerfile: use one of them$/,
    ],
    [
      '--check with --output',
      (paths) => ['--check', paths[0]!, '--output', `${paths[0]}.fixed`],
      /--check changes nothing and --output writes the fixed Dockerfile: use one of them$/,
    ],
    [
      '--output with two paths',
      (paths) => [...paths, '--output', `${paths[0]}.fixed`],
      /--output writes one fixed Dockerfile and 2 paths were given: use --write to fix each in place$/,
    ],
    [
      '- before another path',
      (paths) => ['-', paths[0]!],
      /- reads one Dockerfile from stdin: give it alone/,
    ],
    ['- after another path', (paths) => [paths[0]!, '-'], /- reads one Dockerfile from stdin: give it alone/],
    [
      '- among paths with --check',
      (paths) => ['--check', '-', ...paths],
      /- reads one Dockerfile from stdin/,
    ],
  ])('%s: one line, exit 2, nothing read or written', (_name, args, pattern) => {
    const shapes: Shape[] = ['needsFix', 'needsFix'];
    const paths = dockerfiles(...shapes);
    const result = runPare(['fix', ...args(paths)], { input: SHAPES.needsFix });
    expect(result.stdout).toBe('');
    expectOneErrorLine(result, pattern);
    unchanged(paths, shapes);
    for (const path of paths) expect(readdirSync(join(path, '..'))).toEqual(['Dockerfile']);
  });
});
