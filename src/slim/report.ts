/**
 * The `pare slim` report: what was read, what was written, every removed path
 * and (with `--minimal`) every kept path, each with its size and the reason.
 * One data shape for `--report FILE` (JSON, schemas/slim-v1.json) and the
 * HTML page (report/slim-html.ts).
 */
import type { Digest, HistoryEntry, Layer } from '../image/types.js';
import type { ReasonTally, ReportedPath } from '../reach/paths.js';
import type { SlimResult, StoredAs } from './slim.js';

export interface ReportedLayer {
  /** The history step that made it (`created_by`), when known. */
  createdBy?: string;
  /** As stored: compressed, or the tar itself for a layer stored uncompressed. */
  compressedBytes: number;
  /** The tar's length: pare reads every input layer and writes every output layer whole. */
  uncompressedBytes?: number;
}

export interface SlimReport {
  schemaVersion: 'pare.slim/v1';
  source: {
    reference: string;
    configDigest: Digest;
    compressedBytes: number;
    uncompressedBytes: number;
    compression: StoredAs;
    layers: number;
  };
  output: { compressedBytes: number; uncompressedBytes: number; compression: StoredAs; layers: number };
  /** Input layer ranges [first, last] merged into each output layer. */
  layerGroups: Array<[number, number]>;
  /** Input and output layers, bottom to top, for the per-layer comparison. */
  layers: { before: ReportedLayer[]; after: ReportedLayer[] };
  removedByReason: Record<string, ReasonTally>;
  removedBytes: number;
  removed: ReportedPath[];
  /** Present with `--minimal`. */
  minimal?: {
    /** The level the written image is at: `minimal`, or `leftovers` after a failed minimal proof. */
    level: 'minimal' | 'leftovers';
    /** Why pare fell back to the leftovers level (the failed proof, and missing paths when the tracer saw them). */
    fallbackReason?: string;
    /** Paths the slim image tried to open that it no longer has (from a traced run of the slim image). */
    missing?: string[];
    kept: ReportedPath[];
    keptByReason: Record<string, ReasonTally>;
  };
  /** Present when both images ran with the same probe. */
  probe?: {
    spec: string;
    original: string;
    slim: string;
    same: boolean;
    why?: string;
    /** Stricter checks (e.g. every statically imported Python module imports in the slim image). */
    checks?: Array<{ name: string; ok: boolean; detail: string }>;
    /** `docker images` sizes. */
    engineSize?: { original: number; slim: number };
  };
}

/** How layers are stored, in words: plain tar, gzip, zstd, or mixed. */
export function storageName(storedAs: StoredAs): string {
  return storedAs === 'none' ? 'plain tar' : storedAs;
}

export interface SlimReportExtras {
  /** The input image's history, to name the input layers. */
  history?: HistoryEntry[];
  minimal?: SlimReport['minimal'];
  probe?: SlimReport['probe'];
}

/** What the report reads of a SlimResult (slim.ts). */
export type SlimOutcome = Pick<
  SlimResult,
  | 'sourceDigest'
  | 'input'
  | 'output'
  | 'inputLayerBytes'
  | 'outputLayerBytes'
  | 'groups'
  | 'removedByReason'
  | 'removed'
> & { blobs: { layers: ReadonlyArray<{ size: number }> }; config: { history?: HistoryEntry[] } };

/**
 * The report of one slim run: the SlimResult, the input's layers as stored
 * (a layer stored uncompressed, as the daemon's `docker save` gives, is its
 * own uncompressed size), and what the CLI learned by running both images.
 */
export function buildSlimReport(
  reference: string,
  result: SlimOutcome,
  inputLayers: ReadonlyArray<Pick<Layer, 'size' | 'compression'>>,
  extras: SlimReportExtras = {},
): SlimReport {
  const layerSteps = (history: SlimReportExtras['history'], count: number): Array<string | undefined> => {
    const steps = (history ?? []).filter((h) => !h.empty_layer).map((h) => h.created_by);
    return steps.length === count ? steps : Array.from({ length: count }, () => undefined);
  };
  const beforeSteps = layerSteps(extras.history, inputLayers.length);
  const afterSteps = layerSteps(result.config.history, result.blobs.layers.length);
  return {
    schemaVersion: 'pare.slim/v1',
    source: { reference, configDigest: result.sourceDigest, ...result.input },
    output: result.output,
    layerGroups: result.groups,
    layers: {
      before: inputLayers.map((layer, i) => ({
        ...(beforeSteps[i] ? { createdBy: beforeSteps[i] } : {}),
        compressedBytes: layer.size,
        ...(result.inputLayerBytes[i] !== undefined
          ? { uncompressedBytes: result.inputLayerBytes[i] }
          : layer.compression === 'none'
            ? { uncompressedBytes: layer.size }
            : {}),
      })),
      after: result.blobs.layers.map((layer, i) => ({
        ...(afterSteps[i] ? { createdBy: afterSteps[i] } : {}),
        compressedBytes: layer.size,
        ...(result.outputLayerBytes[i] !== undefined
          ? { uncompressedBytes: result.outputLayerBytes[i] }
          : {}),
      })),
    },
    removedByReason: result.removedByReason,
    removedBytes: result.removed.reduce((sum, r) => sum + r.size, 0),
    removed: result.removed,
    ...(extras.minimal ? { minimal: extras.minimal } : {}),
    ...(extras.probe ? { probe: extras.probe } : {}),
  };
}
