/**
 * What removing a hard-linked name saves: the inode's bytes leave the image
 * with its last name only.
 */
import { describe, expect, it } from 'vitest';
import { type RemovedFile, settleHardLinkSizes } from '../../src/reach/paths.js';
import { file, hardlink, treeOf } from '../analyze/entries.js';

function tree() {
  return treeOf([
    [
      file('usr/share/doc/README', 5000),
      hardlink('app/README', 'usr/share/doc/README'),
      file('usr/share/man/foo.1', 3000),
      hardlink('usr/share/man/bar.1', 'usr/share/man/foo.1'),
      hardlink('usr/share/man/baz.1', 'usr/share/man/foo.1'),
      file('usr/share/doc/plain', 700),
    ],
  ]);
}

describe('settleHardLinkSizes', () => {
  it.each([
    ['a name removed while another stays saves nothing', ['/usr/share/doc/README'], 0],
    [
      'every name removed saves the inode once',
      ['/usr/share/man/bar.1', '/usr/share/man/baz.1', '/usr/share/man/foo.1'],
      3000,
    ],
    ['two names of three save nothing', ['/usr/share/man/bar.1', '/usr/share/man/foo.1'], 0],
    ['a file without links keeps its size', ['/usr/share/doc/plain'], 700],
    [
      'both inodes, one whole',
      [
        '/app/README',
        '/usr/share/doc/plain',
        '/usr/share/man/bar.1',
        '/usr/share/man/baz.1',
        '/usr/share/man/foo.1',
      ],
      3700,
    ],
  ])('%s', (_name, paths, saved) => {
    const fileTree = tree();
    const removed = new Map<number, RemovedFile>();
    // Sizes as a detector would give them: every name claims the whole inode, the worst case.
    for (const path of paths) {
      const id = fileTree.lookup(path);
      removed.set(id, { path, size: fileTree.sizeOf(id), reason: 'docs', detail: 'documentation' });
    }
    settleHardLinkSizes(fileTree, removed);
    expect([...removed.values()].reduce((sum, r) => sum + r.size, 0)).toBe(saved);
  });
});
