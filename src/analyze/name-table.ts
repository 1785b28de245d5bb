/**
 * The file tree's names, each stored once and known by a small integer id.
 *
 * A Map<string, number> did this before: on an image of 218 k mostly unique
 * names, interning was the largest single cost of building the tree (a Map
 * hashes every fresh string and rehashes as it grows) and each entry took some
 * 40 bytes besides the string. Here the hash is FNV-1a over the UTF-16 code
 * units, kept per id in a typed array, and the slots are an open-addressing
 * Int32Array at most half full: 12 bytes a name at most besides the string.
 */

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

function hashOf(name: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), FNV_PRIME);
  return h;
}

/**
 * V8 keeps a substring of 13 or more characters as a view of its parent
 * string: a name sliced from an entry's path would keep the whole path alive.
 * A JSON round trip makes a flat string of its own, exactly the same for
 * any string (lone surrogates included), as fast as concatenating and slicing
 * again, which would keep a view of the copy (32 bytes more a name).
 */
function ownCopy(name: string): string {
  return name.length >= 13 ? (JSON.parse(JSON.stringify(name)) as string) : name;
}

export class NameTable {
  private readonly texts: string[] = [];
  private hashes = new Int32Array(1024);
  private slots = new Int32Array(2048);
  private mask = 2047;

  constructor() {
    this.intern('');
  }

  /** Names held, the empty name included. */
  get size(): number {
    return this.texts.length;
  }

  /** The id of `name`, adding it if new. Ids count up from 0 (the empty name). */
  intern(name: string): number {
    const hash = hashOf(name);
    const slot = this.slotOf(name, hash);
    if (this.slots[slot] !== 0) return this.slots[slot]! - 1;
    const id = this.texts.length;
    this.texts.push(ownCopy(name));
    if (id === this.hashes.length) {
      const grown = new Int32Array(this.hashes.length * 2);
      grown.set(this.hashes);
      this.hashes = grown;
    }
    this.hashes[id] = hash;
    if ((id + 1) * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    else this.slots[slot] = id + 1;
    return id;
  }

  /** The id of `name`, or -1 when the table has never seen it. */
  find(name: string): number {
    return this.slots[this.slotOf(name, hashOf(name))]! - 1;
  }

  text(id: number): string {
    return this.texts[id]!;
  }

  /** Approximate heap bytes: the strings, their array slots, hashes and slots. */
  approxMemoryBytes(): number {
    let bytes = this.hashes.length * 4 + this.slots.length * 4;
    for (const text of this.texts) bytes += 2 * text.length + 24 + 8;
    return bytes;
  }

  /** The slot holding `name`, or the empty slot where it would go. */
  private slotOf(name: string, hash: number): number {
    let slot = hash & this.mask;
    for (;;) {
      const entry = this.slots[slot]!;
      if (entry === 0 || (this.hashes[entry - 1] === hash && this.texts[entry - 1] === name)) return slot;
      slot = (slot + 1) & this.mask;
    }
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    for (let id = 0; id < this.texts.length; id++) {
      let slot = this.hashes[id]! & this.mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
      this.slots[slot] = id + 1;
    }
  }
}
