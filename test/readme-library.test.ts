/**
 * The README's library examples, as a user would use them: compiled with tsc
 * against the built package (imported as 'pare' from node_modules, like an
 * installed dependency) and the first one run with node. Needs `npm run build`
 * first, as `npm test` does.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildImage, dockerArchiveBytes, file } from './helpers/image-writer.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
let dir: string;

/** The ```ts blocks of the README's "Library" section. */
async function libraryExamples(): Promise<string[]> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Library\n');
  expect(start, 'README.md has a "## Library" section').toBeGreaterThanOrEqual(0);
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pare-readme-'));
  await mkdir(join(dir, 'node_modules'));
  // The package as installed: its package.json "exports" and dist/, nothing from src/.
  await symlink(ROOT, join(dir, 'node_modules', 'pare'));
  await symlink(join(ROOT, 'node_modules', '@types'), join(dir, 'node_modules', '@types'));
  await symlink(join(ROOT, 'examples'), join(dir, 'examples'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

it('compiles the README library examples against the package and runs the first', async () => {
  expect(existsSync(join(ROOT, 'dist', 'index.d.ts')), 'run npm run build first').toBe(true);
  const examples = await libraryExamples();
  expect(examples.length).toBeGreaterThanOrEqual(2);
  for (const [index, code] of examples.entries()) {
    expect(code).toMatch(/from 'pare';/);
    await writeFile(join(dir, `example${index + 1}.ts`), code);
  }
  await writeFile(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        outDir: 'out',
        types: ['node'],
      },
      include: ['*.ts'],
    }),
  );
  // Each example is a module of its own (top-level await, no shared names).
  await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  const tsc = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir],
    {
      encoding: 'utf8',
    },
  );
  expect(tsc.stdout + tsc.stderr).toBe('');
  expect(tsc.status).toBe(0);

  const archive = join(dir, 'image.tar');
  await writeFile(
    archive,
    dockerArchiveBytes([
      buildImage({
        layers: [
          { entries: [file('etc/os-release', 'ID=debian\n')] },
          { entries: [file('app/main.py', 'print(1)\n'), file('root/.cache/pip/wheel', 'x'.repeat(5000))] },
        ],
        tags: ['app:1'],
      }),
    ]),
  );
  const run = spawnSync(process.execPath, [join(dir, 'out', 'example1.js')], {
    cwd: dir,
    env: { ...process.env, IMAGE: `docker-archive:${archive}`, NO_COLOR: '1' },
    encoding: 'utf8',
  });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/^examples\/python-api\/Dockerfile:\d+ [a-z-]+: /m);
  expect(run.stdout).toMatch(/^\d+ fixes applied; \d+ findings need a human$/m);
  expect(run.stdout).toMatch(/: \d+ bytes compressed$/m);
  expect(run.stdout).toMatch(/^slim\.tar: \d+ bytes compressed$/m);
  expect(existsSync(join(dir, 'slim.tar'))).toBe(true);
}, 120_000);
