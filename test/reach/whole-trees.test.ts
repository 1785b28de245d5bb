import { describe, expect, it } from 'vitest';
import { KeepSet } from '../../src/reach/keep-set.js';
import { keepWholeTrees } from '../../src/reach/whole-trees.js';
import { dir, file, symlink, treeOf } from '../analyze/entries.js';

/** python:3.12-slim's layout (an interpreter under /usr/local), a venv app, a JRE, and Debian's sitecustomize link. */
const image = treeOf([
  [
    dir('usr'),
    dir('usr/local'),
    dir('usr/local/bin'),
    file('usr/local/bin/python3.12', 10, 0o755),
    dir('usr/local/lib'),
    dir('usr/local/lib/python3.12'),
    file('usr/local/lib/python3.12/os.py', 10),
    symlink('usr/local/lib/python3.12/sitecustomize.py', '/etc/python3.12/sitecustomize.py'),
    dir('usr/local/lib/python3.12/test'),
    file('usr/local/lib/python3.12/test/test_os.py', 10),
    dir('usr/local/lib/python3.12/config-3.12-x86_64-linux-gnu'),
    file('usr/local/lib/python3.12/config-3.12-x86_64-linux-gnu/libpython3.12.a', 30_000_000),
    dir('usr/local/lib/python3.12/ensurepip'),
    file('usr/local/lib/python3.12/ensurepip/__init__.py', 10),
    dir('usr/local/lib/python3.12/lib-dynload'),
    file('usr/local/lib/python3.12/lib-dynload/_ssl.cpython-312-x86_64-linux-gnu.so', 10),
    dir('usr/local/lib/python3.12/site-packages'),
    dir('usr/local/lib/python3.12/site-packages/pip'),
    file('usr/local/lib/python3.12/site-packages/pip/__init__.py', 10),
    dir('usr/local/lib/python3.12/site-packages/pip-24.0.dist-info'),
    dir('usr/local/lib/python3.12/site-packages/pipdeptree'),
    dir('etc'),
    dir('etc/python3.12'),
    file('etc/python3.12/sitecustomize.py', 10),
    dir('etc/ssl'),
    dir('etc/ssl/certs'),
    file('etc/ssl/certs/ca-certificates.crt', 10),
    dir('opt'),
    dir('opt/venv'),
    file('opt/venv/pyvenv.cfg', 10),
    dir('opt/venv/lib'),
    dir('opt/venv/lib/python3.12'),
    dir('opt/venv/lib/python3.12/site-packages'),
    dir('opt/venv/lib/python3.12/site-packages/flask'),
    file('opt/venv/lib/python3.12/site-packages/flask/__init__.py', 10),
    dir('opt/java'),
    dir('opt/java/openjdk'),
    dir('opt/java/openjdk/bin'),
    file('opt/java/openjdk/bin/java', 10, 0o755),
    dir('opt/java/openjdk/lib'),
    file('opt/java/openjdk/lib/modules', 10),
    file('opt/java/openjdk/lib/src.zip', 10),
    dir('opt/java/openjdk/jmods'),
    file('opt/java/openjdk/jmods/java.base.jmod', 10),
    dir('app'),
    file('app/main.py', 10),
    dir('app/.venv'),
    file('app/.venv/pyvenv.cfg', 10),
  ],
]);

function kept(reached: string[], appRoots = [{ path: '/app', detail: 'COPY . .' }]) {
  const keep = new KeepSet(image);
  for (const path of reached) keep.keepPath(path, 'traced', 'test');
  const trees = keepWholeTrees(keep, { appRoots });
  const paths = [...keep.entries()].map(([id]) => image.pathOf(id));
  return { trees, paths };
}

describe('keepWholeTrees', () => {
  it('keeps the interpreter whose files were reached whole, without its tests, build files and pip', () => {
    const { trees, paths } = kept(['/usr/local/bin/python3.12', '/usr/local/lib/python3.12/os.py']);
    const stdlib = trees.find((tree) => tree.path === '/usr/local/lib/python3.12')!;
    expect(stdlib.reason).toBe('runtime');
    expect(stdlib.excluded.sort()).toEqual([
      '/usr/local/lib/python3.12/config-3.12-x86_64-linux-gnu',
      '/usr/local/lib/python3.12/ensurepip',
      '/usr/local/lib/python3.12/site-packages/pip',
      '/usr/local/lib/python3.12/site-packages/pip-24.0.dist-info',
      '/usr/local/lib/python3.12/test',
    ]);
    expect(paths).toContain('/usr/local/lib/python3.12/lib-dynload/_ssl.cpython-312-x86_64-linux-gnu.so');
    expect(paths).toContain('/usr/local/lib/python3.12/site-packages/pipdeptree');
    expect(paths).not.toContain('/usr/local/lib/python3.12/test/test_os.py');
    expect(paths).not.toContain('/usr/local/lib/python3.12/config-3.12-x86_64-linux-gnu/libpython3.12.a');
    // A link inside the tree still resolves.
    expect(paths).toContain('/etc/python3.12/sitecustomize.py');
  });

  it('keeps a left-out subtree after all when something in it was reached', () => {
    const { trees, paths } = kept([
      '/usr/local/lib/python3.12/os.py',
      '/usr/local/lib/python3.12/test/test_os.py',
    ]);
    expect(trees.find((tree) => tree.path === '/usr/local/lib/python3.12')!.excluded).not.toContain(
      '/usr/local/lib/python3.12/test',
    );
    expect(paths).toContain('/usr/local/lib/python3.12/test/test_os.py');
  });

  it('keeps a virtual environment a reached file lives in, whole', () => {
    const { trees } = kept(['/opt/venv/lib/python3.12/site-packages/flask/__init__.py']);
    expect(trees.map((tree) => [tree.path, tree.reason])).toContainEqual(['/opt/venv', 'dependencies']);
  });

  it('keeps the Java home of a reached lib/modules, without jmods and sources', () => {
    const { trees } = kept(['/opt/java/openjdk/lib/modules']);
    const home = trees.find((tree) => tree.path === '/opt/java/openjdk')!;
    expect(home.excluded).toEqual(['/opt/java/openjdk/jmods', '/opt/java/openjdk/lib/src.zip']);
  });

  it('keeps the app roots and does not repeat a tree inside one (the venv in the app)', () => {
    const { trees } = kept(['/app/.venv/pyvenv.cfg']);
    expect(trees.map((tree) => tree.path)).toEqual(['/app', '/etc/ssl/certs']);
  });

  it('keeps nothing of an interpreter nothing reached', () => {
    const { trees } = kept([]);
    expect(trees.map((tree) => tree.path)).toEqual(['/app', '/etc/ssl/certs']);
  });
});
