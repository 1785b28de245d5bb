import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CleanupRegistry } from '../../src/engine/cleanup.js';
import { DockerCliEngine, isStaleOwner } from '../../src/engine/docker-cli.js';
import {
  BuildFailedError,
  ContainerStartError,
  EngineUnavailableError,
  NoSuchImageError,
} from '../../src/engine/errors.js';
import { PodmanCliEngine } from '../../src/engine/podman.js';
import { PareError } from '../../src/util/errors.js';
import { fakeCli } from './fake-cli.js';

const IID_FROM_ARGS = 'while [ $# -gt 0 ]; do [ "$1" = --iidfile ] && iid=$2; shift; done';

let context: string;
beforeAll(async () => {
  context = await mkdtemp(join(tmpdir(), 'pare-ctx-'));
  await writeFile(join(context, 'Dockerfile'), 'FROM scratch\n');
});
afterAll(() => rm(context, { recursive: true, force: true }));

function engineWith(binary: string, cleanup = new CleanupRegistry()) {
  return new DockerCliEngine({ binary, buildkit: true, env: { PATH: process.env.PATH }, cleanup });
}

describe('DockerCliEngine.build', () => {
  it('streams every output line, runs BuildKit with plain progress, returns the image ID', async () => {
    const cli = await fakeCli(
      'docker',
      `
  build) [ "$DOCKER_BUILDKIT" = 1 ] || { echo "no buildkit" >&2; exit 1; }
    ${IID_FROM_ARGS}
    echo "#1 [internal] load build definition" >&2; echo "#2 DONE 0.1s" >&2
    printf 'sha256:%064d' 7 > "$iid" ;;`,
    );
    const lines: string[] = [];
    const result = await engineWith(cli.path).build({
      context,
      tag: 'app:1',
      onProgress: (line) => lines.push(line),
    });
    expect(result.imageId).toBe(`sha256:${'7'.padStart(64, '0')}`);
    expect(result.tag).toBe('app:1');
    expect(lines).toEqual(['#1 [internal] load build definition', '#2 DONE 0.1s']);
    const [args] = await cli.calls();
    expect(args!.slice(0, 3)).toEqual(['build', '--progress=plain', '--file']);
    expect(args!.at(-1)).toBe(context);
  });

  it("turns a failing build into the user's build error with the output tail", async () => {
    const cli = await fakeCli(
      'docker',
      `
  build) echo "#5 0.4 make: *** [all] Error 2" >&2
    echo "#5 ERROR: executor failed running [/bin/sh -c make]: exit code: 2" >&2
    echo "executor failed running [/bin/sh -c make]: exit code: 2" >&2; exit 1 ;;`,
    );
    const error = await engineWith(cli.path)
      .build({ context })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BuildFailedError);
    const failure = error as BuildFailedError;
    expect(failure.line).toBe(
      `${join(context, 'Dockerfile')}: the Dockerfile failed to build (an error in the build, not in pare): executor failed running [/bin/sh -c make]: exit code: 2`,
    );
    expect(failure.output).toContain('#5 0.4 make: *** [all] Error 2');
  });

  it('blames the engine, not the Dockerfile, when the daemon goes away mid-build', async () => {
    const cli = await fakeCli(
      'docker',
      `
  build) echo "#3 [1/2] FROM pare-base/debian" >&2
    echo 'error during connect: Post "http://%2Fvar%2Frun%2Fdocker.sock/v1.41/build": EOF' >&2; exit 1 ;;`,
    );
    const error = await engineWith(cli.path)
      .build({ context })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EngineUnavailableError);
    expect((error as Error).message).toMatch(/stopped responding during the build/);
  });

  it('asks the engine before blaming the Dockerfile when the build output does not say (daemon killed)', async () => {
    const cli = await fakeCli(
      'docker',
      `
  build) echo "#5 [2/2] RUN sleep 30" >&2
    echo "cannot write /tmp/pare-build-x/image-id because server did not provide an image ID" >&2; exit 1 ;;
  version) echo "Cannot connect to the Docker daemon at unix:///tmp/d.sock. Is the docker daemon running?" >&2; exit 1 ;;`,
    );
    const error = await engineWith(cli.path)
      .build({ context })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EngineUnavailableError);
    expect((error as EngineUnavailableError).line).toBe(
      // No Dockerfile named: it may be pare's own candidate, and the engine is at fault, not the file.
      `the container engine at unix:///var/run/docker.sock stopped responding during the build: Cannot connect to the Docker daemon at unix:///tmp/d.sock. Is the docker daemon running?`,
    );
    expect((await cli.calls()).map((args) => args[0])).toEqual(['build', 'version']);
  });

  it('labels temporary builds with the owner, so a later run can remove what this one could not', async () => {
    const cli = await fakeCli(
      'docker',
      `
  build) ${IID_FROM_ARGS}
    printf 'sha256:%064d' 7 > "$iid" ;;
  image) ;;`,
    );
    const cleanup = new CleanupRegistry();
    await engineWith(cli.path, cleanup).build({
      context,
      temporary: true,
      labels: { 'org.pare.optimize': 'x' },
    });
    await cleanup.runAll();
    const [args] = await cli.calls();
    const labels = args!.flatMap((arg, index) => (args![index - 1] === '--label' ? [arg] : []));
    expect(labels).toEqual([
      'org.pare.optimize=x',
      'org.pare.managed=true',
      `org.pare.owner=${process.pid}`,
      `org.pare.host=${hostname()}`,
    ]);
  });

  it('checks the context and Dockerfile before calling the engine', async () => {
    const cli = await fakeCli('docker', '');
    const engine = engineWith(cli.path);
    const lineOf = (promise: Promise<unknown>) => promise.catch((error: { line: string }) => error.line);
    expect(await lineOf(engine.build({ context: join(context, 'missing') }))).toBe(
      `${join(context, 'missing')}: build context not found: no such file or directory`,
    );
    expect(await lineOf(engine.build({ context, dockerfile: join(context, 'Nope') }))).toBe(
      `${join(context, 'Nope')}: Dockerfile not found: no such file or directory`,
    );
    expect(await cli.calls()).toEqual([]);
  });
});

