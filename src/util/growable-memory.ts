/**
 * Memory for arrays that grow as an image is read (the file tree's per-node
 * block). It grows in place, within
 * address space reserved up front and committed only as it is used, instead
 * of being copied into a new ArrayBuffer that leaves the old one to the
 * collector: a tree's earlier copies, together about twice its final size,
 * were still held at inspect's peak RSS (the collector frees a dropped
 * buffer only at a full collection, which external memory hastens little).
 *
 * It is a resizable ArrayBuffer. V8 11 (Node 20's) reads and writes typed
 * arrays on one more slowly than on a fixed one, which costs the file tree's
 * loops a few percent; the tree's hash tables, smaller and hotter, stay
 * ordinary arrays. A WebAssembly.Memory grows in place too, with views as
 * fast as any, but each growth detaches the old buffer, and the first
 * detached buffer makes V8 check for detachment in every typed array access
 * of the process from then on: the tar walk and the ELF reader slowed more
 * than the tree gained.
 */

/** What is used of a resizable ArrayBuffer, whose TypeScript declaration comes with ES2024. */
interface ResizableArrayBuffer extends ArrayBuffer {
  readonly maxByteLength: number;
  resize(byteLength: number): void;
}
const newResizable = (byteLength: number, maxByteLength: number) =>
  new (
    ArrayBuffer as unknown as new (
      byteLength: number,
      options: { maxByteLength: number },
    ) => ResizableArrayBuffer
  )(byteLength, { maxByteLength });

export class GrowableMemory {
  private memory: ResizableArrayBuffer;

  /** `byteLength` bytes, zeroed, able to grow in place to `reservedBytes`. */
  constructor(byteLength: number, reservedBytes: number) {
    this.memory = newResizable(byteLength, Math.max(byteLength, reservedBytes));
  }

  /** The bytes; after `ensure` makes them more, views of the old length must be made again. */
  get buffer(): ArrayBuffer {
    return this.memory;
  }

  /**
   * At least `byteLength` bytes, the ones there kept and new ones zeroed, in
   * place when the reservation holds them, else copied into a new buffer
   * reserving twice as much.
   */
  ensure(byteLength: number): ArrayBuffer {
    if (byteLength <= this.memory.byteLength) return this.memory;
    if (byteLength <= this.memory.maxByteLength) {
      this.memory.resize(byteLength);
      return this.memory;
    }
    // Beyond the reservation: a new buffer, with room to grow as far again.
    const bigger = newResizable(byteLength, 2 * byteLength);
    new Uint8Array(bigger).set(new Uint8Array(this.memory));
    this.memory = bigger;
    return bigger;
  }
}
