/**
 * What `npm ci` installs for users: every runtime dependency is one pare's
 * code imports, and every install script in the tree has been decided on in
 * package.json's allowScripts (npm skips and lists undecided ones at every
 * install).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));

function sourceText(dir: string): string {
  return readdirSync(dir, { withFileTypes: true })
    .map((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return sourceText(path);
      return entry.name.endsWith('.ts') ? readFileSync(path, 'utf8') : '';
    })
    .join('\n');
}

const src = sourceText(join(ROOT, 'src'));
const escapeRegExp = (name: string) => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

describe('runtime dependencies', () => {
  it.each(Object.keys(pkg.dependencies))('%s is imported or resolved by src/', (name) => {
    // import … from 'x', import('x'), require.resolve('x/…'), createRequire(…).resolve('x').
    const used = new RegExp(`(from |import\\(|resolve\\()'${escapeRegExp(name)}(/[^']*)?'`);
    expect(src).toMatch(used);
  });
});

describe('install scripts', () => {
  const withScripts = Object.entries(lock.packages as Record<string, { hasInstallScript?: boolean }>)
    .filter(([path, entry]) => path !== '' && entry.hasInstallScript)
    .map(([path]) => path.replace(/^.*node_modules\//, ''));

  it('the lockfile still has the packages this test is about', () => {
    expect(withScripts).toContain('tree-sitter-bash');
  });

  it.each(withScripts)('%s: allowed or denied in package.json', (name) => {
    expect(Object.keys(pkg.allowScripts ?? {})).toContain(name);
  });
});

describe('the shell grammar', () => {
  it('ships inside dist/, so installing pare needs no tree-sitter-bash (its sources and native build)', () => {
    expect(pkg.dependencies['tree-sitter-bash']).toBeUndefined();
    expect(pkg.devDependencies['tree-sitter-bash']).toBeDefined();
    const shipped = join(ROOT, 'dist', 'grammars', 'tree-sitter-bash.wasm');
    expect(existsSync(shipped), 'run npm run build first').toBe(true);
    const development = join(ROOT, 'node_modules', 'tree-sitter-bash', 'tree-sitter-bash.wasm');
    expect(readFileSync(shipped).equals(readFileSync(development))).toBe(true);
    expect(existsSync(join(ROOT, 'dist', 'grammars', 'tree-sitter-bash.LICENSE'))).toBe(true);
  });
});
