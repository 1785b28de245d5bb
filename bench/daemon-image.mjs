// A realistic image in the local engine for the docker-daemon: row of the
// inspect benchmark: a pare-base image (a Debian base with a C toolchain)
// plus generated files in three more layers, built with BuildKit under a
// name of its own and removed afterwards.
//
// The layers, ~0.75 GB in all:
//   the base (pare-base/gcc:bookworm, ~385 MB)
//   app/     ~25 k small text files (node_modules-like), ~120 MB
//   data/    four large files, ~240 MB
//   a RUN that deletes the base's documentation (whiteouts)

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { makePool, rng, slice, smallSize } from './synthetic-image.mjs';

export const DAEMON_BASE = 'pare-base/gcc:bookworm';
const TAG = `pare-bench-daemon:${process.pid}`;
/**
 * The docker CLI: BENCH_DOCKER, else the distribution's /usr/bin/docker (whose BuildKit needs no
 * buildx plugin, which a newer `docker` earlier on PATH may lack), else `docker` on PATH.
 */
export const DOCKER =
  process.env.BENCH_DOCKER ?? (existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker');

function docker(args, options = {}) {
  const result = spawnSync(DOCKER, args, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, DOCKER_BUILDKIT: '1' },
    ...options,
  });
  return result;
}

/** Why the engine cannot hold the benchmark image, or undefined when it can. */
export function daemonUnavailable() {
  const version = docker(['version', '--format', '{{.Server.Version}}']);
  if (version.error || version.status !== 0) return 'no Docker engine reachable';
  const base = docker(['image', 'inspect', '--format', '{{.Id}}', DAEMON_BASE]);
  if (base.status !== 0) return `${DAEMON_BASE} is not in the engine`;
  return undefined;
}

function writeContext(dir) {
  const random = rng(11);
  const pool = makePool(random);
  const write = (path, data) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), data);
  };
  for (let i = 0; i < 25_000; i++) {
    const kind = i % 10;
    const base = `app/node_modules/p${i % 1500}`;
    const path =
      kind === 0 ? `${base}/test/t${i}.js` : kind === 1 ? `${base}/README${i}.md` : `${base}/lib/f${i}.js`;
    write(path, slice(pool, random, smallSize(random)));
  }
  for (let i = 0; i < 4; i++) write(`data/blob${i}.bin`, slice(pool, random, 60_000_000));
  writeFileSync(
    join(dir, 'Dockerfile'),
    [
      `FROM ${DAEMON_BASE}`,
      'COPY app/ /app/',
      'COPY data/ /opt/data/',
      'RUN rm -rf /usr/share/doc/* /usr/share/man/*',
      'CMD ["/bin/sh"]',
      '',
    ].join('\n'),
  );
}

/**
 * Builds the image and returns its name and its layers' total size; `remove()`
 * deletes it (and its build cache is left to the engine's own pruning).
 */
export function buildDaemonImage() {
  const context = mkdtempSync(join(tmpdir(), 'pare-bench-daemon-'));
  try {
    writeContext(context);
    const build = docker(['build', '--quiet', '--tag', TAG, context]);
    if (build.status !== 0) throw new Error(`docker build failed:\n${build.stderr}`);
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
  const size = Number(docker(['image', 'inspect', '--format', '{{.Size}}', TAG]).stdout.trim());
  const layers = Number(
    docker(['image', 'inspect', '--format', '{{len .RootFS.Layers}}', TAG]).stdout.trim(),
  );
  return {
    name: TAG,
    bytes: size,
    layers,
    remove: () => docker(['image', 'rm', '--force', TAG]),
  };
}
