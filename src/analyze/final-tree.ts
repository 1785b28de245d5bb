/**
 * The final filesystem of an image, as analyze/file-tree.ts merges it, plus
 * what slim needs to write it back out: each present node's tar metadata
 * (type, mode, owner, mtime, link target, device numbers, xattrs) and where
 * its bytes live (input layer and entry ordinal). Reads headers only; contents are fetched later by
 * fetchContents (spool.ts).
 */

import { scanLayer } from '../image/tar/layer-scan.js';
import type { ContentSink } from '../image/tar/tar.js';
import type { Layer, TarEntry } from '../image/types.js';
import { FileTree, KIND_SYMLINK } from './file-tree.js';

/** A present node's tar header fields as the final layer wrote them (mode masked to permission bits). */
export type NodeMeta = Pick<
  TarEntry,
  'type' | 'mode' | 'uid' | 'gid' | 'mtime' | 'linkname' | 'devmajor' | 'devminor' | 'xattrs'
> & {
  /** Input layer of the entry (a directory whose tree writer differs was re-created implicitly since). */
  layer: number;
};

/** Where a file's bytes are: entry `ordinal` (0-based, in tar order) of input layer `layer`. */
export interface ContentRef {
  layer: number;
  ordinal: number;
  size: number;
}

export interface FinalTree {
  tree: FileTree;
  meta: Map<number, NodeMeta>;
  content: Map<number, ContentRef>;
  /** Each layer's uncompressed tar length in bytes (what `docker save` stores), bottom to top. */
  layerTarBytes: number[];
}

export interface ReadFinalTreeOptions {
  verify?: boolean;
  signal?: AbortSignal;
}

export async function readFinalTree(
  layers: readonly Layer[],
  options: ReadFinalTreeOptions = {},
): Promise<FinalTree> {
  const tree = new FileTree();
  const meta = new Map<number, NodeMeta>();
  const content = new Map<number, ContentRef>();
  const layerTarBytes: number[] = [];
  for (const [index, layer] of layers.entries()) {
    tree.beginLayer(index);
    let ordinal = 0;
    const summary = await scanLayer(
      layer,
      (entry) => {
        const at = ordinal++;
        const id = tree.apply(entry);
        if (id < 0) return;
        const record: NodeMeta = {
          type: entry.type,
          mode: entry.mode & 0o7777,
          uid: entry.uid,
          gid: entry.gid,
          mtime: entry.mtime,
          layer: index,
        };
        content.delete(id);
        if (entry.type === 'symlink') record.linkname = entry.linkname ?? '';
        if (entry.devmajor !== undefined) {
          record.devmajor = entry.devmajor;
          record.devminor = entry.devminor ?? 0;
        }
        if (entry.xattrs) record.xattrs = entry.xattrs;
        if (entry.type === 'file') content.set(id, { layer: index, ordinal: at, size: entry.size });
        if (entry.type === 'hardlink') {
          // Resolve as the tree did (after the entry's parents were created): same inode, symlink copy, or nothing.
          const target = entry.linkname ? tree.lookup(entry.linkname) : -1;
          const targetMeta = target >= 0 && target !== id ? meta.get(target) : undefined;
          const targetContent = target >= 0 && target !== id ? content.get(target) : undefined;
          if (tree.kindOf(id) === KIND_SYMLINK) {
            record.type = 'symlink';
            record.linkname = tree.linkTargetOf(id) ?? '';
          } else {
            record.type = 'file';
            if (tree.isHardlinked(id) && targetMeta) {
              record.mode = targetMeta.mode;
              record.uid = targetMeta.uid;
              record.gid = targetMeta.gid;
              // Extended attributes belong to the inode, like the mode.
              if (targetMeta.xattrs) record.xattrs = targetMeta.xattrs;
              else delete record.xattrs;
              if (targetContent) content.set(id, targetContent);
            }
          }
        }
        meta.set(id, record);
      },
      {
        verify: options.verify !== false,
        ...(options.signal ? { signal: options.signal } : {}),
      },
    );
    tree.endLayer();
    layerTarBytes.push(summary.bytes);
  }
  return { tree, meta, content, layerTarBytes };
}

/**
 * Streams the contents of chosen entries: `items` pairs each content
 * location with what the caller wants it for; `sinkFor` receives the
 * entries of one location (several items may share one, e.g. hard links) and
 * returns where its bytes go. Layers holding none of them are not read.
 */
export async function scanContents<T>(
  layers: readonly Layer[],
  items: Iterable<[ContentRef, T]>,
  sinkFor: (entry: TarEntry, wanted: T[], ref: { layer: number; ordinal: number }) => ContentSink | undefined,
  options: ReadFinalTreeOptions = {},
): Promise<void> {
  const byLayer = new Map<number, Map<number, T[]>>();
  for (const [ref, item] of items) {
    const ordinals = byLayer.get(ref.layer) ?? new Map<number, T[]>();
    byLayer.set(ref.layer, ordinals);
    const list = ordinals.get(ref.ordinal) ?? [];
    list.push(item);
    ordinals.set(ref.ordinal, list);
  }
  for (const [index, layer] of layers.entries()) {
    const ordinals = byLayer.get(index);
    if (!ordinals) continue;
    let ordinal = 0;
    await scanLayer(
      layer,
      (entry) => {
        const at = ordinal++;
        const wanted = ordinals.get(at);
        return wanted ? sinkFor(entry, wanted, { layer: index, ordinal: at }) : undefined;
      },
      { verify: options.verify !== false, ...(options.signal ? { signal: options.signal } : {}) },
    );
  }
}
