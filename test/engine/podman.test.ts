/**
 * pare with podman (PARE_ENGINE=podman) against a real podman, next to the
 * Docker engine the other engine tests use. Runs only with PARE_PODMAN_TESTS=1;
 * then a missing or broken podman, or a base image podman does not have, is a
 * failure that says what to do (as PARE_ENGINE_TESTS=1 does for docker).
 *
 * Podman gets the base images from docker (`docker save … | podman load`): no
 * registry is reachable here. See README "Podman" for the host configuration
 * podman needs on these machines.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findEngine } from '../../src/engine/detect.js';
import type { BuildResult, Engine } from '../../src/engine/engine.js';
import { MANAGED_LABEL, OWNER_LABEL } from '../../src/engine/engine.js';
import { observe } from '../../src/engine/probe.js';
import { openDockerArchive } from '../../src/image/local/docker-archive.js';
import { openImage } from '../../src/image/open.js';
import type { OptimizeResult } from '../../src/optimize/optimize.js';
import { keptAndOriginal } from '../helpers/optimize-result.js';

const run = promisify(execFile);
const REQUIRED = process.env.PARE_PODMAN_TESTS === '1';
const PODMAN_ENV = { ...process.env, PARE_ENGINE: 'podman' };
const BASE_IMAGE = 'pare-base/debian:bookworm';
/** What examples/c-cli builds on (its .pare.json names them). */
const C_CLI_BASES = ['pare-base/gcc:bookworm', 'pare-base/debian:bookworm-slim'];
const suffix = randomBytes(4).toString('hex');
const TAG = `pare-test/podman:${suffix}`;
const C_CLI_TAG = `pare-test/podman-c-cli:${suffix}`;
const EXAMPLES = fileURLToPath(new URL('../../examples', import.meta.url));
const PARE = fileURLToPath(new URL('./pare-from-source.ts', import.meta.url));
const CHILD = fileURLToPath(new URL('./signal-child.ts', import.meta.url));
// A tiny HTTP server in perl-base (part of Debian minbase).
const HTTP_SERVER = `use IO::Socket::INET; my $s = IO::Socket::INET->new(LocalPort => 8080, Listen => 5, ReuseAddr => 1) or die "listen: $!";
while (my $c = $s->accept) { while (<$c>) { last if /^\\r?\\n$/ } print $c "HTTP/1.0 200 OK\\r\\nContent-Type: text/plain\\r\\n\\r\\nhello from podman\\n"; close $c }`;

async function podmanGate(): Promise<{ engine?: Engine; missing?: string }> {
  if (!REQUIRED) return { missing: 'set PARE_PODMAN_TESTS=1 to run them' };
  let engine: Engine;
  try {
    engine = await findEngine({ env: PODMAN_ENV });
  } catch (error) {
    return { missing: (error as Error).message };
  }
  for (const image of [BASE_IMAGE, ...C_CLI_BASES]) {
    if (!(await engine.imageExists(image))) {
      return { missing: `podman does not have ${image} (docker save ${image} | podman load)` };
    }
  }
  return { engine };
}

const gate = await podmanGate();

