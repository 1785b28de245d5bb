/**
 * When V8 optimizes the hot functions of a command that reads a small image.
 *
 * V8 hands a function to its optimizing compiler once the function has run a
 * budget of bytecode (the interrupt budget, 66 KB by default). Reading a small
 * image takes well under a second: the compiler's background threads then
 * take the second core from the hash worker and the walk, and the run ends
 * before the faster code pays that back. A larger budget optimizes only what
 * stays hot. Measured with the inspect benchmark (paired runs, 2 cores), a
 * budget of 400 KB took the 295 MB image to ~0.85× the time, verified or not,
 * left the 1.3 GB one unchanged and made the 2.4 GB one 2–3% slower; so it
 * applies below 1 GiB of layer tar bytes, and larger reads keep V8's default.
 *
 * The budget is read whenever a function's budget is reset, so setting it at
 * run time, before the layers are read, takes effect for the walk.
 */
import { setFlagsFromString } from 'node:v8';
import type { Layer } from '../image/types.js';

/** Layer tar bytes below which a read counts as short. */
export const SHORT_READ_BYTES = 1024 ** 3;
const SHORT_READ_BUDGET = 400 * 1024;
/** A compressed layer's tar is estimated at this many times its blob. */
const ESTIMATED_INFLATION = 3;

/** The layers' tar bytes: the blob size of an uncompressed layer, an estimate for a compressed one. */
export function estimatedTarBytes(layers: readonly Pick<Layer, 'size' | 'compression'>[]): number {
  let bytes = 0;
  for (const layer of layers)
    bytes += layer.compression === 'none' ? layer.size : layer.size * ESTIMATED_INFLATION;
  return bytes;
}

export function isShortRead(layers: readonly Pick<Layer, 'size' | 'compression'>[]): boolean {
  return estimatedTarBytes(layers) < SHORT_READ_BYTES;
}

/** Before reading `layers`: a short read optimizes later (see above). */
export function tierForRead(layers: readonly Pick<Layer, 'size' | 'compression'>[]): void {
  if (isShortRead(layers)) setFlagsFromString(`--interrupt-budget=${SHORT_READ_BUDGET}`);
}
