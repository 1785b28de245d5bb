/**
 * What a one-file `pare lint` loads at start, where each unneeded module is
 * start-up time paid on every run:
 * - zod validates config files and nothing else a lint needs: without a config
 *   file it must not load. The build puts it in a file of its own beside the
 *   command line's bundle (dist/cli/zod.cjs), required when first needed: the
 *   module cache shows whether it was.
 * - web-tree-sitter and the shell grammar are needed only for a script the
 *   fast shell path leaves; what they cost is V8 compiling their WebAssembly,
 *   which a preloaded hook on WebAssembly reports.
 * - node:crypto and node:child_process (with net, dgram, stream) are needed
 *   only to write files, hash or run processes. The process's own list of
 *   loaded built-ins shows them.
 * And the command line's code comes from V8's code cache the build writes,
 * which V8 takes only under the flags and the Node version it was made with.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PARE_BIN } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'pare-weight-'));
writeFileSync(
  join(dir, 'watch.cjs'),
  `for (const name of ['compile', 'instantiate']) {
  const original = WebAssembly[name];
  WebAssembly[name] = function (...args) {
    process.stderr.write('WebAssembly was compiled\\n');
    return original.apply(this, args);
  };
}
process.on('exit', () => {
  const loaded = process.moduleLoadList.filter((m) => /^NativeModule (crypto|child_process)$/.test(m));
  if (loaded.length > 0) process.stderr.write('built-ins loaded: ' + loaded.join(', ') + '\\n');
  if (Object.keys(require.cache).some((path) => /[\\\\/]zod\\.cjs$/.test(path))) process.stderr.write('zod was loaded\\n');
});
`,
);
const project = (name: string, files: Record<string, string>) => {
  const path = join(dir, name);
  mkdirSync(path);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(path, file), text);
  return path;
};
const DOCKERFILE = 'FROM debian:12.5\nCMD ["true"]\n';

function lint(path: string) {
  return spawnSync(process.execPath, ['--require', join(dir, 'watch.cjs'), PARE_BIN, 'lint', path], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
}

describe('one-file pare lint at start-up', () => {
  it('compiles no WebAssembly and loads neither crypto nor child_process for a plain file', () => {
    const result = lint(
      project('simple', { Dockerfile: `${DOCKERFILE}RUN apt-get update && apt-get install -y curl\n` }),
    );
    expect(result.stderr).toBe('');
    expect([0, 1]).toContain(result.status);
  });

  it('compiles the shell grammar for a script the fast path leaves (so the hook does see it)', () => {
    const result = lint(project('complex', { Dockerfile: `${DOCKERFILE}RUN if [ -f x ]; then make; fi\n` }));
    expect(result.stderr).toMatch(/WebAssembly was compiled/);
  });
});

describe('zod at start-up', () => {
  it('is not loaded by pare lint without a config file', () => {
    const result = lint(project('plain', { Dockerfile: DOCKERFILE }));
    expect(result.stderr).not.toMatch(/zod/);
    expect([0, 1]).toContain(result.status);
  });

  it('is loaded when a config file is there (so the hook does see it)', () => {
    const result = lint(project('configured', { Dockerfile: DOCKERFILE, '.pare.json': '{}\n' }));
    expect(result.stderr).toMatch(/zod was loaded/);
  });
});

/** What `loader`'s loadCli says of the code cache, in a fresh process: 'true', 'false' or 'undefined'. */
function cacheAccepted(loader: string) {
  return spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { loadCli } = await import(${JSON.stringify(loader)}); process.stdout.write(String(loadCli().cacheAccepted));`,
    ],
    { encoding: 'utf8' },
  );
}

describe('the code cache', () => {
  it('is taken by V8 when the built command line loads', () => {
    const result = cacheAccepted(fileURLToPath(new URL('../../bin/cli-loader.js', import.meta.url)));
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('true');
  });
});

describe('a code cache V8 rejects', () => {
  it('leaves the command line working, compiled from source (as under another Node version)', () => {
    const copy = mkdtempSync(join(tmpdir(), 'pare-cache-'));
    try {
      const built = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
      mkdirSync(join(copy, 'bin'));
      mkdirSync(join(copy, 'dist', 'cli'), { recursive: true });
      for (const path of ['bin/pare.js', 'bin/cli-loader.js', 'dist/cli/pare.cjs'])
        copyFileSync(built(path), join(copy, path));
      writeFileSync(join(copy, 'package.json'), '{ "type": "module" }\n');
      // The layout of a real cache, with bytes no V8 made.
      const cache = readFileSync(built('dist/cli/pare.cjs.v8-cache'));
      writeFileSync(join(copy, 'dist/cli/pare.cjs.v8-cache'), Buffer.alloc(cache.length, 0x5a));
      expect(cacheAccepted(join(copy, 'bin', 'cli-loader.js')).stdout).toBe('false');
      const version = spawnSync(process.execPath, [join(copy, 'bin', 'pare.js'), '--version'], {
        encoding: 'utf8',
      });
      expect(version.stderr).toBe('');
      expect(version.status).toBe(0);
      expect(version.stdout).toMatch(/^\d+\.\d+\.\d+/);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
