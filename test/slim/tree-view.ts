/**
 * What a container sees of an image, computed independently of src/slim: the
 * merged tree (analyze/file-tree.ts) with each file's content hashed as it
 * streams. Keyed by path: kind, size, mode, link target, sha256 of contents.
 */
import { createHash } from 'node:crypto';
import {
  FileTree,
  KIND_DIRECTORY,
  KIND_FILE,
  KIND_OTHER,
  KIND_SYMLINK,
} from '../../src/analyze/file-tree.js';
import { scanLayer } from '../../src/image/tar/layer-scan.js';
import type { Image } from '../../src/image/types.js';

export interface ViewNode {
  kind: 'dir' | 'file' | 'symlink' | 'other';
  size: number;
  mode: number;
  link?: string;
  hash?: string;
}

const EMPTY_HASH = createHash('sha256').digest('hex');

export async function containerView(image: Image): Promise<Map<string, ViewNode>> {
  const tree = new FileTree();
  const hashes = new Map<number, string>();
  const modes = new Map<number, number>();
  tree.onContentGone = (id) => {
    hashes.delete(id);
    modes.delete(id);
  };
  for (const [index, layer] of (await image.layers()).entries()) {
    tree.beginLayer(index);
    await scanLayer(layer, (entry) => {
      const target = entry.type === 'hardlink' && entry.linkname ? tree.lookup(entry.linkname) : -1;
      const targetHash = target >= 0 ? hashes.get(target) : undefined;
      const targetMode = target >= 0 ? (modes.get(target) ?? tree.modeOf(target)) : undefined;
      const id = tree.apply(entry);
      if (id < 0) return;
      hashes.delete(id);
      modes.delete(id);
      if (entry.type === 'hardlink') {
        // A hard link is the same inode: its mode is the target's, whatever its own header says.
        if (tree.isHardlinked(id) && targetMode !== undefined) modes.set(id, targetMode);
        if (targetHash !== undefined && tree.isHardlinked(id)) hashes.set(id, targetHash);
        return;
      }
      if (entry.type !== 'file') return;
      const hash = createHash('sha256');
      return {
        write: (chunk: Buffer) => void hash.update(chunk),
        end: () => void hashes.set(id, hash.digest('hex')),
      };
    });
    tree.endLayer();
  }
  const view = new Map<string, ViewNode>();
  tree.walk((id, path) => {
    const kind = tree.kindOf(id);
    const node: ViewNode = {
      kind:
        kind === KIND_DIRECTORY
          ? 'dir'
          : kind === KIND_FILE
            ? 'file'
            : kind === KIND_SYMLINK
              ? 'symlink'
              : 'other',
      size: kind === KIND_FILE ? tree.sizeOf(id) : 0,
      mode: modes.get(id) ?? tree.modeOf(id),
    };
    if (kind === KIND_SYMLINK) node.link = tree.linkTargetOf(id) ?? '';
    if (kind === KIND_FILE) node.hash = hashes.get(id) ?? EMPTY_HASH;
    if (kind === KIND_OTHER) node.kind = 'other';
    view.set(path, node);
  });
  return view;
}
