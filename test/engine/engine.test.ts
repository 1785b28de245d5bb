/**
 * The Docker engine implementation against a real engine: build an image with
 * known waste (5 MiB written in one RUN, deleted in the next) FROM the local
 * pare-base image, run it, inspect it, save it, and check that nothing pare
 * starts outlives it, including on SIGTERM/SIGINT and process.exit.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CleanupRegistry } from '../../src/engine/cleanup.js';
import { findEngine } from '../../src/engine/detect.js';
import type { BuildResult, Engine } from '../../src/engine/engine.js';
import { OWNER_LABEL } from '../../src/engine/engine.js';
import { BuildFailedError, ContainerStartError, NoSuchImageError } from '../../src/engine/errors.js';
import { openDockerArchive } from '../../src/image/local/docker-archive.js';
import { BASE_IMAGE, describeWithEngine, engineGate } from './engine-gate.js';

const run = promisify(execFile);
const WASTE_BYTES = 5 * 1024 * 1024;
const suffix = randomBytes(4).toString('hex');
const TAG = `pare-test/waste:${suffix}`;
// A tiny HTTP server in perl-base (part of Debian minbase), for the port test.
const HTTP_SERVER = `use IO::Socket::INET; my $s = IO::Socket::INET->new(LocalPort => 8080, Listen => 5, ReuseAddr => 1) or die "listen: $!";
while (my $c = $s->accept) { while (<$c>) { last if /^\\r?\\n$/ } print $c "HTTP/1.0 200 OK\\r\\nContent-Type: text/plain\\r\\n\\r\\nhello from pare\\n"; close $c }`;

const gate = await engineGate();

async function containersOwnedBy(engine: Engine, pid: number): Promise<string[]> {
  const { stdout } = await run(engine.binary, [
    'ps',
    '--all',
    '--quiet',
    '--filter',
    `label=${OWNER_LABEL}=${pid}`,
  ]);
  return stdout.split('\n').filter(Boolean);
}

async function containerExists(engine: Engine, name: string): Promise<boolean> {
  const { stdout } = await run(engine.binary, ['ps', '--all', '--quiet', '--filter', `name=^${name}$`]);
  return stdout.trim() !== '';
}

describeWithEngine('docker engine', gate, (engine) => {
  let context: string;
  let built: BuildResult;
  const progress: string[] = [];

  beforeAll(async () => {
    context = await mkdtemp(join(tmpdir(), 'pare-engine-test-'));
    await writeFile(
      join(context, 'Dockerfile'),
      [
        `FROM ${BASE_IMAGE}`,
        `RUN head -c ${WASTE_BYTES} /dev/urandom > /waste.bin`,
        'RUN rm /waste.bin',
        'RUN echo hello > /hello.txt',
        'CMD ["cat", "/hello.txt"]',
        '',
      ].join('\n'),
    );
    built = await engine.build({
      context,
      tag: TAG,
      temporary: true,
      onProgress: (line) => progress.push(line),
    });
  });

  afterAll(async () => {
    await engine.removeImage(TAG, { force: true });
    await rm(context, { recursive: true, force: true });
    expect(await containersOwnedBy(engine, process.pid)).toEqual([]);
  });

  it('reports what it is', async () => {
    const info = await engine.info();
    expect(info.kind).toBe('docker');
    expect(info.serverVersion).not.toBe('');
    expect(info.buildkit).toBe(true);
  });

  it('builds with BuildKit, streaming plain progress lines', async () => {
    expect(built.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(progress.some((line) => /^#\d+ /.test(line))).toBe(true);
    expect(progress.some((line) => line.includes('RUN rm /waste.bin'))).toBe(true);
  });

  it('inspects the image: four layers, the base plus the 5 MiB of waste', async () => {
    const [image, base] = await Promise.all([engine.imageInspect(TAG), engine.imageInspect(BASE_IMAGE)]);
    expect(image.Id).toBe(built.imageId);
    expect(image.RootFS.Layers).toHaveLength(base.RootFS.Layers!.length + 3);
    expect(image.RootFS.Layers!.slice(0, base.RootFS.Layers!.length)).toEqual(base.RootFS.Layers);
    // Docker's Size is the sum of regular file sizes in the layers: 5 MiB + "hello\n".
    expect(image.Size - base.Size).toBe(WASTE_BYTES + 6);
    expect(image.Config?.Cmd).toEqual(['cat', '/hello.txt']);
  });

  it('lists history newest first with byte sizes, the waste in the first RUN', async () => {
    const history = await engine.history(TAG);
    expect(history[0]!.createdBy).toContain('CMD ["cat" "/hello.txt"]');
    const write = history.find((entry) => entry.createdBy.includes('head -c'));
    const remove = history.find((entry) => entry.createdBy.includes('rm /waste.bin'));
    expect(write?.size).toBe(WASTE_BYTES);
    expect(remove?.size).toBe(0);
    const total = history.reduce((sum, entry) => sum + entry.size, 0);
    expect(total).toBe((await engine.imageInspect(TAG)).Size);
  });

  it('runs the image to completion and removes the container', async () => {
    const exit = await engine.run({ image: TAG });
    expect(exit).toMatchObject({ exitCode: 0, timedOut: false, stdout: 'hello\n', stderr: '' });
    expect(await containerExists(engine, exit.name)).toBe(false);
  });

  it('passes env, user, read-only root and keeps stdout and stderr apart', async () => {
    const exit = await engine.run({
      image: TAG,
      cmd: ['sh', '-c', 'echo "$GREETING"; id -u >&2; touch /x 2>/dev/null || echo read-only >&2; exit 7'],
      env: { GREETING: 'hi there' },
      user: '1234',
      readOnly: true,
    });
    expect(exit).toMatchObject({ exitCode: 7, stdout: 'hi there\n', stderr: '1234\nread-only\n' });
  });

  it('publishes a port on loopback that answers HTTP', async () => {
    const started = await engine.run({
      image: TAG,
      cmd: ['perl', '-e', HTTP_SERVER],
      ports: [{ container: 8080 }],
      detach: true,
    });
    try {
      const address = await engine.port(started.id, 8080);
      expect(address.host).toBe('127.0.0.1');
      let body = '';
      for (let attempt = 0; attempt < 50 && body === ''; attempt += 1) {
        body = await fetch(`http://${address.host}:${address.port}/`)
          .then((response) => response.text())
          .catch(async () => {
            await new Promise((resolve) => setTimeout(resolve, 100));
            return '';
          });
      }
      expect(body).toBe('hello from pare\n');
      const exec = await engine.exec(started.id, ['cat', '/hello.txt']);
      expect(exec).toEqual({ exitCode: 0, stdout: 'hello\n', stderr: '' });
    } finally {
      await engine.stop(started.id, { timeoutSeconds: 1 });
      await engine.remove(started.id);
    }
    expect(await containerExists(engine, started.name)).toBe(false);
  });

  it('kills a run that outlives its timeout', async () => {
    const exit = await engine.run({ image: TAG, cmd: ['sleep', '60'], timeoutMs: 1500 });
    expect(exit.timedOut).toBe(true);
    expect(exit.exitCode).toBeUndefined();
    expect(await containerExists(engine, exit.name)).toBe(false);
  });

  it('reports a container that cannot start and leaves nothing behind', async () => {
    const error = await engine
      .run({ image: TAG, cmd: ['/no/such/program'] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ContainerStartError);
    expect((error as Error).message).toMatch(/no such file or directory/);
    expect(await containersOwnedBy(engine, process.pid)).toEqual([]);
  });

  it('saves the image as a docker-archive with the same config and layers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pare-save-test-'));
    try {
      const path = join(dir, 'image.tar');
      await pipeline(engine.save(TAG), createWriteStream(path));
      const image = await openDockerArchive(path);
      try {
        expect(await image.configDigest()).toBe(built.imageId);
        expect((await image.config()).rootfs.diff_ids).toEqual(
          (await engine.imageInspect(TAG)).RootFS.Layers,
        );
      } finally {
        await image.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('errors the save stream for a missing image', async () => {
    const drain = async () => {
      for await (const _ of engine.save(`pare-test/absent:${suffix}`)) {
        // nothing arrives
      }
    };
    await expect(drain()).rejects.toBeInstanceOf(NoSuchImageError);
  });

  it("reports a failing Dockerfile as the user's build error, with the step's output", async () => {
    const broken = await mkdtemp(join(tmpdir(), 'pare-broken-'));
    try {
      await writeFile(
        join(broken, 'Dockerfile'),
        `FROM ${BASE_IMAGE}\nRUN echo "compiling main.c" && echo "main.c:3: error: expected ';'" >&2 && exit 3\n`,
      );
      const error = await engine.build({ context: broken }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(BuildFailedError);
      const failure = error as BuildFailedError;
      expect(failure.line).toMatch(
        new RegExp(
          `^${join(broken, 'Dockerfile')}: the Dockerfile failed to build \\(an error in the build, not in pare\\): .*exit code: 3$`,
        ),
      );
      expect(failure.output.some((line) => line.includes("main.c:3: error: expected ';'"))).toBe(true);
    } finally {
      await rm(broken, { recursive: true, force: true });
    }
  });

  it('removes temporary images and running containers when the cleanup runs', async () => {
    const cleanup = new CleanupRegistry();
    const own = await findEngine({ cleanup });
    const temporary = await own.build({ context, temporary: true, labels: { 'org.pare.test': suffix } });
    const started = await own.run({ image: TAG, cmd: ['sleep', '600'], detach: true });
    expect(cleanup.size).toBe(2);
    await cleanup.runAll();
    expect(await containerExists(engine, started.name)).toBe(false);
    expect(await engine.imageExists(temporary.imageId)).toBe(false);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('removes its containers when pare gets %s', async (signal) => {
    const { name, exit } = await startChild(TAG);
    expect(await containerExists(engine, name)).toBe(true);
    process.kill(exit.pid, signal);
    const ended = await exit.done;
    expect(ended.signal).toBe(signal);
    expect(await containerExists(engine, name)).toBe(false);
  });

  it('removes its containers when pare calls process.exit', async () => {
    const { name, exit } = await startChild(TAG, 'exit');
    const ended = await exit.done;
    expect(ended.code).toBe(0);
    expect(await containerExists(engine, name)).toBe(false);
  });
});

const CHILD = fileURLToPath(new URL('./signal-child.ts', import.meta.url));

/** Runs signal-child.ts and resolves once its container is running. */
async function startChild(
  image: string,
  mode = 'wait',
): Promise<{
  name: string;
  exit: { pid: number; done: Promise<{ code: number | null; signal: string | null }> };
}> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, image, mode], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const done = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const name = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => {
      output += text;
      const match = /started (\S+)\n/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.on('exit', (code) =>
      reject(new Error(`child exited (${code}) before starting a container: ${output}`)),
    );
  });
  return { name, exit: { pid: child.pid!, done } };
}
