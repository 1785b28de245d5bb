/**
 * zod validates config files and nothing else a lint needs: without a config
 * file, `pare lint` must not load it (it costs every run ~0.1 s of start-up).
 * A resolve hook turns any import of zod into a crash, so loading it shows.
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
  if (specifier === 'zod' || specifier.startsWith('zod/')) throw new Error('zod was loaded');
  return next(specifier, context);
}
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
  return spawnSync(process.execPath, ['--import', join(dir, 'register.mjs'), PARE_BIN, 'lint', path], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
}

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
