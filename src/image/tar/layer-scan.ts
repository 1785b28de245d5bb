/**
 * Reads a layer's entries, choosing the fastest path the options allow:
 * - a local uncompressed blob is walked in place, headers only, seeking over
 *   contents no visitor wants; verified (the default), its bytes are hashed
 *   meanwhile on a worker thread (hash-pool.ts) and checked at the end;
 * - anything else streams the uncompressed tar, through both digest checks
 *   when verified.
 */
import { abortReason } from '../../util/abort.js';
import { describeSystemError, PareError } from '../../util/errors.js';
import { DigestMismatchError, digestFromHex, shortDigest } from '../digest.js';
import { hashLocalRange, type RangeHash } from '../hash-pool.js';
import type { Layer, LocalBlobRange } from '../types.js';
import { type TarSummary, type TarVisitor, type WalkTarOptions, walkTar, walkTarFile } from './tar.js';

export interface ScanLayerOptions extends Omit<WalkTarOptions, 'drainOnError'> {
  /** Check blob digest and diff_id while reading (default true). */
  verify?: boolean;
  maxUncompressedBytes?: number;
  maxCompressionRatio?: number;
  /**
   * For a local uncompressed layer hashed on a worker thread: instead of
   * waiting for the hash once the walk is done, return and hand over the
   * digest check, which rejects with the error the scan would have thrown.
   * The caller may walk the next layer meanwhile, and must await every check
   * (the first failure in layer order is the scan's error) before trusting
   * what it read.
   */
  deferDigestCheck?: (check: Promise<void>) => void;
}

function describeLayer(layer: Layer): string {
  return (layer as { subject?: string }).subject ?? `layer ${shortDigest(layer.digest)}`;
}

export async function scanLayer(
  layer: Layer,
  visitor: TarVisitor,
  options: ScanLayerOptions = {},
): Promise<TarSummary> {
  const verify = options.verify !== false;
  const subject = options.subject ?? describeLayer(layer);
  const walkOptions: WalkTarOptions = {
    subject,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.unsafePaths ? { unsafePaths: options.unsafePaths } : {}),
  };
  if (layer.compression === 'none') {
    const blob = layer.localBlob?.();
    if (blob && !verify) return walkTarFile(blob.path, blob.offset, blob.length, visitor, walkOptions);
    if (blob) return scanVerifiedInPlace(layer, blob, visitor, walkOptions, options.deferDigestCheck);
  }
  const stream = await layer.uncompressed({
    verify,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.maxUncompressedBytes !== undefined
      ? { maxUncompressedBytes: options.maxUncompressedBytes }
      : {}),
    ...(options.maxCompressionRatio !== undefined
      ? { maxCompressionRatio: options.maxCompressionRatio }
      : {}),
  });
  return walkTar(stream, visitor, { ...walkOptions, drainOnError: verify });
}

/** Hashes started ahead of their layer's walk (see hashLayersAhead), each taken once. */
const hashesAhead = new WeakMap<Layer, Promise<RangeHash>>();

/**
 * Starts hashing every local uncompressed layer now, on worker threads, so
 * that walking layer 1 overlaps hashing layers 1..n instead of only layer 1.
 * A later scanLayer of each (verified) uses the hash instead of starting one.
 */
export function hashLayersAhead(layers: readonly Layer[], signal?: AbortSignal): void {
  for (const layer of layers) {
    if (layer.compression !== 'none' || hashesAhead.has(layer)) continue;
    const blob = layer.localBlob?.();
    if (!blob) continue;
    const hash = hashLocalRange(blob, signal);
    // Nobody may ever take it (the read failed before its layer): that is not an unhandled rejection.
    hash.catch(() => undefined);
    hashesAhead.set(layer, hash);
  }
}

function takeHash(layer: Layer, blob: LocalBlobRange, signal: AbortSignal | undefined): Promise<RangeHash> {
  const ahead = hashesAhead.get(layer);
  if (ahead) {
    hashesAhead.delete(layer);
    return ahead;
  }
  return hashLocalRange(blob, signal);
}

/**
 * The verified read of a local uncompressed blob: the same entries, checks
 * and errors as streaming it through the digest checks, with the hashing on
 * another thread and contents nobody reads seeked over.
 */
