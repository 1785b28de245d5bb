/**
 * `inspectImage`: reads every layer once, entry by entry, into the merged file
 * tree (reading the bytes of likely ELF files on the way), then derives the
 * report: per-layer sizes and changes tied to their instructions, dive's and
 * pare's waste figures, leftovers, and the largest paths. The result is a
 * plain object, the same one the text and JSON reports render.
 *
 * Layers can be read concurrently (inflating and hashing one while another is
 * applied): entries of a layer that is not next in order are buffered as
 * they arrive and applied, in order, when their turn comes.
 */
import { posix } from 'node:path';
import { hashQueuedHere, stopIdleHashWorkers } from '../image/hash-pool.js';
import {
  defaultConcurrency,
  hashLayersAhead,
  type ScanLayerOptions,
  scanLayer,
} from '../image/tar/layer-scan.js';
import type { ContentSink, TarVisitor } from '../image/tar/tar.js';
import type { Image, ImageConfig, Layer, TarEntry } from '../image/types.js';
import { treeDetectSource } from './detect-source.js';
import { DETECTORS, type Finding, runDetectors } from './detectors/index.js';
import { type EfficiencyFigures, efficiencyFigures } from './efficiency.js';
import { type ElfInfo, ElfReader } from './elf.js';
import { type ChangeTally, FileTree } from './file-tree.js';
import {
  cleanCreatedBy,
  type DockerfileLocation,
  finalStageInstructions,
  mapHistoryToDockerfile,
  mapLayersToHistory,
  readDockerfileInstructions,
} from './history.js';
import {
  type DirectorySize,
  largestDirectories,
  largestFiles,
  type PathSize,
  SizeIndex,
  type TreeViewNode,
  treeView,
} from './top-paths.js';
import { type TreeMapLimits, type TreeMapNode, treeMap } from './tree-map.js';

const INSPECT_SCHEMA_VERSION = 'pare.inspect/v1';

export interface InspectProgress {
  /** Layer being read (0-based) and how many there are. */
  layer: number;
  layers: number;
  /** Uncompressed tar bytes read so far, all layers. */
  bytesRead: number;
  /** Compressed bytes of the layers completely read. */
  compressedDone: number;
  /** Compressed bytes of all layers. */
  compressedTotal: number;
}

export interface InspectOptions {
  /** Verify blob digests while reading (default true). */
  verify?: boolean;
  /** Entries in the largest files / directories and inefficient paths lists (default 10). */
  top?: number;
  /** Include a size-annotated tree down to this depth. */
  tree?: { depth: number; maxChildren?: number };
  /** Called with the image's layers once they are known, before any is read. */
  onLayers?: (layers: readonly Layer[]) => void;
  /** Include the final filesystem reduced to a node budget, leftovers marked (`treeMap`, for the HTML report). */
  treeMap?: TreeMapLimits;
  /** Map layers to the lines of this Dockerfile. */
  dockerfile?: { path: string; text: string };
  /** Read the bytes of likely ELF files for the binary detectors (default true). */
  readElf?: boolean;
  /** Layers read at once (default: two when two or more need inflating, else one; see defaultConcurrency). */
  concurrency?: number;
  onProgress?: (progress: InspectProgress) => void;
  signal?: AbortSignal;
  /** Inefficient paths (dive's list) to include (default: `top`). */
  inefficientPaths?: number;
}

export interface LayerReport {
  index: number;
  digest: string;
  diffId: string;
  mediaType: string;
  /** Stored (compressed) blob size. */
  compressedBytes: number;
  /** Length of the uncompressed tar. */
  uncompressedBytes: number;
  /** Sum of entry sizes (dive's layer size). */
  contentBytes: number;
  entries: number;
  /** Cleaned instruction, e.g. `RUN apt-get update`; empty when the history does not say. */
  instruction: string;
  createdBy: string;
  historyIndex: number | null;
  created?: string;
  dockerfile?: DockerfileLocation;
  added: ChangeTally;
  modified: ChangeTally;
  removed: ChangeTally;
  /** The largest of those deleted paths (at most 10), largest first; absent when the layer deleted none. */
  removedPaths?: Array<{ path: string; bytes: number }>;
  /** Bytes this layer wrote that the final filesystem does not contain. */
  wastedBytes: number;
}

export interface InefficientPath {
  path: string;
  /** Layers (dive: leaf visits) the path appears in. */
  count: number;
  bytes: number;
}

export interface InspectResult {
  schemaVersion: typeof INSPECT_SCHEMA_VERSION;
  image: {
    reference: string;
    configDigest: string;
    os: string;
    architecture: string;
    variant?: string;
    created?: string;
  };
  size: {
    compressedBytes: number;
    uncompressedBytes: number;
    contentBytes: number;
    finalBytes: number;
    files: number;
    directories: number;
    symlinks: number;
    others: number;
  };
  layers: LayerReport[];
  efficiency: EfficiencyFigures & { inefficientPaths: InefficientPath[] };
  leftovers: Finding[];
  /** Sum of leftovers' bytes (each byte counted once). */
  leftoverBytes: number;
  topFiles: PathSize[];
  topDirectories: DirectorySize[];
  tree?: TreeViewNode;
  treeMap?: TreeMapNode;
  warnings: string[];
}

