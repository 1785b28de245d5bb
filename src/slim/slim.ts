/**
 * `slimImage`: derives a new image from an Image, like go-containerregistry's
 * mutate — the input is only read. Steps 1 and 2 of `pare slim`:
 *
 * 1. lossless: the layers are rewritten from the merged final filesystem, so
 *    bytes that later layers overwrite or delete are gone; input layers are
 *    grouped into output layers (default: the base image's layers and the
 *    app's layers); entries are written in byte order of their paths,
 *    directories once (in the first output layer that needs them, with their
 *    final metadata), hard-linked names together, mtimes clamped, no
 *    whiteouts (nothing below to hide).
 * 2. leftovers: files the selected detectors match are left out.
 *
 * File contents are streamed from the input layers into a spool file in the
 * work directory (never extracted: image paths never become host paths) and
 * from there into the output tars in path order.
 */
import { closeSync, createReadStream, openSync, readSync, writeSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tarStream from 'tar-stream';
import { KIND_DIRECTORY, KIND_FILE, ROOT } from '../analyze/file-tree.js';
import {
  type ContentRef,
  type FinalTree,
  type NodeMeta,
  readFinalTree,
  scanContents,
} from '../analyze/final-tree.js';
import { type TreeMapLimits, type TreeMapNode, treeMap } from '../analyze/tree-map.js';
import { temporaryDirectory } from '../engine/cleanup.js';
import type { LocalBlob } from '../image/local/local-blob.js';
import { LocalImage } from '../image/local/local-image.js';
import {
  type BlobFile,
  type ImageToWrite,
  ociManifest,
  type WriteCompression,
  writeLayerBlob,
} from '../image/sinks/write-common.js';
import type { ContentSink } from '../image/tar/tar.js';
import type {
  Compression,
  Digest,
  HistoryEntry,
  Image,
  ImageConfig,
  Layer,
  Manifest,
} from '../image/types.js';
import { type RemovedFile, settleHardLinkSizes } from '../reach/paths.js';
import { formatBytes } from '../util/bytes.js';
import { eventLoopTurns } from '../util/event-loop.js';
import { VERSION } from '../version.js';
import { DEFAULT_REMOVE, findLeftovers } from './leftovers.js';
import { xattrPaxHeader } from './tar-pax.js';

export const LABEL_SOURCE = 'org.pare.slim.source';
export const LABEL_VERSION = 'org.pare.slim.version';
export const LABEL_REMOVED = 'org.pare.slim.removed';

export interface SlimOptions {
  /** Output layers (default: base/app split, see planLayers). */
  layers?: number;
  /** Leftover categories to remove (default DEFAULT_REMOVE); empty: lossless only. */
  remove?: ReadonlySet<string>;
  /** mtimes are clamped to this (seconds); default SOURCE_DATE_EPOCH, else the image's creation time, else 0. */
  mtime?: number;
  compression?: WriteCompression;
  gzipLevel?: number;
  /** zstd level 1-19 (default 3), with compression 'zstd'. */
  zstdLevel?: number;
  /** Parent of the work directory (default os.tmpdir()). */
  tempDir?: string;
  verify?: boolean;
  signal?: AbortSignal;
  /**
   * Reachability (`--minimal`): more paths to remove, decided on the final
   * filesystem. Paths it keeps are never removed as leftovers.
   */
  select?: (final: FinalTree, config: ImageConfig, layers: readonly Layer[]) => Promise<Selection>;
  /** Also return the input's final filesystem as a tree map, removed paths marked (`treeMap`), for the HTML report. */
  treeMap?: TreeMapLimits;
  /** Called as each long step starts (reading the layers, copying what is kept, writing each output layer), with a line saying so. */
  onStep?: (message: string) => void;
}

export interface Selection {
  removed: Map<number, RemovedFile>;
  isKept: (id: number) => boolean;
}

/** How an image's layers are stored: one compression for all, or `mixed`. */
export type StoredAs = Compression | 'mixed';

function storedAs(compressions: readonly Compression[]): StoredAs {
  const kinds = new Set(compressions);
  return kinds.size === 1 ? compressions[0]! : kinds.size === 0 ? 'none' : 'mixed';
}

export interface SlimResult {
  /**
   * The slim image, a local image over the work directory: it can be
   * inspected, validated or written anywhere (writeImage). `close()` (or
   * `dispose()`) removes the work directory.
   */
  image: Image;
  /** The same image as a sink takes it: the config bytes and the layer blob files. */
  blobs: ImageToWrite;
  config: ImageConfig;
  sourceDigest: Digest;
  removed: RemovedFile[];
  /** Per category: files and bytes removed. */
  removedByReason: Record<string, { files: number; bytes: number }>;
  /** As stored (`compressedBytes`, in `compression`) and as tar streams (`uncompressedBytes`). */
  input: { compressedBytes: number; uncompressedBytes: number; compression: StoredAs; layers: number };
  output: { compressedBytes: number; uncompressedBytes: number; compression: StoredAs; layers: number };
  /** Per input layer: tar bytes (uncompressed). */
  inputLayerBytes: number[];
  /** Per output layer: tar bytes (uncompressed). */
  outputLayerBytes: number[];
  /** Input layer ranges [first, last] of each output layer. */
  groups: Array<[number, number]>;
  /** Work directory holding the layer blobs (removed by dispose). */
  workDir: string;
  /** Deletes the work directory holding the layer blobs (the image's `close()`). Call once the image is written. */
  dispose(): Promise<void>;
  /** The input's final filesystem reduced to a node budget, the removed paths' bytes marked (with `treeMap`). */
  treeMap?: TreeMapNode;
}

/** Layers that came from the base image: those before the last CMD/ENTRYPOINT of the history that precedes a layer. */
export function baseLayerCount(config: ImageConfig, layerCount: number): number | undefined {
  const history = config.history;
  if (!history || history.filter((h) => !h.empty_layer).length !== layerCount) return undefined;
  let layersSoFar = 0;
  let base: number | undefined;
  for (const entry of history) {
    if (!entry.empty_layer) {
      layersSoFar++;
      continue;
    }
    const cmd = /(?:^|\s|\))(?:CMD|ENTRYPOINT)\b/.test(entry.created_by ?? '');
    if (cmd && layersSoFar > 0 && layersSoFar < layerCount) base = layersSoFar;
  }
  return base !== undefined && base < layerCount ? base : undefined;
}

