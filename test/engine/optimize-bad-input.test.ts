/**
 * `pare optimize` when things go wrong: the user's Dockerfile fails to build,
 * the probe never answers, a base the config names is missing, the directory
 * is missing. Each is one clear line,
 * exit 2, the user's files untouched and no container left behind.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runPare } from '../helpers/cli.js';
import { BASE_IMAGE, describeWithEngine, engineGate } from './engine-gate.js';

const run = promisify(execFile);
const gate = await engineGate();

async function managedContainers(): Promise<string[]> {
  const { stdout } = await run('/usr/bin/docker', ['ps', '-aq', '--filter', 'label=org.pare.managed']);
  return stdout.split('\n').filter(Boolean);
}

describeWithEngine('pare optimize on bad input', gate, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pare-optimize-bad-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reports a Dockerfile that fails before any change as the user's build error", async () => {
    const project = join(dir, 'broken');
    await run('mkdir', ['-p', project]);
    const dockerfile = `FROM ${BASE_IMAGE}\nRUN apt-get install -y no-such-package-pare\nCMD ["true"]\n`;
    await writeFile(join(project, 'Dockerfile'), dockerfile);
    const before = await managedContainers();
    const result = runPare(['optimize', project, '--probe-up', '1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/fails to build before any change by pare/);
    expect(await readFile(join(project, 'Dockerfile'), 'utf8')).toBe(dockerfile);
    expect(await readdir(project)).toEqual(['Dockerfile']);
    expect(await managedContainers()).toEqual(before);
  });

  it('says when the original never answers the probe, and cleans up its container', async () => {
    const project = join(dir, 'silent');
    await run('mkdir', ['-p', project]);
    await writeFile(join(project, 'Dockerfile'), `FROM ${BASE_IMAGE}\nCMD ["sleep", "300"]\n`);
    const before = await managedContainers();
    const result = runPare(['optimize', project, '--probe-http', ':8080/', '--probe-timeout', '3']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /original image does not pass the probe, so there is nothing to compare a candidate with: no HTTP answer on :8080\//,
    );
    expect(await readdir(project)).toEqual(['Dockerfile']);
    expect(await managedContainers()).toEqual(before);
  });

  it('stops before any build when a base the config names is neither in the engine nor pullable', async () => {
    // The conversion puts the app on the config's slim Python (pare never invents an image), which
    // this engine does not have and cannot pull (no registry answers for it).
    const project = join(dir, `unknown-base-${process.pid}`);
    await run('mkdir', ['-p', project]);
    const dockerfile = `FROM pare-base/python:bookworm\nWORKDIR /app\nCOPY main.py .\nCMD ["python3", "main.py"]\n`;
    const entry = (name: string, kind: string, size: string) => ({
      name,
      size,
      libc: 'glibc',
      hasShell: true,
      packageManager: 'apt',
      kind,
      ecosystem: 'python',
    });
    const config = JSON.stringify({
      baseImages: [
        entry('pare-base/python:bookworm', 'full-distro', '193MB'),
        entry('pare-test-missing/python:slim-bookworm', 'slim', '119MB'),
      ],
    });
    await writeFile(join(project, 'Dockerfile'), dockerfile);
    await writeFile(join(project, 'main.py'), 'print("hello")\n');
    await writeFile(join(project, '.pare.json'), config);
    const containersBefore = await managedContainers();
    const result = runPare(['optimize', project, '--probe-cmd', '']);
    expect(result.code, result.stderr).toBe(2);
    const errors = result.stderr.split('\n').filter((line) => line.startsWith('pare: error:'));
    expect(errors).toEqual([
      expect.stringMatching(
        /^pare: error: .*\/\.pare\.json: baseImages\[1\] "pare-test-missing\/python:slim-bookworm": the optimized Dockerfile would build on it, but the container engine at \S+ does not have it and cannot pull it \(.+\); pull or build it first, or remove the entry$/,
      ),
    ]);
    expect(result.stderr).not.toMatch(/building the original|\n\s+at /);
    expect(await readFile(join(project, 'Dockerfile'), 'utf8')).toBe(dockerfile);
    expect(await readFile(join(project, '.pare.json'), 'utf8')).toBe(config);
    expect((await readdir(project)).sort()).toEqual(['.pare.json', 'Dockerfile', 'main.py']);
    expect(await managedContainers()).toEqual(containersBefore);
    const { stdout } = await run('/usr/bin/docker', [
      'images',
      '-q',
      `pare-optimize/unknown-base-${process.pid}`,
    ]);
    expect(stdout.trim()).toBe('');
  });

  it('names a missing directory and a malformed probe, exit 2', () => {
    const missing = runPare(['optimize', join(dir, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(runPare(['optimize', dir, '--probe-http', '8080']).stderr).toMatch(/expected :PORT\/path/);
  });
});
