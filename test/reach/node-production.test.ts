import { describe, expect, it } from 'vitest';
import { devOnlyPackages, type ProjectFiles } from '../../src/reach/node-production.js';

/** A node_modules tree as npm lays it out: hoisted where it can, nested where versions clash. */
function project(packages: Record<string, object | string>): ProjectFiles {
  const files = new Map<string, string>();
  for (const [dir, manifest] of Object.entries(packages))
    files.set(`${dir}/package.json`, typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
  return {
    read: (path) => files.get(path),
    list: (path) => {
      const names = new Set<string>();
      for (const file of files.keys()) {
        if (!file.startsWith(`${path}/`)) continue;
        const rest = file.slice(path.length + 1).split('/');
        if (rest.length > 1) names.add(rest[0]!);
      }
      return names.size > 0 ? [...names] : undefined;
    },
  };
}

describe('devOnlyPackages', () => {
  it('leaves out devDependencies and what only they need; keeps nested and scoped production packages', () => {
    const files = project({
      '/app': {
        dependencies: { express: '^4', '@acme/logger': '1' },
        optionalDependencies: { fsevents: '*' },
        devDependencies: { typescript: '^5', '@types/express': '4', jest: '29' },
      },
      '/app/node_modules/express': { dependencies: { 'body-parser': '1', debug: '2' } },
      '/app/node_modules/body-parser': { dependencies: { debug: '2' } },
      '/app/node_modules/debug': { dependencies: { ms: '2.0' } },
      '/app/node_modules/ms': {},
      '/app/node_modules/@acme/logger': { dependencies: { chalk: '4' } },
      '/app/node_modules/@acme/logger/node_modules/chalk': {},
      '/app/node_modules/chalk': {},
      '/app/node_modules/typescript': {},
      '/app/node_modules/@types/express': { dependencies: { '@types/node': '*' } },
      '/app/node_modules/@types/node': {},
      '/app/node_modules/jest': { dependencies: { ms: '2.1' } },
      '/app/node_modules/jest/node_modules/ms': {},
    });
    expect(devOnlyPackages('/app', files).sort()).toEqual([
      '/app/node_modules/@types/express',
      '/app/node_modules/@types/node',
      '/app/node_modules/chalk',
      '/app/node_modules/jest',
      '/app/node_modules/typescript',
    ]);
  });

  it.each([
    [
      'a pnpm store',
      { '/app': { dependencies: {} }, '/app/node_modules/.pnpm/x': {}, '/app/node_modules/x': {} },
    ],
    ['workspaces', { '/app': { workspaces: ['packages/*'] }, '/app/node_modules/x': {} }],
    ['a package.json that does not parse', { '/app': '{ "dependencies": ', '/app/node_modules/x': {} }],
    ['no node_modules', { '/app': { devDependencies: { x: '1' } } }],
  ])('leaves %s alone', (_name, packages) => {
    expect(devOnlyPackages('/app', project(packages))).toEqual([]);
  });
});