async function scanVerifiedInPlace(
  layer: Layer,
  blob: LocalBlobRange,
  visitor: TarVisitor,
  options: WalkTarOptions,
  deferDigestCheck?: (check: Promise<void>) => void,
): Promise<TarSummary> {
  // The digest checks name the layer as LocalLayer's own checks do.
  const subject = describeLayer(layer);
  const hash = takeHash(layer, blob, options.signal).catch((error: Error) => {
    if (error instanceof PareError || error.name === 'AbortError') throw error;
    throw new PareError(describeSystemError(error), { subject, cause: error });
  });
  // A walk that fails (or is aborted) first may leave it unawaited: not an unhandled rejection.
  hash.catch(() => undefined);
  let summary: TarSummary;
  try {
    summary = await walkTarFile(blob.path, blob.offset, blob.length, visitor, options);
  } catch (error) {
    if (!(error instanceof PareError)) throw error;
    // As when streaming: a blob that does not match its digest explains a broken tar better.
    const mismatch = await hash.then(
      (actual) => digestMismatch(layer, actual, subject),
      () => undefined,
    );
    throw mismatch ?? (await streamedTarError(layer, options)) ?? error;
  }
  const check = hash.then((actual) => {
    const mismatch = digestMismatch(layer, actual, subject);
    if (mismatch) throw mismatch;
  });
  if (deferDigestCheck) {
    check.catch(() => undefined);
    deferDigestCheck(check);
  } else {
    await check;
  }
  return summary;
}

/** The digest checks of LocalLayer.uncompressed, in its order: the blob digest, then the diff_id. */
function digestMismatch(layer: Layer, actual: RangeHash, subject: string): PareError | undefined {
  const digest = digestFromHex(actual.hex);
  if (layer.digest !== layer.diffId && digest !== layer.digest) {
    return new DigestMismatchError(layer.digest, digest, 'blob', subject);
  }
  if (digest !== layer.diffId) return new DigestMismatchError(layer.diffId, digest, 'diff_id', subject);
  return undefined;
}

/**
 * A broken tar reads as the streaming walker words it (the seeking walker
 * notices the same faults, phrased for seeking): the blob is read again,
 * entries ignored, for that message alone.
 */
async function streamedTarError(layer: Layer, options: WalkTarOptions): Promise<Error | undefined> {
  try {
    const stream = await layer.uncompressed({
      verify: false,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    await walkTar(stream, () => undefined, options);
    return undefined;
  } catch (error) {
    return error as Error;
  }
}

/**
 * Layers scanned at once by default. Measured on 2 cores (bench/image-read.mjs):
 * two gzip layers at once were 5-10% faster than one after the other (zlib
 * inflates on the thread pool while the main thread hashes and walks), while
 * two uncompressed layers at once were 15-50% slower (both hashed on the main
 * thread and only contended; local ones now hash on worker threads, ahead of
 * their walk, and walking them is the only work left on the main thread).
 * So: two at once when at least two layers need inflating, else one.
 */
export function defaultConcurrency(layers: readonly Layer[]): number {
  return layers.filter((layer) => layer.compression !== 'none').length >= 2 ? 2 : 1;
}

/**
 * Scans several layers, up to `concurrency` at once (default: see
 * defaultConcurrency). Layers are independent, so a visitor per layer
 * (`visitorFor`) keeps their results apart; summaries come back in layer order.
 */
export async function scanLayers(
  layers: readonly Layer[],
  visitorFor: (layer: Layer, index: number) => TarVisitor,
  options: ScanLayerOptions & { concurrency?: number } = {},
): Promise<TarSummary[]> {
  const { concurrency = defaultConcurrency(layers), ...scanOptions } = options;
  // The first failure stops the other scans instead of letting them read on unobserved.
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const results: TarSummary[] = new Array(layers.length);
  if (scanOptions.verify !== false) hashLayersAhead(layers, signal);
  let next = 0;
  const worker = async () => {
    while (next < layers.length && !signal.aborted) {
      const index = next++;
      const layer = layers[index]!;
      try {
        results[index] = await scanLayer(layer, visitorFor(layer, index), { ...scanOptions, signal });
      } catch (error) {
        stop.abort(error);
        throw error;
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(concurrency, layers.length)) }, worker);
  const settled = await Promise.allSettled(workers);
  const failure = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) throw stop.signal.aborted ? stop.signal.reason : failure.reason;
  if (options.signal?.aborted) throw abortReason(options.signal);
  return results;
}
