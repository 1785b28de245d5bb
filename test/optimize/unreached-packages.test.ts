import { describe, expect, it } from 'vitest';
import { parseDockerfile } from '../../src/dockerfile/parse.js';
import {
  installedPackages,
  unreachedPackages,
  withoutPackages,
} from '../../src/optimize/unreached-packages.js';
import { KeepSet } from '../../src/reach/keep-set.js';
import { dir, file, symlink, treeOf } from '../analyze/entries.js';

const DOCKERFILE = `FROM python:3.11-slim
RUN apt-get update \\
 && apt-get install -y --no-install-recommends \\
      curl \\
      vim=2:9.0.1378-2 \\
      build-essential \\
 && rm -rf /var/lib/apt/lists/*
RUN apt-get update && apt-get install -y sqlite3 && apt-get purge -y vim && rm -rf /var/lib/apt/lists/*
COPY . /app
CMD ["python3", "/app/main.py"]
`;

describe('installedPackages', () => {
  it('lists what the shipped stage installs and does not purge again', async () => {
    const model = await parseDockerfile(DOCKERFILE, 'Dockerfile');
    expect(installedPackages(model).map((p) => `${p.manager}:${p.name}`)).toEqual([
      'apt:curl',
      'apt:build-essential',
      'apt:sqlite3',
    ]);
  });

  it('follows the stage chain and ignores stages the image is not built from', async () => {
    const model = await parseDockerfile(
      `FROM debian AS build
RUN apt-get install -y gcc
FROM debian AS base
RUN apt-get install -y ca-certificates tzdata
FROM base
RUN apt-get install -y curl
`,
      'Dockerfile',
    );
    expect(installedPackages(model).map((p) => p.name)).toEqual(['ca-certificates', 'tzdata', 'curl']);
  });
});

describe('unreachedPackages', () => {
  it('is a package none of whose files the closure kept (paths through merged-/usr links count)', async () => {
    const model = await parseDockerfile(DOCKERFILE, 'Dockerfile');
    const tree = treeOf([
      [
        symlink('bin', 'usr/bin'),
        dir('usr'),
        dir('usr/bin'),
        file('usr/bin/curl', 10, 0o755),
        file('usr/bin/sqlite3', 10, 0o755),
        dir('usr/share'),
        dir('usr/share/doc'),
        dir('usr/share/doc/build-essential'),
        file('usr/share/doc/build-essential/copyright', 10),
      ],
    ]);
    const keep = new KeepSet(tree);
    keep.keepPath('/usr/bin/curl', 'entrypoint', 'HEALTHCHECK');
    const files = new Map([
      ['curl', ['/.', '/bin', '/bin/curl']],
      ['build-essential', ['/usr/share/doc/build-essential', '/usr/share/doc/build-essential/copyright']],
      ['sqlite3', ['/usr/bin/sqlite3']],
    ]);
    expect(unreachedPackages(keep, installedPackages(model), files).map((p) => p.name)).toEqual([
      'build-essential',
      'sqlite3',
    ]);
  });
});

describe('withoutPackages', () => {
  it('takes names (and pinned names) out of their commands, keeping the continuations', async () => {
    const model = await parseDockerfile(DOCKERFILE, 'Dockerfile');
    const packages = installedPackages(model);
    const text = withoutPackages(
      model,
      packages.filter((p) => p.name === 'build-essential'),
    );
    expect(text).toContain(
      ' && apt-get install -y --no-install-recommends \\\n      curl \\\n      vim=2:9.0.1378-2 \\\n \\\n && rm',
    );
    const reparsed = await parseDockerfile(text!, 'Dockerfile');
    expect(installedPackages(reparsed).map((p) => p.name)).toEqual(['curl', 'sqlite3']);
  });

  it('replaces a command left with no package by true, so the rest of its RUN still runs', async () => {
    const model = await parseDockerfile(DOCKERFILE, 'Dockerfile');
    const text = withoutPackages(
      model,
      installedPackages(model).filter((p) => p.name === 'sqlite3'),
    );
    expect(text).toContain(
      'RUN apt-get update && true && apt-get purge -y vim && rm -rf /var/lib/apt/lists/*',
    );
  });

  it('gives up rather than guess when the name is not a plain word', async () => {
    const model = await parseDockerfile('FROM debian\nRUN apt-get install -y "curl" wget\n', 'Dockerfile');
    expect(
      withoutPackages(
        model,
        installedPackages(model).filter((p) => p.name === 'curl'),
      ),
    ).toBeUndefined();
  });
});