/** Splits input layers 0..count-1 into `wanted` contiguous groups, the first boundary at the base/app split. */
export function planLayers(
  count: number,
  wanted: number | undefined,
  base: number | undefined,
): Array<[number, number]> {
  if (count === 0) return [];
  const split = base ?? Math.min(count, 1);
  const n = Math.max(1, Math.min(wanted ?? (split < count ? 2 : 1), count));
  if (n === 1) return [[0, count - 1]];
  if (n === count) return Array.from({ length: count }, (_, i) => [i, i] as [number, number]);
  // Base layers get one group, the app's the rest (or the other way when the app has too few).
  const groupsFor = (first: number, last: number, k: number): Array<[number, number]> => {
    const size = last - first + 1;
    const out: Array<[number, number]> = [];
    for (let g = 0; g < k; g++) {
      const a = first + Math.floor((g * size) / k);
      const b = first + Math.floor(((g + 1) * size) / k) - 1;
      out.push([a, b]);
    }
    return out;
  };
  const appLayers = count - split;
  const appGroups = Math.min(appLayers, n - 1);
  const baseGroups = n - appGroups;
  return [...groupsFor(0, split - 1, baseGroups), ...groupsFor(split, count - 1, appGroups)];
}

function defaultMtime(config: ImageConfig, env: NodeJS.ProcessEnv = process.env): number {
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch !== undefined && /^\d+$/.test(epoch)) return Number(epoch);
  const created = config.created ? Date.parse(config.created) : Number.NaN;
  return Number.isFinite(created) ? Math.floor(created / 1000) : 0;
}

