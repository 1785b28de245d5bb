/**
 * What pare does differently for podman, without podman: the output shapes of
 * podman 4.3 (recorded from Debian 12's podman), the command lines, the
 * cleanup of buildah's untagged stages, and the docker-daemon: source reading
 * podman's storage through `podman save`. test/engine/podman.test.ts runs the
 * same against a real podman.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CleanupRegistry } from '../../src/engine/cleanup.js';
import { NoSuchImageError } from '../../src/engine/errors.js';
import {
  PodmanCliEngine,
  parsePodmanHistory,
  parsePodmanInspect,
  pruneStagesArgs,
} from '../../src/engine/podman.js';
import { daemonSource, openDaemonImage } from '../../src/image/local/docker-daemon.js';
import { parseImageReference } from '../../src/image/reference.js';
import { buildImage, dockerArchiveBytes, file } from '../helpers/image-writer.js';
import { fakeCli } from './fake-cli.js';

const ID = 'ae94961063bdf98dc6786697f948f084f7cf432b4218e6e12fbfd0b1d61f8085';

// `podman image inspect IMAGE` (abridged): an array, Id without sha256:.
const INSPECT = JSON.stringify([
  {
    Id: ID,
    Digest: 'sha256:cf0344cebe7a6ef9d3c92684dba6e62f191128bde65bb5c7100436524df9c088',
    RepoTags: ['localhost/pare-base/debian:bookworm'],
    RepoDigests: [],
    Created: '2026-11-22T16:28:01.760278075Z',
    Config: { Cmd: ['bash'], Labels: { 'io.buildah.version': '1.28.2' } },
    Architecture: 'amd64',
    Os: 'linux',
    Size: 121493504,
    RootFS: { Type: 'layers', Layers: [`sha256:${'a'.repeat(64)}`] },
  },
]);

// `podman history --no-trunc --format json IMAGE` (abridged).
const HISTORY = JSON.stringify([
  {
    id: 'c54e6fbe0418697fd3dc357295827d29685c5badd21ab41e761e3451ed0c661b',
    created: '2026-11-22T18:34:16.056196673Z',
    CreatedBy: '/bin/sh -c #(nop) CMD ["cat", "/hello.txt"]',
    size: 0,
    comment: 'FROM c54e6fbe0418',
  },
  {
    id: '<missing>',
    created: '2026-11-22T18:34:15.908492697Z',
    CreatedBy: '/bin/sh -c echo hello > /hello.txt',
    size: 2560,
    comment: '',
  },
]);

describe('podman output parsing', () => {
  it('takes the one image of `podman image inspect`, with a sha256: ID as docker gives it', () => {
    const inspect = parsePodmanInspect(INSPECT, 'pare-base/debian:bookworm');
    expect(inspect.Id).toBe(`sha256:${ID}`);
    expect(inspect.RepoTags).toEqual(['localhost/pare-base/debian:bookworm']);
    expect(inspect.Size).toBe(121493504);
    expect(inspect.Config?.Cmd).toEqual(['bash']);
    expect(inspect.RootFS.Layers).toHaveLength(1);
    expect(() => parsePodmanInspect('[]', 'x')).toThrow(/no image ID/);
  });

  it('reads podman history rows, newest first, with byte sizes and <missing> IDs', () => {
    expect(parsePodmanHistory(HISTORY)).toEqual([
      {
        id: 'sha256:c54e6fbe0418697fd3dc357295827d29685c5badd21ab41e761e3451ed0c661b',
        createdAt: '2026-11-22T18:34:16.056196673Z',
        createdBy: '/bin/sh -c #(nop) CMD ["cat", "/hello.txt"]',
        size: 0,
        comment: 'FROM c54e6fbe0418',
      },
      {
        id: undefined,
        createdAt: '2026-11-22T18:34:15.908492697Z',
        createdBy: '/bin/sh -c echo hello > /hello.txt',
        size: 2560,
        comment: '',
      },
    ]);
    expect(parsePodmanHistory('')).toEqual([]);
    expect(() => parsePodmanHistory('[{"id":"x","size":"2.5kB"}]')).toThrow(/unexpected size "2.5kB"/);
  });

  it('prunes only the untagged images of one pare process', () => {
    expect(pruneStagesArgs(4242)).toEqual([
      'image',
      'prune',
      '--force',
      '--filter',
      'label=org.pare.owner=4242',
    ]);
  });
});

describe('PodmanCliEngine', () => {
  let context: string;
  beforeAll(async () => {
    context = await mkdtemp(join(tmpdir(), 'pare-podman-ctx-'));
    await writeFile(join(context, 'Dockerfile'), 'FROM scratch\n');
  });
  afterAll(() => rm(context, { recursive: true, force: true }));

  it('builds without BuildKit flags and prunes its untagged stages after removing its images', async () => {
    const cli = await fakeCli(
      'podman',
      `
  build) while [ $# -gt 0 ]; do [ "$1" = --iidfile ] && iid=$2; shift; done
    echo "STEP 1/2: FROM scratch"; printf 'sha256:%064d' 7 > "$iid" ;;
  image) exit 0 ;;`,
    );
    const cleanup = new CleanupRegistry();
    const engine = new PodmanCliEngine({ binary: cli.path, env: { PATH: process.env.PATH }, cleanup });
    const built = await engine.build({ context, tag: 'pare-test/x:1', temporary: true });
    expect(built.imageId).toBe(`sha256:${'0'.repeat(63)}7`);
    const [build] = await cli.calls();
    expect(build).toContain('--force-rm');
    expect(build!.some((arg) => arg.startsWith('--progress'))).toBe(false);
    expect(cleanup.descriptions()).toEqual(['untagged build stages', 'image pare-test/x:1']);
    await cleanup.runAll();
    expect((await cli.calls()).slice(1)).toEqual([
      ['image', 'rm', '--force', 'pare-test/x:1'],
      pruneStagesArgs(process.pid),
    ]);
  });

  it('inspects, lists history and saves with podman command lines', async () => {
    const cli = await fakeCli(
      'podman',
      `
  image) [ "$3" = ghost ] && { echo 'Error: ghost: image not known' >&2; exit 125; }; echo '${INSPECT}' ;;
  history) echo '${HISTORY}' ;;
  save) echo "tar of $*" ;;
  rm) exit 0 ;;`,
    );
    const engine = new PodmanCliEngine({ binary: cli.path, env: { PATH: process.env.PATH } });
    expect((await engine.imageInspect('pare-base/debian:bookworm')).Id).toBe(`sha256:${ID}`);
    await expect(engine.imageInspect('ghost')).rejects.toBeInstanceOf(NoSuchImageError);
    expect(await engine.history('app')).toHaveLength(2);
    let saved = '';
    for await (const chunk of engine.save(['a', 'b'])) saved += chunk;
    expect(saved).toBe('tar of save --format docker-archive --multi-image-archive a b\n');
    await engine.remove('pare-x');
    expect(await cli.calls()).toEqual([
      ['image', 'inspect', 'pare-base/debian:bookworm'],
      ['image', 'inspect', 'ghost'],
      ['history', '--no-trunc', '--format', 'json', 'app'],
      ['save', '--format', 'docker-archive', '--multi-image-archive', 'a', 'b'],
      ['rm', '--force', '--time', '0', '--volumes', 'pare-x'],
    ]);
  });
});

describe('docker-daemon: with podman', () => {
  const image = buildImage({ layers: [{ entries: [file('etc/hello', 'hi')] }], tags: ['app:1'] });
  let dir: string;
  let archivePath: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pare-podman-daemon-'));
    archivePath = join(dir, 'archive.tar');
    await writeFile(archivePath, dockerArchiveBytes([image]));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const podmanBody = (id: string) => `
  image) [ "$4" = '{{.Id}}' ] || exit 98
    [ "$5" = app:1 ] || { echo "Error: $5: image not known" >&2; exit 125; }
    echo '${id}' ;;
  save) while [ $# -gt 0 ]; do [ "$1" = --output ] && out=$2; shift; done; cp "$ARCHIVE" "$out" ;;`;

  it('is chosen by PARE_ENGINE=podman, or when podman is all there is', async () => {
    const cli = await fakeCli('podman', podmanBody(''));
    const path = join(cli.path, '..');
    expect(daemonSource({ PATH: path, PARE_ENGINE: 'podman' })).toEqual({ kind: 'podman', binary: cli.path });
    expect(daemonSource({ PATH: path, PARE_ENGINE: 'podman', CONTAINER_HOST: 'unix:///run/p.sock' })).toEqual(
      {
        kind: 'api',
        endpoint: { url: 'unix:///run/p.sock', socketPath: '/run/p.sock' },
      },
    );
    expect(daemonSource({ PATH: path, DOCKER_HOST: 'unix:///run/d.sock' })).toMatchObject({ kind: 'api' });
    expect(daemonSource({ PATH: path, PARE_ENGINE: 'docker' })).toMatchObject({ kind: 'api' });
    expect(() => daemonSource({ PATH: '/nonexistent', PARE_ENGINE: 'podman' })).toThrow(
      'PARE_ENGINE=podman but podman is not on PATH',
    );
    if (!existsSync('/var/run/docker.sock') && !existsSync('/run/podman/podman.sock')) {
      expect(daemonSource({ PATH: path })).toEqual({ kind: 'podman', binary: cli.path });
    }
  });

  it('exports with podman save and checks the export is the image inspected', async () => {
    const cli = await fakeCli('podman', podmanBody(image.configDigest.slice('sha256:'.length)));
    const env = { PATH: process.env.PATH, ARCHIVE: archivePath };
    const reference = parseImageReference('docker-daemon:app:1');
    if (reference.transport !== 'docker-daemon') throw new Error('not a daemon reference');
    const opened = await openDaemonImage(reference, { podman: cli.path, env });
    try {
      expect(await opened.configDigest()).toBe(image.configDigest);
      expect((await opened.layers()).length).toBe(1);
    } finally {
      await opened.close();
    }
    const calls = await cli.calls();
    expect(calls[0]).toEqual(['image', 'inspect', '--format', '{{.Id}}', 'app:1']);
    expect(calls[1]!.slice(0, 5)).toEqual(['save', '--quiet', '--format', 'docker-archive', '--output']);
    expect(existsSync(calls[1]![5]!)).toBe(false);

    const ghost = parseImageReference('docker-daemon:ghost:2');
    if (ghost.transport !== 'docker-daemon') throw new Error('not a daemon reference');
    const error = await openDaemonImage(ghost, { podman: cli.path, env }).catch(
      (caught: { line: string }) => caught,
    );
    expect((error as { line: string }).line).toBe(
      `docker-daemon:ghost:2: no such image in podman (${cli.path})`,
    );
  });

  it('refuses an export that is not the image inspected, leaving no temp files', async () => {
    const cli = await fakeCli('podman', podmanBody('0'.repeat(64)));
    const tmp = await mkdtemp(join(tmpdir(), 'pare-tmp-'));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      const reference = parseImageReference('docker-daemon:app:1');
      if (reference.transport !== 'docker-daemon') throw new Error('not a daemon reference');
      await expect(
        openDaemonImage(reference, {
          podman: cli.path,
          env: { PATH: process.env.PATH, ARCHIVE: archivePath },
        }),
      ).rejects.toThrow(/the image changed while it was being exported/);
      expect(await readdir(tmp)).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
