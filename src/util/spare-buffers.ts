/**
 * Buffers of one size handed back by work that has finished, for the next
 * piece of work to take. V8 frees a dropped buffer only at a later garbage
 * collection, and buffers dropped one per layer walked or per ELF file read
 * piled up as external memory until then, part of inspect's peak RSS.
 *
 * A buffer given back must not be read or written by its giver any more: the
 * next taker overwrites it.
 */
export class SpareBuffers {
  private readonly spare: Buffer[] = [];

  /** `keep`: at most this many wait for a taker; more are left to the collector. */
  constructor(
    readonly size: number,
    private readonly keep: number,
  ) {}

  take(): Buffer {
    // Its own memory, never a slice of the shared pool, so that it can be kept.
    return this.spare.pop() ?? Buffer.allocUnsafeSlow(this.size);
  }

  give(buffer: Buffer): void {
    // A view (subarray) of a larger buffer is not this pool's to keep.
    if (buffer.length !== this.size || buffer.byteOffset !== 0) return;
    if (buffer.buffer.byteLength !== this.size) return;
    if (this.spare.length < this.keep && !this.spare.includes(buffer)) this.spare.push(buffer);
  }
}