/** pare's CLI from the sources, with podman selected. */
function pare(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', PARE, ...args], {
      env: { ...PODMAN_ENV, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** IDs of podman containers (or images, with `images`) carrying a label. */
async function labelled(kind: 'ps' | 'images', label: string): Promise<string[]> {
  const args = kind === 'ps' ? ['ps', '--all', '--quiet'] : ['images', '--quiet'];
  const { stdout } = await run('podman', [...args, '--filter', `label=${label}`]);
  return stdout.split('\n').filter(Boolean);
}

async function containerExists(name: string): Promise<boolean> {
  const { stdout } = await run('podman', ['ps', '--all', '--quiet', '--filter', `name=^${name}$`]);
  return stdout.trim() !== '';
}

if (gate.engine) {
  const engine = gate.engine;
  describe('podman engine', () => {
    let context: string;
    let built: BuildResult;
    const progress: string[] = [];

    beforeAll(async () => {
      context = await mkdtemp(join(tmpdir(), 'pare-podman-test-'));
      await chmod(context, 0o755); // readable by the container's user 1234 through the bind mount
      await writeFile(join(context, 'data.txt'), 'from the host\n');
      await writeFile(
        join(context, 'Dockerfile'),
        [
          `FROM ${BASE_IMAGE}`,
          'RUN head -c 1048576 /dev/urandom > /waste.bin && rm /waste.bin',
          'RUN echo hello > /hello.txt',
          'CMD ["cat", "/hello.txt"]',
          '',
        ].join('\n'),
      );
      built = await engine.build({
        context,
        tag: TAG,
        temporary: true,
        labels: { 'org.pare.test': suffix },
        onProgress: (line) => progress.push(line),
      });
    });

    afterAll(async () => {
      await engine.removeImage(TAG, { force: true });
      await rm(context, { recursive: true, force: true });
      expect(await labelled('ps', `${OWNER_LABEL}=${process.pid}`)).toEqual([]);
    });

    it('is what findEngine picks with PARE_ENGINE=podman', async () => {
      expect(engine.kind).toBe('podman');
      const info = await engine.info();
      expect(info).toMatchObject({ kind: 'podman', buildkit: false });
      expect(info.serverVersion).toMatch(/^\d+\.\d+/);
    });

    it('builds with buildah (no BuildKit progress), streaming its step lines', async () => {
      expect(built.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(progress.some((line) => /^STEP \d+\/\d+: RUN echo hello/.test(line))).toBe(true);
      expect(progress.some((line) => line.startsWith('#'))).toBe(false);
    });

    it('inspects the image and lists its history in docker shape', async () => {
      const [image, base] = await Promise.all([engine.imageInspect(TAG), engine.imageInspect(BASE_IMAGE)]);
      expect(image.Id).toBe(built.imageId);
      expect(image.RootFS.Layers).toHaveLength(base.RootFS.Layers!.length + 2);
      expect(image.Config?.Cmd).toEqual(['cat', '/hello.txt']);
      expect(image.Config?.Labels?.['org.pare.test']).toBe(suffix);
      const history = await engine.history(TAG);
      // buildah records --label as LABEL steps after the Dockerfile's own.
      expect(history.some((entry) => entry.createdBy.includes('CMD ["cat", "/hello.txt"]'))).toBe(true);
      const hello = history.find((entry) => entry.createdBy.includes('echo hello'));
      expect(hello?.size).toBeGreaterThan(0);
      expect(history.every((entry) => entry.id === undefined || entry.id.startsWith('sha256:'))).toBe(true);
    });

    it('runs with env, user, workdir, labels and a read-only bind mount, stdout and stderr apart', async () => {
      const exit = await engine.run({
        image: TAG,
        entrypoint: ['sh', '-c'],
        cmd: [
          'cat /data/data.txt; echo "$GREETING"; pwd; id -u >&2; touch /data/x 2>/dev/null || echo ro >&2; exit 7',
        ],
        env: { GREETING: 'hi there' },
        user: '1234',
        workdir: '/tmp',
        labels: { 'org.pare.test': suffix },
        mounts: [{ type: 'bind', source: context, target: '/data', readOnly: true }],
      });
      expect(exit).toMatchObject({
        exitCode: 7,
        timedOut: false,
        stdout: 'from the host\nhi there\n/tmp\n',
        stderr: '1234\nro\n',
      });
      expect(await containerExists(exit.name)).toBe(false);
    });

    it('publishes a port on loopback that the HTTP probe reads, then removes the container', async () => {
      const started = await engine.run({
        image: TAG,
        cmd: ['perl', '-e', HTTP_SERVER],
        ports: [{ container: 8080 }],
        detach: true,
      });
      try {
        const address = await engine.port(started.id, 8080);
        expect(address.host).toBe('127.0.0.1');
        expect((await engine.exec(started.id, ['cat', '/hello.txt'])).stdout).toBe('hello\n');
      } finally {
        await engine.stop(started.id, { timeoutSeconds: 1 });
        await engine.remove(started.id);
      }
      expect(await containerExists(started.name)).toBe(false);

      const http = await observe(
        engine,
        TAG,
        { kind: 'http', port: 8080, path: '/' },
        { runOverrides: { cmd: ['perl', '-e', HTTP_SERVER] } },
      );
      expect(http.ok, http.error).toBe(true);
      expect(http.summary).toMatch(/^HTTP 200/);
      expect(http.fingerprint).toContain('hello from podman');
    });

    it('runs the command probe, and stops a run that outlives its timeout', async () => {
      const cmd = await observe(engine, TAG, { kind: 'cmd', args: ['cat', '/hello.txt'] });
      expect(cmd).toMatchObject({ ok: true });
      expect(cmd.fingerprint).toContain('hello');
      const slow = await engine.run({ image: TAG, cmd: ['sleep', '60'], timeoutMs: 1500 });
      expect(slow.timedOut).toBe(true);
      expect(await containerExists(slow.name)).toBe(false);
    });

    it('saves a docker-archive, and docker-daemon: reads the image from podman', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'pare-podman-save-'));
      try {
        const path = join(dir, 'image.tar');
        await pipeline(engine.save(TAG), createWriteStream(path));
        const archive = await openDockerArchive(path);
        try {
          expect(await archive.configDigest()).toBe(built.imageId);
        } finally {
          await archive.close();
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      const saved = process.env.PARE_ENGINE;
      process.env.PARE_ENGINE = 'podman';
      try {
        const image = await openImage(`docker-daemon:${TAG}`);
        try {
          expect(await image.configDigest()).toBe(built.imageId);
          expect((await image.layers()).length).toBe((await engine.imageInspect(TAG)).RootFS.Layers!.length);
        } finally {
          await image.close();
        }
      } finally {
        if (saved === undefined) delete process.env.PARE_ENGINE;
        else process.env.PARE_ENGINE = saved;
      }
    });

    it.each(['SIGINT', 'SIGTERM'] as const)('removes its containers when pare gets %s', async (signal) => {
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, TAG, 'wait'], {
        env: PODMAN_ENV,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const done = new Promise<string | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
      const name = await new Promise<string>((resolve, reject) => {
        let output = '';
        child.stdout.setEncoding('utf8').on('data', (text: string) => {
          output += text;
          const match = /started (\S+)\n/.exec(output);
          if (match) resolve(match[1]!);
        });
        child.on('exit', (code) => reject(new Error(`child exited (${code}) first: ${output}`)));
      });
      expect(await containerExists(name)).toBe(true);
      process.kill(child.pid!, signal);
      expect(await done).toBe(signal);
      expect(await containerExists(name)).toBe(false);
    });
  });

  describe('pare optimize and pare slim with podman (CLI)', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'pare-podman-cli-'));
      await cp(join(EXAMPLES, 'c-cli'), join(dir, 'c-cli'), { recursive: true });
      await rm(join(dir, 'c-cli', 'Dockerfile.pare'), { force: true });
    });
    afterAll(async () => {
      for (const name of [C_CLI_TAG, `${C_CLI_TAG}-min`]) await engine.removeImage(name, { force: true });
      await rm(dir, { recursive: true, force: true });
    });

    it('optimizes examples/c-cli with podman and leaves no labelled container or image', async () => {
      const result = await pare(['optimize', join(dir, 'c-cli'), '--format', 'json']);
      expect(result.code, result.stderr).toBe(0);
      const json = JSON.parse(result.stdout) as OptimizeResult;
      expect(json.chosen).toBe('optimized');
      const { kept: chosen } = keptAndOriginal(json);
      expect(chosen.measurement!.size).toBeLessThan(5_000_000);
      expect(await readFile(join(dir, 'c-cli', 'Dockerfile.pare'), 'utf8')).toMatch(/^FROM scratch$/m);
      expect(await labelled('ps', MANAGED_LABEL)).toEqual([]);
      // Untagged build stages included: buildah labels them too, and pare prunes its own at exit.
      expect(await labelled('images', MANAGED_LABEL)).toEqual([]);
    });

    it('writes a runtime closure with podman that podman builds on its own', async () => {
      // A perl service on the slim base: no ecosystem pare converts, so the closure is the candidate.
      const app = join(dir, 'perl-hello');
      await mkdir(join(app, 'bin'), { recursive: true });
      await writeFile(join(app, 'bin', 'server.pl'), HTTP_SERVER);
      await writeFile(
        join(app, 'Dockerfile'),
        [
          'FROM pare-base/debian:bookworm-slim',
          'WORKDIR /srv/hello',
          'COPY bin/ ./bin/',
          'EXPOSE 8080',
          'CMD ["perl", "bin/server.pl"]',
          '',
        ].join('\n'),
      );
      const result = await pare(['optimize', app, '--probe-http', ':8080/', '--format', 'json']);
      expect(result.code, result.stderr).toBe(0);
      const json = JSON.parse(result.stdout) as OptimizeResult;
      expect(json.chosen, JSON.stringify(json.candidates.map((c) => [c.name, c.failure]))).toBe('closure');
      const { original, kept } = keptAndOriginal(json);
      expect(kept.measurement!.size).toBeLessThan(original.measurement!.size / 3);
      const again = await engine.build({
        context: app,
        dockerfile: join(app, 'Dockerfile.pare'),
        temporary: true,
      });
      const answer = await observe(engine, again.imageId, { kind: 'http', port: 8080, path: '/' });
      expect(answer.fingerprint).toBe(original.probe!.fingerprint);
      expect(await labelled('ps', MANAGED_LABEL)).toEqual([]);
    });

    it('slims --minimal a podman image (traced under podman) and proves it behaves the same', async () => {
      await engine.build({ context: join(EXAMPLES, 'c-cli'), tag: C_CLI_TAG });
      const result = await pare([
        'slim',
        `docker-daemon:${C_CLI_TAG}`,
        '--minimal',
        '--tag',
        `${C_CLI_TAG}-min`,
        '--probe-cmd',
        "'2 * (3 + 4)'",
      ]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('verdict: same behaviour');
      const slim = await engine.imageInspect(`${C_CLI_TAG}-min`);
      expect(slim.Size).toBeLessThan(5_000_000);
      const answer = await engine.run({ image: `${C_CLI_TAG}-min`, cmd: ['2 ^ 10'] });
      expect(answer).toMatchObject({ exitCode: 0, stdout: '2 ^ 10 = 1024\n' });
      expect(await labelled('ps', MANAGED_LABEL)).toEqual([]);
    });
  });
} else if (REQUIRED) {
  describe('podman engine', () => {
    it('has a working podman (PARE_PODMAN_TESTS=1)', () => {
      throw new Error(`PARE_PODMAN_TESTS=1 but ${gate.missing}`);
    });
  });
} else {
  describe.skip(`podman engine (skipped: ${gate.missing})`, () => {
    it('needs podman', () => {});
  });
}
