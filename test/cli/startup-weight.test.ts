/**
 * What a one-file `pare lint` loads at start, where each unneeded module is
 * start-up time paid on every run:
 * - zod validates config files and nothing else a lint needs: without a config
 *   file it must not load. It is bundled into a chunk of its own: a load hook
 *   reports a chunk that holds it (or an import of the package).
 * - web-tree-sitter's JavaScript is needed only for a script the fast shell
 *   path leaves. A load hook reports a bundled chunk that holds it.
 * - node:crypto and node:child_process (with net, dgram, stream) are needed
 *   only to write files, hash or run processes. The process's own list of
 *   loaded built-ins shows them.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PARE_BIN } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'pare-weight-'));
writeFileSync(
  join(dir, 'hooks.mjs'),
  `export async function resolve(specifier, context, next) {
  if (specifier === 'zod' || specifier.startsWith('zod/')) process.stderr.write('zod was loaded\\n');
  return next(specifier, context);
}
export async function load(url, context, next) {
  const loaded = await next(url, context);
  const source = loaded.source === undefined ? '' : String(loaded.source);
  if (source.includes('LANGUAGE_FUNCTION_REGEX')) process.stderr.write('web-tree-sitter was loaded\\n');
  if (source.includes('$ZodType')) process.stderr.write('zod was loaded\\n');
  return loaded;
}
`,
);
writeFileSync(
  join(dir, 'builtins.cjs'),
  `process.on('exit', () => {
  const loaded = process.moduleLoadList.filter((m) => /^NativeModule (crypto|child_process)$/.test(m));
  if (loaded.length > 0) process.stderr.write('built-ins loaded: ' + loaded.join(', ') + '\\n');
});
`,
);
writeFileSync(
  join(dir, 'register.mjs'),
  `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`,
);
const project = (name: string, files: Record<string, string>) => {
  const path = join(dir, name);
  mkdirSync(path);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(path, file), text);
  return path;
};
const DOCKERFILE = 'FROM debian:12.5\nCMD ["true"]\n';

function lint(path: string) {
  const preload = ['--require', join(dir, 'builtins.cjs'), '--import', join(dir, 'register.mjs')];
  return spawnSync(process.execPath, [...preload, PARE_BIN, 'lint', path], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
}

describe('one-file pare lint at start-up', () => {
  it('loads neither web-tree-sitter nor crypto and child_process for a plain file', () => {
    const result = lint(
      project('simple', { Dockerfile: `${DOCKERFILE}RUN apt-get update && apt-get install -y curl\n` }),
    );
    expect(result.stderr).toBe('');
    expect([0, 1]).toContain(result.status);
  });

  it('loads web-tree-sitter for a script the fast path leaves (so the hook does see it)', () => {
    const result = lint(project('complex', { Dockerfile: `${DOCKERFILE}RUN if [ -f x ]; then make; fi\n` }));
    expect(result.stderr).toMatch(/web-tree-sitter was loaded/);
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
