import { posix } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { absolutePath } from '../../src/util/image-path.js';

describe('absolutePath', () => {
  it.each([
    ['the root', ['/'], '/'],
    ['nothing at all', [''], '/'],
    ['a dot', ['.'], '/'],
    ['a tar entry without a leading slash', ['usr/lib/libc.so.6'], '/usr/lib/libc.so.6'],
    ['a trailing slash goes', ['/usr/lib/'], '/usr/lib'],
    ['repeated slashes collapse', ['//usr//lib///x'], '/usr/lib/x'],
    ['`./` components go', ['./usr/./lib/.'], '/usr/lib'],
    ['`..` pops a component', ['/usr/lib/../bin'], '/usr/bin'],
    ['`..` stops at the root', ['/../../etc'], '/etc'],
    ['a relative path against a working directory', ['/app', 'dist/main.js'], '/app/dist/main.js'],
    ['a relative working directory counts from the root', ['app', 'x'], '/app/x'],
    ['an absolute path wins over the working directory', ['/app', '/opt/x'], '/opt/x'],
    ['`..` above the working directory', ['/app/src', '../../..'], '/'],
    ['an empty relative path is the working directory', ['/app/', ''], '/app'],
    ['`$` and globs are only text', ['/app', '$HOME/*.txt'], '/app/$HOME/*.txt'],
  ])('%s', (_name, segments, expected) => {
    expect(absolutePath(...segments)).toBe(expected);
  });

  it('never depends on the host working directory', () => {
    const before = process.cwd();
    expect(absolutePath('a', 'b')).toBe('/a/b');
    expect(process.cwd()).toBe(before);
  });

  // The component walk that WORKDIR, `cd` and COPY resolution each wrote by hand.
  function componentWalk(base: string, path: string): string {
    const parts: string[] = [];
    for (const part of (path.startsWith('/') ? path : `${base}/${path}`).split('/')) {
      if (part === '' || part === '.') continue;
      if (part === '..') parts.pop();
      else parts.push(part);
    }
    return `/${parts.join('/')}`;
  }

  it('agrees with the component walk on any path', () => {
    const component = fc.constantFrom('', '.', '..', 'a', 'b.txt', '...', '.wh.x', 'a b');
    const path = fc.array(component, { maxLength: 6 }).map((parts) => parts.join('/'));
    fc.assert(
      fc.property(path, path, (base, relative) => {
        expect(absolutePath(base, relative)).toBe(componentWalk(base, relative));
      }),
    );
  });

  // Paths already in resolved form are returned as joined: the answer must stay resolve's.
  it('agrees with posix.resolve from the root on any segments, absolute ones included', () => {
    const component = fc.constantFrom('', '.', '..', 'a', 'b.txt', '...', '.a', 'a..', 'a b', '~', '$HOME');
    const segment = fc
      .tuple(fc.boolean(), fc.array(component, { maxLength: 4 }), fc.boolean())
      .map(([absolute, parts, trailing]) => `${absolute ? '/' : ''}${parts.join('/')}${trailing ? '/' : ''}`);
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 3 }), (segments) => {
        expect(absolutePath(...segments)).toBe(posix.resolve('/', ...segments));
      }),
      { numRuns: 2000 },
    );
  });
});

// The readers that used hand-written dirname/basename now call posix directly;
// these are the edge cases they rely on, pinned so a change of spelling shows.
describe('posix dirname and basename on image paths', () => {
  it.each([
    ['/usr/lib/libz.so', '/usr/lib', 'libz.so'],
    ['/libz.so', '/', 'libz.so'],
    ['/', '/', ''],
    ['usr/lib/libz.so', 'usr/lib', 'libz.so'],
    ['libz.so', '.', 'libz.so'],
    ['/usr/lib/', '/usr', 'lib'],
    ['./app', '.', 'app'],
  ])('%s', (path, dir, base) => {
    expect(posix.dirname(path)).toBe(dir);
    expect(posix.basename(path)).toBe(base);
  });
});