export async function inspectImage(image: Image, options: InspectOptions = {}): Promise<InspectResult> {
  const [config, configDigest, layers] = await Promise.all([
    image.config(),
    image.configDigest(),
    image.layers(),
  ]);
  options.onLayers?.(layers);
  const tree = new FileTree();
  const elf = new Map<number, ElfInfo>();
  tree.onContentGone = (id) => elf.delete(id);

  const scanned = await readLayers(tree, elf, layers, options);
  await stopIdleHashWorkers();
  const tallies = tree.layerTallies();
  const summary = tree.summary();
  const figures = efficiencyFigures(tree.dive, tallies, summary);
  const warnings: string[] = [];

  const history = mapLayersToHistory(config, layers.length);
  if (history.warning) warnings.push(history.warning);
  const locations = options.dockerfile
    ? await dockerfileLocations(config, options.dockerfile.text)
    : undefined;
  if (
    options.dockerfile &&
    locations &&
    !history.layers.some((o) => o.historyIndex !== null && locations[o.historyIndex])
  ) {
    warnings.push(`no layer matched an instruction of ${options.dockerfile.path}`);
  }

  const layerReports: LayerReport[] = layers.map((layer, index) => {
    const tally = tallies[index]!;
    const origin = history.layers[index]!;
    const report: LayerReport = {
      index,
      digest: layer.digest,
      diffId: layer.diffId,
      mediaType: layer.mediaType,
      compressedBytes: layer.size,
      uncompressedBytes: scanned[index]!.bytes,
      contentBytes: tally.contentBytes,
      entries: tally.entries,
      instruction: origin.instruction,
      createdBy: origin.createdBy,
      historyIndex: origin.historyIndex,
      added: tally.added,
      modified: tally.modified,
      removed: tally.removed,
      wastedBytes: tally.wastedBytes,
    };
    if (origin.created) report.created = origin.created;
    const removedPaths = tree.removedBy(index);
    if (removedPaths.length > 0) report.removedPaths = removedPaths;
    const location = origin.historyIndex === null ? undefined : locations?.[origin.historyIndex];
    if (location) report.dockerfile = location;
    return report;
  });

  const sizes = new SizeIndex(tree);
  const leftovers = runDetectors(treeDetectSource(tree, sizes, config, elf), {
    detectors: DETECTORS,
    instructionOf: (layer) => layerReports[layer]?.instruction || null,
  });
  const top = options.top ?? 10;
  const result: InspectResult = {
    schemaVersion: INSPECT_SCHEMA_VERSION,
    image: {
      reference: image.reference,
      configDigest,
      os: config.os,
      architecture: config.architecture,
      ...(config.variant ? { variant: config.variant } : {}),
      ...(config.created ? { created: config.created } : {}),
    },
    size: {
      compressedBytes: layers.reduce((sum, layer) => sum + layer.size, 0),
      uncompressedBytes: scanned.reduce((sum, s) => sum + s.bytes, 0),
      contentBytes: figures.pare.contentBytes,
      finalBytes: summary.bytes,
      files: summary.files,
      directories: summary.directories,
      symlinks: summary.symlinks,
      others: summary.others,
    },
    layers: layerReports,
    efficiency: {
      ...figures,
      inefficientPaths: tree.dive
        .repeatedPaths(options.inefficientPaths ?? top)
        .map((p) => ({ path: tree.pathOf(p.id), count: p.count, bytes: p.bytes })),
    },
    leftovers,
    leftoverBytes: leftovers.reduce((sum, f) => sum + f.bytes, 0),
    topFiles: largestFiles(tree, top),
    topDirectories: largestDirectories(tree, top, sizes),
    warnings,
  };
  if (options.treeMap) {
    result.treeMap = treeMap(tree, {
      ...options.treeMap,
      sizes,
      leftovers: leftovers.flatMap((finding) => finding.paths.map((path) => tree.lookup(path))),
    });
  }
  if (options.tree) {
    result.tree = treeView(tree, {
      depth: options.tree.depth,
      sizes,
      ...(options.tree.maxChildren !== undefined ? { maxChildren: options.tree.maxChildren } : {}),
    });
  }
  return result;
}

async function dockerfileLocations(
  config: ImageConfig,
  text: string,
): Promise<Array<DockerfileLocation | null>> {
  const instructions = finalStageInstructions(await readDockerfileInstructions(text));
  const history = (config.history ?? []).map((entry) => cleanCreatedBy(entry.created_by ?? ''));
  return mapHistoryToDockerfile(history, instructions);
}

/**
 * Files whose bytes are worth reading for ELF headers: the reader gives up
 * after four bytes when the magic is not there, so a wide net costs little.
 */
