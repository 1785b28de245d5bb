/**
 * Reads a layer's entries, choosing the fastest path the options allow:
 * verified (default) streams the uncompressed tar through both digest checks;
 * `verify: false` on a local uncompressed blob reads headers only and seeks
 * over contents; otherwise the tar is streamed without hashing.
 */
import { shortDigest } from '../digest.js';
import type { Layer } from '../types.js';
import { type TarSummary, type TarVisitor, type WalkTarOptions, walkTar, walkTarFile } from './tar.js';

export interface ScanLayerOptions extends Omit<WalkTarOptions, 'drainOnError'> {
  /** Check blob digest and diff_id while reading (default true). */
  verify?: boolean;
  maxUncompressedBytes?: number;
  maxCompressionRatio?: number;
}

export function describeLayer(layer: Layer): string {
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
  if (!verify && layer.compression === 'none') {
    const blob = layer.localBlob?.();
    if (blob) return walkTarFile(blob.path, blob.offset, blob.length, visitor, walkOptions);
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

/**
 * Layers scanned at once by default. Measured on 2 cores (bench/image-read.mjs):
 * two gzip layers at once were 5-10% faster than one after the other (zlib
 * inflates on the thread pool while the main thread hashes and walks), while
 * two uncompressed layers at once were 15-50% slower (both hash on the main
 * thread and only contend). So: two at once when at least two layers need
 * inflating, else one.
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
  if (options.signal?.aborted) throw options.signal.reason;
  return results;
}
