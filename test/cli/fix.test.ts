import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPare } from '../helpers/cli.js';

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