export function wantsElfBytes(entry: TarEntry): boolean {
  if (entry.type !== 'file' || entry.size < 64) return false;
  if (entry.mode & 0o111) return true;
  const base = posix.basename(entry.path);
  if (/\.so(?:\.[0-9][^/]*)?$/.test(base) || base.endsWith('.node')) return true;
  return /(?:^|\/)lib(?:32|64|x32|exec)?\//.test(entry.path) && !base.includes('.');
}

interface PendingEntry {
  entry: TarEntry;
  /** Node id once applied. */
  id: number;
  /** ELF facts when read before the entry was applied. */
  elf: ElfInfo | undefined;
}

/**
 * Reads the layers into the tree in order, up to `concurrency` at once. The
 * layer whose turn it is applies entries as they stream; the others buffer.
 */
async function readLayers(
  tree: FileTree,
  elf: Map<number, ElfInfo>,
  layers: readonly Layer[],
  options: InspectOptions,
): Promise<Array<{ bytes: number }>> {
  const count = layers.length;
  const results: Array<{ bytes: number }> = new Array(count);
  if (count === 0) return results;
  const readElf = options.readElf !== false;
  const concurrency = Math.max(1, Math.min(options.concurrency ?? defaultConcurrency(layers), count));
  const compressedTotal = layers.reduce((sum, layer) => sum + layer.size, 0);
  const buffers = new Map<number, PendingEntry[]>();
  const scannedEarly = new Set<number>();
  const layerOffsets = new Float64Array(count);
  let current = 0;
  let compressedDone = 0;
  let lastProgress = 0;

  const progress = (layer: number, force = false) => {
    if (!options.onProgress) return;
    const bytesRead = layerOffsets.reduce((a, b) => a + b, 0);
    if (!force && bytesRead - lastProgress < 8 * 1024 * 1024) return;
    lastProgress = bytesRead;
    options.onProgress({ layer, layers: count, bytesRead, compressedDone, compressedTotal });
  };

  const applyNow = (entry: TarEntry): ContentSink | undefined => {
    const id = tree.apply(entry);
    if (id < 0 || !readElf || !wantsElfBytes(entry)) return undefined;
    return new ElfReader(entry.size, (info) => {
      if (info) elf.set(id, info);
    });
  };

  const applyPending = (pending: PendingEntry) => {
    pending.id = tree.apply(pending.entry);
    if (pending.id >= 0 && pending.elf) elf.set(pending.id, pending.elf);
  };

  const finishCurrent = () => {
    tree.endLayer();
    compressedDone += layers[current]!.size;
    current++;
    // Catch up: apply what later layers buffered, finishing those already read.
    while (current < count) {
      tree.beginLayer(current);
      const buffered = buffers.get(current);
      buffers.delete(current);
      if (buffered) for (const pending of buffered) applyPending(pending);
      if (!scannedEarly.has(current)) break;
      tree.endLayer();
      compressedDone += layers[current]!.size;
      current++;
    }
  };

  const visitorFor = (index: number): TarVisitor => {
    return (entry, location) => {
      layerOffsets[index] = location.headerOffset;
      progress(index);
      if (index === current) return applyNow(entry);
      const pending: PendingEntry = { entry, id: -1, elf: undefined };
      const buffer = buffers.get(index);
      if (buffer) buffer.push(pending);
      else buffers.set(index, [pending]);
      if (!readElf || !wantsElfBytes(entry)) return undefined;
      return new ElfReader(entry.size, (info) => {
        if (!info) return;
        // Applied meanwhile (its layer's turn came while its bytes streamed): attach now.
        if (pending.id >= 0) elf.set(pending.id, info);
        else pending.elf = info;
      });
    };
  };

  const controller = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
  // Digest checks of layers already walked, in layer order: the walk goes on while the hashing catches up.
  const checks: Array<Promise<void>> = [];
  const scanOptions: ScanLayerOptions = { verify: options.verify !== false, signal };
  if (scanOptions.verify) hashLayersAhead(layers, signal);
  tree.beginLayer(0);
  progress(0, true);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const summary = await scanLayer(layers[index]!, visitorFor(index), {
        ...scanOptions,
        deferDigestCheck: (check) => {
          checks[index] = check;
        },
      });
      results[index] = { bytes: summary.bytes };
      layerOffsets[index] = summary.bytes;
      if (index === current) finishCurrent();
      else scannedEarly.add(index);
      progress(current < count ? current : count - 1, true);
    }
  };
  try {
    try {
      await Promise.all(Array.from({ length: concurrency }, worker));
      // The walk is done: hash what no worker has started here rather than wait idle.
      if (scanOptions.verify) await hashQueuedHere(signal);
    } finally {
      // An earlier layer's digest mismatch is the error, as when each check ended its layer's scan.
      for (const check of checks) if (check) await check;
    }
  } catch (error) {
    controller.abort(error);
    throw error;
  }
  return results;
}
