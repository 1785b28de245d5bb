/**
 * Joins a source and its transform stages into one Readable whose errors are
 * one-line PareErrors. `stream.pipeline` destroys every stage with the first
 * error; the last stage rewrites that error in `_destroy`, so consumers see
 * "layer …: corrupt gzip data" instead of a bare zlib error.
 */
import { type Duplex, PassThrough, pipeline, type Readable } from 'node:stream';

class TranslatingPassThrough extends PassThrough {
  constructor(private readonly translate: (error: Error) => Error) {
    super();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    callback(error ? this.translate(error) : error);
  }
}

export function chainStreams(
  source: Readable,
  stages: Duplex[],
  translate: (error: Error) => Error,
): Readable {
  const out = new TranslatingPassThrough(translate);
  pipeline([source, ...stages, out], () => {
    // Errors reach the consumer through `out`; nothing else to do here.
  });
  return out;
}
