/**
 * The small pure parts of `--minimal`: reading command lines for Python and
 * Node entries, `#!` lines, the traced command, bytecode names, the keep-set
 * (links kept with their targets, parents implied, exclusions) and the report.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shebangOf } from '../../src/reach/file-heads.js';
import { KeepSet } from '../../src/reach/keep-set.js';
import { nodeEntryOf } from '../../src/reach/node.js';
import { bytecodeCandidates, checkableModules, pythonEntryOf } from '../../src/reach/python.js';
import { prepareTracer, probeArgv, tracedCommand } from '../../src/reach/tracer.js';
import { buildSlimReport } from '../../src/slim/report.js';
import { isPareError } from '../../src/util/errors.js';
import { dir, file, symlink, treeOf } from '../analyze/entries.js';

describe('pythonEntryOf', () => {
  it.each([
    [['python3', 'main.py'], { interpreter: 'python3', script: 'main.py' }],
    [
      ['/usr/bin/python3.11', '-u', 'app/run.py', '--port', '8'],
      { interpreter: '/usr/bin/python3.11', script: 'app/run.py' },
    ],
    [['python', '-W', 'ignore', 'srv.py'], { interpreter: 'python', script: 'srv.py' }],
    [['python3', '-m', 'http.server', '8000'], { interpreter: 'python3', module: 'http.server' }],
    [['gunicorn', 'app:app'], undefined],
    [['python3', '-c', 'print(1)'], undefined],
    [['python3'], undefined],
    [['pythonista', 'x.py'], undefined],
  ])('%j', (words, expected) => {
    expect(pythonEntryOf(words)).toEqual(expected);
  });
});

describe('nodeEntryOf', () => {
  it.each([
    [['node', 'dist/server.js'], { interpreter: 'node', entry: 'dist/server.js' }],
    [
      ['/usr/bin/nodejs', '--enable-source-maps', 'index.mjs'],
      { interpreter: '/usr/bin/nodejs', entry: 'index.mjs' },
    ],
    [['node', '-r', 'dotenv/config', 'app.js'], { interpreter: 'node', entry: 'app.js' }],
    [['node', '-e', 'console.log(1)'], undefined],
    [['npm', 'start'], undefined],
    [['node'], undefined],
  ])('%j', (words, expected) => {
    expect(nodeEntryOf(words)).toEqual(expected);
  });
});

describe('shebangOf', () => {
  it.each([
    ['#!/bin/sh\necho', { interpreter: '/bin/sh' }],
    ['#!/usr/bin/env python3\n', { interpreter: '/usr/bin/env', argument: 'python3' }],
    ['#! /usr/bin/env -S node --harmony\n', { interpreter: '/usr/bin/env', argument: '-S node --harmony' }],
    ['#!/bin/bash', { interpreter: '/bin/bash' }],
    ['\x7fELF....', undefined],
    ['# comment\n', undefined],
    ['', undefined],
  ])('%j', (text, expected) => {
    expect(shebangOf(Buffer.from(text, 'latin1'))).toEqual(expected);
  });
});

describe('tracedCommand and probeArgv', () => {
  it('starts strace through the bundled loader, with the argv after --', () => {
    const command = tracedCommand({ dir: '/tmp/t', loader: '/.pare-tracer/ld.so' }, ['python3', 'main.py']);
    expect(command.entrypoint).toEqual(['/.pare-tracer/ld.so']);
    expect(command.cmd.slice(0, 3)).toEqual(['--library-path', '/.pare-tracer/lib', '/.pare-tracer/strace']);
    expect(command.cmd.slice(-3)).toEqual(['--', 'python3', 'main.py']);
    expect(command.cmd).toContain('-f');
  });
  it('runs a static strace directly', () => {
    const command = tracedCommand({ dir: '/tmp/t', loader: '' }, ['./app']);
    expect(command.entrypoint).toEqual(['/.pare-tracer/strace']);
    expect(command.cmd.at(-1)).toBe('./app');
  });
  it.each([
    [{ Entrypoint: ['./calc'], Cmd: ['1+1'] }, { kind: 'cmd', args: ['2*3'] }, ['./calc', '2*3']],
    [{ Entrypoint: ['./calc'], Cmd: ['1+1'] }, { kind: 'cmd', args: [] }, ['./calc', '1+1']],
    [
      { Cmd: ['/bin/sh', '-c', 'python3 main.py'] },
      { kind: 'http', port: 8000, path: '/' },
      ['/bin/sh', '-c', 'python3 main.py'],
    ],
    [{}, { kind: 'up', seconds: 5 }, []],
  ] as const)('probe argv of %j with %j', (config, spec, expected) => {
    expect(probeArgv({ config } as never, spec as never)).toEqual(expected);
  });
});

describe('prepareTracer refuses with one line', () => {
  it.each([
    [
      'a strace that is not there',
      '/nonexistent/strace',
      'amd64',
      /^the tracer cannot start: \/nonexistent\/strace: no such file or directory$/,
    ],
    [
      'an image of another architecture',
      undefined,
      'riscv64',
      /^the tracer cannot start: the image is riscv64/,
    ],
  ])('%s', async (_case, strace, architecture, message) => {
    const saved = process.env.PARE_STRACE;
    if (strace) process.env.PARE_STRACE = strace;
    const dir = await mkdtemp(join(tmpdir(), 'pare-tracer-test-'));
    try {
      const error = await prepareTracer(dir, architecture).catch((e) => e);
      expect(isPareError(error)).toBe(true);
      expect((error as Error).message).toMatch(message);
    } finally {
      if (saved === undefined) delete process.env.PARE_STRACE;
      else process.env.PARE_STRACE = saved;
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('bytecodeCandidates and checkableModules', () => {
  it('names the __pycache__ files of a source', () => {
    expect(bytecodeCandidates('/usr/lib/python3.11/json/decoder.py', '311')).toEqual({
      dir: '/usr/lib/python3.11/json/__pycache__',
      prefix: 'decoder.cpython-311',
    });
    expect(bytecodeCandidates('/usr/lib/python3.11/lib-dynload/_ssl.so', '311')).toBeUndefined();
  });
  it('checks what the app names, never modules that act on import', () => {
    const found = {
      modules: {},
      app: ['__main__', 'app.server'],
      startup: ['/usr/lib/python3.11/site.py'],
      support: ['encodings.idna'],
      direct: ['json', 'sqlite3', 'this', 'antigravity', 'tkinter.ttk', 'http.server'],
      packages: [],
      appDir: '/app',
      executable: '/usr/bin/python3.11',
      version: '311',
    };
    expect(checkableModules(found)).toEqual(['json', 'sqlite3', 'http.server', 'encodings.idna']);
  });
});

function imageTree() {
  return treeOf([
    [
      dir('usr'),
      dir('usr/lib'),
      dir('usr/lib/x86_64-linux-gnu'),
      file('usr/lib/x86_64-linux-gnu/libz.so.1.2.13', 50),
      symlink('usr/lib/x86_64-linux-gnu/libz.so.1', 'libz.so.1.2.13'),
      file('usr/lib/x86_64-linux-gnu/libunused.so', 70),
      symlink('lib', 'usr/lib'),
      dir('usr/share'),
      dir('usr/share/doc'),
      file('usr/share/doc/README', 30),
      dir('app'),
      file('app/main.py', 5),
      dir('app/data'),
      file('app/data/a.json', 7),
      file('app/data/b.json', 9),
      dir('tmp'),
    ],
  ]);
}

describe('KeepSet', () => {
  it('keeps the symlinks crossed and the target, with the reason', () => {
    const keep = new KeepSet(imageTree());
    expect(keep.keepPath('/lib/x86_64-linux-gnu/libz.so.1', 'traced', 'openat')).toBeDefined();
    const { kept } = keep.report();
    expect(kept.map((entry) => entry.path)).toEqual([
      '/lib',
      '/usr/lib/x86_64-linux-gnu/libz.so.1',
      '/usr/lib/x86_64-linux-gnu/libz.so.1.2.13',
    ]);
    expect(kept.every((entry) => entry.reason === 'traced')).toBe(true);
  });
  it('removes everything else, but never the parents of kept paths', () => {
    const keep = new KeepSet(imageTree());
    keep.keepPath('/app/main.py', 'entrypoint');
    const removed = [...keep.removals().values()].map((entry) => entry.path).sort();
    expect(removed).toContain('/usr/lib/x86_64-linux-gnu/libunused.so');
    expect(removed).toContain('/usr/share/doc/README');
    expect(removed).toContain('/tmp');
    expect(removed).not.toContain('/app');
    expect(removed).not.toContain('/app/main.py');
    expect(keep.removals().get(keep.tree.lookup('/usr/share/doc/README'))?.size).toBe(30);
  });
  it('keeps subtrees, and --exclude drops matches again', () => {
    const keep = new KeepSet(imageTree());
    expect(keep.keepSubtree('/app/data', 'include', '--include')).toBe(true);
    expect(keep.keepSubtree('/nope', 'include')).toBe(false);
    expect(keep.drop((path) => path.endsWith('b.json'))).toBe(1);
    const paths = keep.report().kept.map((entry) => entry.path);
    expect(paths).toEqual(['/app/data', '/app/data/a.json']);
    expect(keep.report().keptByReason.include).toEqual({ files: 2, bytes: 7 });
  });
  it('a missing path keeps nothing', () => {
    const keep = new KeepSet(imageTree());
    expect(keep.keepPath('/usr/bin/python3', 'entrypoint')).toBeUndefined();
    expect(keep.size).toBe(0);
  });
});

describe('buildSlimReport', () => {
  it('pairs layers with their history steps and totals the removed bytes', () => {
    const report = buildSlimReport(
      'docker-daemon:app',
      {
        sourceDigest: 'sha256:aa',
        input: { compressedBytes: 300, uncompressedBytes: 700, compression: 'gzip', layers: 2 },
        output: { compressedBytes: 100, uncompressedBytes: 180, compression: 'gzip', layers: 1 },
        inputLayerBytes: [500, 200],
        outputLayerBytes: [180],
        groups: [[0, 1]],
        removedByReason: { docs: { files: 2, bytes: 40 } },
        removed: [
          { path: '/usr/share/doc/a', size: 10, reason: 'docs', detail: 'documentation' },
          { path: '/usr/share/doc/b', size: 30, reason: 'docs', detail: 'documentation' },
        ],
        blobs: { layers: [{ size: 100 }] },
        config: { history: [{ created_by: 'pare slim', empty_layer: false }] },
      },
      [
        { size: 200, compression: 'gzip' },
        { size: 100, compression: 'gzip' },
      ],
      {
        history: [
          { created_by: 'FROM base' },
          { created_by: 'CMD x', empty_layer: true },
          { created_by: 'COPY . .' },
        ],
      },
    );
    expect(report.removedBytes).toBe(40);
    expect(report.layers.before).toEqual([
      { createdBy: 'FROM base', compressedBytes: 200, uncompressedBytes: 500 },
      { createdBy: 'COPY . .', compressedBytes: 100, uncompressedBytes: 200 },
    ]);
    expect(report.layers.after).toEqual([
      { createdBy: 'pare slim', compressedBytes: 100, uncompressedBytes: 180 },
    ]);
    expect(report.minimal).toBeUndefined();
  });

  it('an input layer stored uncompressed reports its measured tar length as both sizes', () => {
    const report = buildSlimReport(
      'docker-daemon:app',
      {
        sourceDigest: 'sha256:aa',
        input: { compressedBytes: 50, uncompressedBytes: 50, compression: 'none', layers: 1 },
        output: { compressedBytes: 20, uncompressedBytes: 40, compression: 'gzip', layers: 1 },
        inputLayerBytes: [50],
        outputLayerBytes: [40],
        groups: [[0, 0]],
        removedByReason: {},
        removed: [],
        blobs: { layers: [{ size: 20 }] },
        config: {},
      },
      [{ size: 50, compression: 'none' }],
    );
    expect(report.layers.before).toEqual([{ compressedBytes: 50, uncompressedBytes: 50 }]);
  });
});