describe('DockerCliEngine.run', () => {
  it('runs detached, waits, collects stdout and stderr apart, and removes the container', async () => {
    const cli = await fakeCli(
      'docker',
      `
  run) echo c0ffee ;;
  wait) echo 3 ;;
  logs) echo out; echo err >&2 ;;
  rm) echo "$4" ;;`,
    );
    const cleanup = new CleanupRegistry();
    const exit = await engineWith(cli.path, cleanup).run({ image: 'app:1', cmd: ['serve'] });
    expect(exit).toMatchObject({
      id: 'c0ffee',
      exitCode: 3,
      timedOut: false,
      stdout: 'out\n',
      stderr: 'err\n',
    });
    expect(exit.name).toMatch(/^pare-[0-9a-f]{12}$/);
    const commands = (await cli.calls()).map((args) => args[0]);
    expect(commands).toEqual(['run', 'wait', 'logs', 'rm']);
    expect(cleanup.size).toBe(0);
  });

  it('keeps a detached container registered for cleanup until it is removed', async () => {
    const cli = await fakeCli(
      'docker',
      `
  run) echo c0ffee ;;
  rm) ;;`,
    );
    const cleanup = new CleanupRegistry();
    const engine = engineWith(cli.path, cleanup);
    const started = await engine.run({ image: 'app:1', detach: true, name: 'pare-probe' });
    expect(cleanup.descriptions()).toEqual(['container pare-probe']);
    await engine.remove(started.id);
    expect(cleanup.size).toBe(0);
  });

  it('reports a container that cannot start, and removes what was created', async () => {
    const cli = await fakeCli(
      'docker',
      `
  run) echo 'docker: Error response from daemon: failed to create shim: OCI runtime create failed: exec: "srv": executable file not found in $PATH: unknown.' >&2; exit 127 ;;
  rm) ;;`,
    );
    const cleanup = new CleanupRegistry();
    const error = await engineWith(cli.path, cleanup)
      .run({ image: 'app:1', name: 'pare-x' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ContainerStartError);
    expect((error as ContainerStartError).engineExitCode).toBe(127);
    expect((error as Error).message).toMatch(/^the container failed to start: failed to create shim/);
    expect((await cli.calls()).map((args) => args.slice(0, 2))).toEqual([
      ['run', '--detach'],
      ['rm', '--force'],
    ]);
    expect(cleanup.size).toBe(0);
  });

  it('kills a run that outlives its timeout and says so', async () => {
    const cli = await fakeCli(
      'docker',
      `
  run) echo c0ffee ;;
  wait) sleep 5 ;;
  kill) ;;
  logs) echo partial ;;
  rm) ;;`,
    );
    const exit = await engineWith(cli.path).run({ image: 'app:1', timeoutMs: 200 });
    expect(exit).toMatchObject({ exitCode: undefined, timedOut: true, stdout: 'partial\n' });
  });
});

describe('DockerCliEngine images', () => {
  it('maps "No such image" to NoSuchImageError and treats removing a missing image as done', async () => {
    const cli = await fakeCli(
      'docker',
      `
  image) echo "Error: No such image: ghost:1" >&2; exit 1 ;;
  history) echo "Error response from daemon: No such image: ghost:1" >&2; exit 1 ;;`,
    );
    const engine = engineWith(cli.path);
    await expect(engine.imageInspect('ghost:1')).rejects.toBeInstanceOf(NoSuchImageError);
    expect(await engine.imageInspect('ghost:1').catch((error: NoSuchImageError) => error.line)).toBe(
      'ghost:1: no such image in the container engine at unix:///var/run/docker.sock',
    );
    await expect(engine.history('ghost:1')).rejects.toBeInstanceOf(NoSuchImageError);
    expect(await engine.imageExists('ghost:1')).toBe(false);
    await expect(engine.removeImage('ghost:1')).resolves.toBeUndefined();
  });

  it('errors the save stream when the engine cannot export', async () => {
    const cli = await fakeCli(
      'docker',
      `
  save) printf "partial"; echo "Error response from daemon: write /dev/stdout: broken pipe" >&2; exit 1 ;;`,
    );
    const stream = engineWith(cli.path).save('ghost:1');
    const chunks: Buffer[] = [];
    const error = await (async () => {
      for await (const chunk of stream) chunks.push(chunk as Buffer);
    })().catch((caught: unknown) => caught);
    expect((error as Error).message).toContain(
      'save ghost:1` failed: Error response from daemon: write /dev/stdout: broken pipe',
    );
  });

  it('errors the save stream with NoSuchImageError for a missing image', async () => {
    const cli = await fakeCli(
      'docker',
      `\n  save) echo "Error response from daemon: reference does not exist" >&2; exit 1 ;;`,
    );
    const drain = async () => {
      for await (const _ of engineWith(cli.path).save('ghost:1')) {
        // nothing arrives
      }
    };
    await expect(drain()).rejects.toBeInstanceOf(NoSuchImageError);
  });

  it('streams a successful save to the end', async () => {
    const cli = await fakeCli('docker', `\n  save) head -c 3000000 /dev/zero ;;`);
    let length = 0;
    for await (const chunk of engineWith(cli.path).save(['a:1', 'b:1'])) length += (chunk as Buffer).length;
    expect(length).toBe(3_000_000);
    expect(await cli.calls()).toEqual([['save', 'a:1', 'b:1']]);
  });
});

describe('DockerCliEngine cleanup when the engine is gone', () => {
  it('warns that a temporary image could not be removed, and that the next run removes it', async () => {
    const cli = await fakeCli(
      'docker',
      `
  build) ${IID_FROM_ARGS}
    printf 'sha256:%064d' 7 > "$iid" ;;
  image) echo "Cannot connect to the Docker daemon at unix:///tmp/d.sock. Is the docker daemon running?" >&2; exit 1 ;;`,
    );
    const warnings: string[] = [];
    const cleanup = new CleanupRegistry({
      onError: (action, error) => warnings.push(`${action.description}: ${(error as Error).message}`),
    });
    await engineWith(cli.path, cleanup).build({
      context,
      tag: 'pare-optimize/app:original',
      temporary: true,
    });
    await cleanup.runAll();
    expect(warnings).toEqual([
      'image pare-optimize/app:original: the container engine at unix:///var/run/docker.sock is unreachable (Cannot connect to the Docker daemon at unix:///tmp/d.sock. Is the docker daemon running?); the next `pare optimize` with this engine removes it',
    ]);
    // The synchronous path (process exit) says the same.
    await engineWith(cli.path, cleanup).build({ context, tag: 'pare-optimize/app:safe', temporary: true });
    cleanup.runAllSync();
    expect(warnings[1]).toMatch(/^image pare-optimize\/app:safe: the container engine at .* is unreachable/);
  });

  it('removes only the leftovers of dead pare processes of this host', async () => {
    const dead = 2 ** 22 + 17; // above Linux's pid_max default range
    const host = hostname();
    const cli = await fakeCli(
      'docker',
      `
  ps) printf 'c1\nc2\nc3\n' ;;
  images) printf 'i1\ni1\n' ;;
  container) printf 'c1 ${dead} ${host}\nc2 ${process.pid} ${host}\nc3 ${dead} other-host\n' ;;
  image) if [ "$2" = inspect ]; then printf 'sha256:i1 ${dead} ${host}\n'; fi ;;
  rm) ;;`,
    );
    const removed = await engineWith(cli.path).removeStale();
    expect(removed).toEqual(['container c1', 'image i1']);
    const calls = await cli.calls();
    expect(calls.filter((args) => args[0] === 'rm' || args[1] === 'rm')).toEqual([
      ['rm', '--force', '--volumes', 'c1'],
      ['image', 'rm', '--force', 'sha256:i1'],
    ]);
  });

  it('tells a stale owner from a live or foreign one', () => {
    expect(isStaleOwner(String(2 ** 22 + 17), hostname())).toBe(true);
    expect(isStaleOwner(String(process.pid), hostname())).toBe(false);
    expect(isStaleOwner(String(process.ppid), hostname())).toBe(false);
    expect(isStaleOwner(String(2 ** 22 + 17), `${hostname()}-elsewhere`)).toBe(false);
    expect(isStaleOwner(undefined, hostname())).toBe(false);
    expect(isStaleOwner('abc', hostname())).toBe(false);
  });
});

describe('a missing CLI', () => {
  it('is an engine problem, named', async () => {
    await expect(engineWith('/nonexistent/docker').imageExists('x')).rejects.toThrow(
      'cannot run /nonexistent/docker: no such file or directory',
    );
  });
});

describe('Engine.load', () => {
  // The fake keeps what it was given: the file named by -i, or its stdin.
  const LOAD_BODY = (dir: string) => `
  load) shift; [ "$1" = -q ] || exit 98; shift
    if [ "$1" = -i ]; then cp "$2" '${dir}/loaded'; else cat > '${dir}/loaded'; fi
    echo "Loaded image: app:1" ;;`;
  const engines = [
    ['docker', (binary: string) => engineWith(binary)],
    ['podman', (binary: string) => new PodmanCliEngine({ binary, env: { PATH: process.env.PATH } })],
  ] as const;

  for (const [name, make] of engines) {
    it(`${name}: loads an archive file with load -q -i FILE`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'pare-load-'));
      try {
        const archive = join(dir, 'image.tar');
        await writeFile(archive, 'archive bytes');
        const cli = await fakeCli(name, LOAD_BODY(dir));
        await make(cli.path).load(archive);
        expect(await cli.calls()).toEqual([['load', '-q', '-i', archive]]);
        expect(await readFile(join(dir, 'loaded'), 'utf8')).toBe('archive bytes');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it(`${name}: streams an archive into load -q on stdin`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'pare-load-'));
      try {
        const cli = await fakeCli(name, LOAD_BODY(dir));
        const bytes = Buffer.alloc(3_000_000, 7);
        await make(cli.path).load(Readable.from([bytes.subarray(0, 1_000_000), bytes.subarray(1_000_000)]));
        expect(await cli.calls()).toEqual([['load', '-q']]);
        expect((await readFile(join(dir, 'loaded'))).equals(bytes)).toBe(true);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }

  it("fails with the engine's last line, naming the archive", async () => {
    const cli = await fakeCli(
      'docker',
      `\n  load) echo "open /x: no such file" >&2; echo "unexpected EOF" >&2; exit 1 ;;`,
    );
    const error = await engineWith(cli.path)
      .load('/tmp/broken.tar')
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PareError);
    expect((error as PareError).message).toContain('load failed: unexpected EOF');
    expect((error as PareError).subject).toBe('/tmp/broken.tar');
  });

  it('says the engine is gone when it cannot be reached', async () => {
    const cli = await fakeCli(
      'docker',
      `\n  load) echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2; exit 1 ;;`,
    );
    await expect(engineWith(cli.path).load('/tmp/a.tar')).rejects.toBeInstanceOf(EngineUnavailableError);
  });

  it('fails when the archive stream fails', async () => {
    const cli = await fakeCli('docker', `\n  load) cat > /dev/null ;;`);
    const broken = new Readable({
      read() {
        this.destroy(new Error('disk gone'));
      },
    });
    await expect(engineWith(cli.path).load(broken)).rejects.toThrow('disk gone');
  });
});