interface OutEntry {
  id: number;
  path: string;
  meta: NodeMeta;
  /** Regular file with bytes. */
  content?: ContentRef;
  /** Hard link to this earlier path of the same output layer. */
  linkTo?: string;
}

export async function slimImage(source: Image, options: SlimOptions = {}): Promise<SlimResult> {
  const [config, sourceDigest, layers] = await Promise.all([
    source.config(),
    source.configDigest(),
    source.layers(),
  ]);
  const scan = { verify: options.verify !== false, ...(options.signal ? { signal: options.signal } : {}) };
  const step = options.onStep ?? (() => {});
  step(
    `reading ${layers.length} ${layers.length === 1 ? 'layer' : 'layers'} (${formatBytes(layers.reduce((sum, layer) => sum + layer.size, 0))} as stored)`,
  );
  const final = await readFinalTree(layers, scan);
  const { tree } = final;

  // Step 2: leftovers.
  const categories = options.remove ?? new Set<string>(DEFAULT_REMOVE);
  const removedIds = findLeftovers(final, config, categories);
  if (options.select) {
    const selection = await options.select(final, config, layers);
    for (const id of [...removedIds.keys()]) if (selection.isKept(id)) removedIds.delete(id);
    for (const [id, removal] of selection.removed) if (!removedIds.has(id)) removedIds.set(id, removal);
  }
  settleHardLinkSizes(tree, removedIds);

  // Step 1: which output layer each kept node goes to.
  const groups = planLayers(layers.length, options.layers, baseLayerCount(config, layers.length));
  const groupOfLayer = new Int32Array(layers.length);
  groups.forEach(([a, b], g) => {
    for (let i = a; i <= b; i++) groupOfLayer[i] = g;
  });
  const nodeGroup = new Map<number, number>();
  const inodeGroup = new Map<number, number>();
  const kept: Array<{ id: number; path: string }> = [];
  tree.walk((id, path) => {
    if (removedIds.has(id)) return;
    kept.push({ id, path });
    if (tree.kindOf(id) === KIND_DIRECTORY) return;
    const g = groupOfLayer[tree.writerOf(id)] ?? 0;
    nodeGroup.set(id, g);
    const inode = tree.inodeGroupOf(id);
    if (inode !== undefined) inodeGroup.set(inode, Math.min(inodeGroup.get(inode) ?? g, g));
  });
  for (const [id] of nodeGroup) {
    const inode = tree.inodeGroupOf(id);
    if (inode !== undefined) nodeGroup.set(id, inodeGroup.get(inode)!);
  }
  // Directories: the first output layer needing them (their own writer's, or a descendant's).
  for (const { id } of kept) {
    if (tree.kindOf(id) === KIND_DIRECTORY && !nodeGroup.has(id)) {
      nodeGroup.set(id, groupOfLayer[tree.writerOf(id)] ?? 0);
    }
  }
  for (const [id, g] of [...nodeGroup]) {
    for (let p = tree.parentOf(id); p > ROOT; p = tree.parentOf(p)) {
      const current = nodeGroup.get(p);
      if (current !== undefined && current <= g) break;
      nodeGroup.set(p, g);
    }
  }

  const perGroup: OutEntry[][] = groups.map(() => []);
  const firstNameOfInode = new Map<number, string>();
  const needed = new Map<string, ContentRef>(); // "layer:ordinal" → ref
  const keyOf = (ref: ContentRef) => `${ref.layer}:${ref.ordinal}`;
  for (const { id, path } of kept) {
    const g = nodeGroup.get(id) ?? 0;
    const kind = tree.kindOf(id);
    let meta = final.meta.get(id);
    const stale =
      meta?.type !== 'directory' || meta.layer !== tree.writerOf(id) || meta.mode !== tree.modeOf(id);
    if (kind === KIND_DIRECTORY && stale) {
      // Implied by a path below it (or replacing a file for one): what the runtime would create.
      meta = { type: 'directory', mode: tree.modeOf(id), uid: 0, gid: 0, mtime: 0, layer: tree.writerOf(id) };
    }
    const entry: OutEntry = {
      id,
      path: path.slice(1),
      meta: meta ?? { type: 'other', mode: 0, uid: 0, gid: 0, mtime: 0, layer: 0 },
    };
    if (kind === KIND_FILE) {
      const inode = tree.inodeGroupOf(id);
      const first = inode === undefined ? undefined : firstNameOfInode.get(inode);
      if (first !== undefined) entry.linkTo = first;
      else {
        if (inode !== undefined) firstNameOfInode.set(inode, entry.path);
        const ref = final.content.get(id);
        if (ref && ref.size > 0) {
          entry.content = ref;
          needed.set(keyOf(ref), ref);
        }
      }
    }
    perGroup[g]!.push(entry);
  }

  // Registered, so Ctrl-C (or an exit before dispose) removes it too.
  const { path: work, handle: workHandle } = await temporaryDirectory('pare-slim-', options.tempDir);
  const dispose = () => workHandle.runNow();
  try {
    step(
      `copying the kept contents (${formatBytes([...needed.values()].reduce((sum, ref) => sum + ref.size, 0))})`,
    );
    const spool = await spoolContents(source, needed, join(work, 'contents'), scan);
    const mtimeLimit = options.mtime ?? defaultMtime(config);
    const compression = options.compression ?? 'gzip';
    const blobs: BlobFile[] = [];
    let uncompressedBytes = 0;
    const outputLayerBytes: number[] = [];
    // One layer at a time: each one's gzip already runs on every core (ParallelGzip).
    for (const [g, entries] of perGroup.entries()) {
      step(`writing layer ${g + 1} of ${perGroup.length} (${entries.length} entries, ${compression})`);
      const pack = tarStream.pack();
      // When the blob writer fails it closes the pipe, and the pack errors: writeEntries sees that through its entry callbacks.
      pack.on('error', () => {});
      const counter = new PassThrough();
      let tarBytes = 0;
      counter.on('data', (chunk: Buffer) => {
        tarBytes += chunk.length;
      });
      const blob = writeLayerBlob(pack.pipe(counter), join(work, `layer-${g}`), {
        compression,
        ...(options.compression === 'zstd'
          ? options.zstdLevel !== undefined
            ? { level: options.zstdLevel }
            : {}
          : options.gzipLevel !== undefined
            ? { level: options.gzipLevel }
            : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const writing = writeEntries(pack, entries, spool, mtimeLimit, keyOf, options.signal);
      const [written] = await Promise.all([blob, writing]);
      uncompressedBytes += tarBytes;
      outputLayerBytes.push(tarBytes);
      blobs.push(written);
    }

    const removed = [...removedIds.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const removedByReason: Record<string, { files: number; bytes: number }> = {};
    for (const item of removed) {
      const tally = removedByReason[item.reason] ?? { files: 0, bytes: 0 };
      removedByReason[item.reason] = tally;
      tally.files++;
      tally.bytes += item.size;
    }
    const newConfig = rewriteConfig(config, blobs, groups, sourceDigest, removedByReason);
    const written: ImageToWrite = { config: Buffer.from(JSON.stringify(newConfig)), layers: blobs };
    const image = await localImageOf(written, work, `${source.reference} (slim)`, dispose);
    return {
      image,
      blobs: written,
      config: newConfig,
      sourceDigest,
      removed,
      removedByReason,
      input: {
        compressedBytes: layers.reduce((sum, l) => sum + l.size, 0),
        uncompressedBytes: final.layerTarBytes.reduce((sum, bytes) => sum + bytes, 0),
        compression: storedAs(layers.map((l) => l.compression)),
        layers: layers.length,
      },
      output: {
        compressedBytes: blobs.reduce((sum, b) => sum + b.size, 0),
        uncompressedBytes,
        compression,
        layers: blobs.length,
      },
      inputLayerBytes: final.layerTarBytes,
      outputLayerBytes,
      groups,
      workDir: work,
      dispose: () => image.close(),
      ...(options.treeMap
        ? { treeMap: treeMap(tree, { ...options.treeMap, leftovers: removedIds.keys() }) }
        : {}),
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/** The written image as an Image whose blobs are the files in `work`; closing it runs `release`. */
async function localImageOf(
  written: ImageToWrite,
  work: string,
  reference: string,
  release: () => Promise<void>,
): Promise<Image> {
  const configPath = join(work, 'config.json');
  await writeFile(configPath, written.config);
  const manifest = ociManifest(written);
  const config: LocalBlob = { path: configPath, offset: 0, length: written.config.length };
  return new LocalImage({
    reference,
    manifest: JSON.parse(manifest.bytes.toString('utf8')) as Manifest,
    locate: (_digest, index) => {
      if (index < 0) return config;
      const layer = written.layers[index];
      return layer && { path: layer.path, offset: 0, length: layer.size };
    },
    release,
  });
}

interface Spool {
  path: string;
  offsets: Map<string, number>;
}

/**
 * Copies the needed file contents from the input layers into one spool file;
 * returns where each landed. Writes are synchronous: into the page cache they
 * take microseconds, where an asynchronous write per chunk cost a thread-pool
 * round trip for every file kept.
 */
async function spoolContents(
  source: Image,
  needed: Map<string, ContentRef>,
  path: string,
  scan: { verify: boolean; signal?: AbortSignal },
): Promise<Spool> {
  const layers = await source.layers();
  const offsets = new Map<string, number>();
  const fd = openSync(path, 'w');
  let position = 0;
  try {
    await scanContents(
      layers,
      [...needed.values()].map((ref): [ContentRef, ContentRef] => [ref, ref]),
      (_entry, _refs, at): ContentSink => {
        offsets.set(`${at.layer}:${at.ordinal}`, position);
        return {
          // Written before write() returns: the walker may hand over views of buffers it reuses.
          copiesChunks: true,
          write: (chunk) => {
            let written = 0;
            while (written < chunk.length) {
              written += writeSync(fd, chunk, written, chunk.length - written, position + written);
            }
            position += chunk.length;
          },
          end: () => {},
        };
      },
      scan,
    );
  } finally {
    closeSync(fd);
  }
  return { path, offsets };
}

const TAR_TYPES: Record<NodeMeta['type'], tarStream.Header['type']> = {
  file: 'file',
  directory: 'directory',
  symlink: 'symlink',
  hardlink: 'link',
  char: 'character-device',
  block: 'block-device',
  fifo: 'fifo',
  other: 'file',
};

const MAX_USTAR_ID = 0o777777;
const EMPTY = Buffer.alloc(0);
/**
 * Contents up to this size go into the pack as one buffer, read with one
 * positioned read; larger ones stream. A stream per file (open, reads, close,
 * each a thread-pool round trip) made writing an image of 75 k small files
 * take most of a minute.
 */
const WHOLE_CONTENT_MAX = 1024 * 1024;

async function writeEntries(
  pack: tarStream.Pack,
  entries: OutEntry[],
  spool: Spool,
  mtimeLimit: number,
  keyOf: (ref: ContentRef) => string,
  signal: AbortSignal | undefined,
): Promise<void> {
  // Entries without contents settle in microtasks only: let signals in now and then.
  const breathe = eventLoopTurns(signal);
  const spoolFd = openSync(spool.path, 'r');
  try {
    for (const entry of entries) {
      await breathe();
      const { meta } = entry;
      const header = {
        name: entry.path,
        mode: meta.mode,
        uid: meta.uid,
        gid: meta.gid,
        mtime: new Date(Math.min(meta.mtime, mtimeLimit) * 1000),
        type: TAR_TYPES[meta.type],
        size: 0,
      } as tarStream.Header;
      if (meta.uid > MAX_USTAR_ID || meta.gid > MAX_USTAR_ID) {
        header.pax = { uid: String(meta.uid), gid: String(meta.gid) };
      }
      if (entry.linkTo !== undefined) {
        header.type = 'link';
        header.linkname = entry.linkTo;
      } else if (meta.type === 'symlink') {
        header.linkname = meta.linkname ?? '';
      } else if (meta.type === 'other' || meta.type === 'hardlink') {
        header.type = 'file';
      }
      if (meta.devmajor !== undefined && (meta.type === 'char' || meta.type === 'block')) {
        header.devmajor = meta.devmajor;
        header.devminor = meta.devminor ?? 0;
      }
      // Between entries (the previous one has ended): the pax header that carries the xattrs.
      const paxBytes = xattrPaxHeader(header, meta.xattrs);
      if (paxBytes) pack.push(paxBytes);
      if (entry.content) {
        const ref = entry.content;
        const start = spool.offsets.get(keyOf(ref));
        if (start === undefined) throw new Error(`slim: contents of ${entry.path} were not spooled`);
        header.size = ref.size;
        if (ref.size <= WHOLE_CONTENT_MAX) {
          const contents = readSpooled(spoolFd, start, ref.size, spool.path);
          await new Promise<void>((resolve, reject) => {
            pack.entry(header, contents, (error) => (error ? reject(error) : resolve())).on('error', reject);
          });
        } else {
          await new Promise<void>((resolve, reject) => {
            const sink = pack.entry(header, (error) => (error ? reject(error) : resolve()));
            pipeline(createReadStream(spool.path, { start, end: start + ref.size - 1 }), sink).catch(reject);
          });
        }
      } else {
        await new Promise<void>((resolve, reject) => {
          const sink = pack.entry(header, EMPTY, (error) => (error ? reject(error) : resolve()));
          // A pack destroyed meanwhile (Ctrl-C, a failed blob) errors this entry too: not an uncaught error.
          sink.on('error', reject);
        });
      }
    }
    pack.finalize();
  } catch (error) {
    pack.destroy(error as Error);
    throw error;
  } finally {
    closeSync(spoolFd);
  }
}

/** `size` bytes of the spool at `start`; the spool was written whole, so a short read is a bug. */
function readSpooled(fd: number, start: number, size: number, path: string): Buffer {
  const contents = Buffer.allocUnsafe(size);
  let filled = 0;
  while (filled < size) {
    const got = readSync(fd, contents, filled, size - filled, start + filled);
    if (got === 0) throw new Error(`slim: ${path} ends at byte ${start + filled}, inside spooled contents`);
    filled += got;
  }
  return contents;
}

function rewriteConfig(
  config: ImageConfig,
  blobs: BlobFile[],
  groups: Array<[number, number]>,
  sourceDigest: Digest,
  removedByReason: Record<string, { files: number; bytes: number }>,
): ImageConfig {
  const lastOfGroup = new Set(groups.map(([, b]) => b));
  let history: HistoryEntry[];
  const original = config.history;
  if (
    original &&
    original.filter((h) => !h.empty_layer).length === groups.reduce((n, [a, b]) => n + b - a + 1, 0)
  ) {
    // Keep every step's text; a layer survives as the last input layer of its group.
    let layer = -1;
    history = original.map((entry) => {
      if (entry.empty_layer) return { ...entry };
      layer++;
      if (lastOfGroup.has(layer)) return { ...entry };
      return { ...entry, empty_layer: true };
    });
  } else {
    history = blobs.map((_, g) => ({
      created_by: `pare slim: input layers ${groups[g]![0]}-${groups[g]![1]}`,
    }));
  }
  history.push({
    ...(config.created ? { created: config.created } : {}),
    created_by: `pare slim ${VERSION}`,
    comment: 'pare slim: unreachable bytes and leftovers removed',
    empty_layer: true,
  });
  const labels = { ...(config.config?.Labels ?? {}) };
  labels[LABEL_SOURCE] = sourceDigest;
  labels[LABEL_VERSION] = VERSION;
  labels[LABEL_REMOVED] = JSON.stringify(removedByReason);
  return {
    ...config,
    config: { ...(config.config ?? {}), Labels: labels },
    rootfs: { type: 'layers', diff_ids: blobs.map((b) => b.diffId) },
    history,
  };
}
