/**
 * A small ELF reader fed by streamed bytes (a ContentSink), for 32/64-bit,
 * little- and big-endian files. It never holds a whole file: it captures the
 * header, the program headers, PT_INTERP, PT_DYNAMIC, the section header table
 * and the section name table, each when the stream reaches it.
 *
 * The catch of one forward pass: `.dynstr` (the names DT_NEEDED points into)
 * sits early in the file but is only located once `.dynamic` (later) is read,
 * and `.shstrtab` usually sits just before the section headers at the end.
 * So the reader keeps the first PT_LOAD segment's bytes (capped) where linkers
 * put `.dynstr`, and a window before the section header table. When a table
 * falls outside those, the fields that need it are reported as unknown.
 */
import type { ContentSink } from '../image/tar/tar.js';
import { SpareBuffers } from '../util/spare-buffers.js';

export type ElfType = 'relocatable' | 'executable' | 'shared' | 'core' | 'other';

export interface ElfSections {
  count: number;
  /** `.debug_*` / `.zdebug_*` bytes (DWARF). */
  debugBytes: number;
  symtabBytes: number;
  /** The string table `.symtab` links to. */
  strtabBytes: number;
  /** False when section names could not be read: debugBytes then counts every non-allocated PROGBITS section. */
  namesKnown: boolean;
}

export interface ElfInfo {
  bits: 32 | 64;
  endian: 'little' | 'big';
  type: ElfType;
  machine: number;
  /** `x86_64`, `aarch64`, … or `unknown-N`. */
  machineName: string;
  /** PT_INTERP, e.g. `/lib64/ld-linux-x86-64.so.2`; null when absent. */
  interpreter: string | null;
  /** No PT_INTERP: the kernel runs it without a dynamic loader (static, static-pie) — or it is a library. */
  isStatic: boolean;
  hasDynamicSection: boolean;
  /** DT_NEEDED names; null when `.dynstr` could not be read from the stream. */
  needed: string[] | null;
  soname: string | null;
  rpath: string | null;
  runpath: string | null;
  /** DF_1_PIE: a position-independent executable, not a library. */
  pie: boolean;
  /** Null when the file has no section header table or it could not be read. */
  sections: ElfSections | null;
}

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const SHT_SYMTAB = 2;
const SHT_PROGBITS = 1;
const SHT_NOBITS = 8;
const SHF_ALLOC = 2;
const DT_NEEDED = 1;
const DT_STRTAB = 5;
const DT_STRSZ = 10;
const DT_SONAME = 14;
const DT_RPATH = 15;
const DT_RUNPATH = 29;
const DT_FLAGS_1 = 0x6ffffffb;
const DF_1_PIE = 0x08000000;

/** Bytes of the file's start kept for `.dynstr` (and the headers). */
const FRONT_CAP = 8 * 1024 * 1024;
const FRONT_PROBE = 16 * 1024;
/** Probe buffers of readers that have finished, for the next readers (an image holds thousands of ELF files). */
const spareProbes = new SpareBuffers(FRONT_PROBE, 4);
/** Bytes kept before the section header table, where `.shstrtab` usually is. */
const TAIL_WINDOW = 64 * 1024;
const MAX_TABLE = 16 * 1024 * 1024;

const MACHINES: Record<number, string> = {
  2: 'sparc',
  3: 'i386',
  8: 'mips',
  20: 'ppc',
  21: 'ppc64',
  22: 's390x',
  40: 'arm',
  42: 'sh',
  43: 'sparcv9',
  50: 'ia64',
  62: 'x86_64',
  183: 'aarch64',
  243: 'riscv',
  258: 'loongarch',
};

/** Cheap test on the first bytes of a file. */
function hasElfMagic(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46
  );
}

interface Capture {
  start: number;
  end: number;
  /** Allocated when the first byte arrives, so non-ELF files cost no buffer. */
  buf: Buffer | undefined;
  got: number;
  done: (buf: Buffer) => void;
}

interface Segment {
  type: number;
  offset: number;
  vaddr: number;
  filesz: number;
}

interface Section {
  name: number;
  type: number;
  flags: number;
  offset: number;
  size: number;
  link: number;
}

/**
 * Streams one file. `onResult` is called once from `end()` with the facts, or
 * with null when the bytes are not a readable ELF file.
 */
export class ElfReader implements ContentSink {
  /** write() copies what it keeps into its captures' own buffers. */
  readonly copiesChunks = true;
  private position = 0;
  private captures: Capture[] = [];
  private dead = false;
  private info: ElfInfo | undefined;
  private little = true;
  private bits: 32 | 64 = 64;
  private segments: Segment[] = [];
  private front: Buffer | undefined;
  private frontLength = 0;
  /** Where the kept front ends once complete: the probe's end, or the first PT_LOAD's (capped). */
  private frontEnd = 0;
  /** Random access to the file (ContentSink.attach): the front and tail are read when used, not kept. */
  private read: ((offset: number, length: number) => Buffer) | undefined;
  private frontRest: Capture | undefined;
  private readonly probe: Capture | undefined;
  /** The window before the section header table; random access leaves `buf` unread until used. */
  private tail: { start: number; end: number; buf: Buffer | undefined } | undefined;
  private dynamic: Buffer | undefined;
  private sectionTable: Section[] | undefined;
  private sectionNames: Buffer | undefined;
  private shoff = 0;
  private shentsize = 0;
  private shnum = 0;
  private shstrndx = 0;

  constructor(
    private readonly fileSize: number,
    private readonly onResult: (info: ElfInfo | null) => void,
  ) {
    this.probe = this.addCapture(0, Math.min(fileSize, FRONT_PROBE), (buf) => this.onProbe(buf));
  }

  /** True once the reader needs no more bytes; the caller may stop feeding it. */
  get satisfied(): boolean {
    return this.dead || this.captures.length === 0;
  }

  attach(read: (offset: number, length: number) => Buffer): void {
    this.read = read;
  }

  /** The first byte still wanted, for a walker that can seek over the rest (ContentSink). */
  nextWanted(): number {
    if (this.dead) return Number.POSITIVE_INFINITY;
    let next = Number.POSITIVE_INFINITY;
    for (const capture of this.captures) next = Math.min(next, capture.start + capture.got);
    return next;
  }

  write(chunk: Buffer, offset?: number): void {
    // A seeking walker skips only bytes no capture wanted (nextWanted), so nothing is lost.
    if (offset !== undefined && offset > this.position) this.position = offset;
    const chunkStart = this.position;
    this.position += chunk.length;
    if (this.dead) return;
    // Most candidates are not ELF: give up on the first bytes rather than after the whole probe.
    if (chunkStart < 4 && !this.magicMatches(chunk, chunkStart)) {
      this.fail();
      return;
    }
    // Completing a capture can register new ones inside this same chunk, hence the loop.
    for (let pass = 0; pass < 8 && this.captures.length > 0; pass++) {
      let completed = false;
      for (const capture of [...this.captures]) {
        const from = capture.start + capture.got;
        if (from < chunkStart) {
          // Already streamed past: this table cannot be read.
          this.removeCapture(capture);
          continue;
        }
        if (from >= this.position) continue;
        const to = Math.min(capture.end, this.position);
        capture.buf ??=
          capture === this.probe && capture.end - capture.start === FRONT_PROBE
            ? spareProbes.take()
            : Buffer.allocUnsafe(capture.end - capture.start);
        chunk.copy(capture.buf, capture.got, from - chunkStart, to - chunkStart);
        capture.got += to - from;
        if (capture.start + capture.got === capture.end) {
          this.removeCapture(capture);
          capture.done(capture.buf);
          completed = true;
          if (this.dead) return;
        }
      }
      if (!completed) break;
    }
  }

  private magicMatches(chunk: Buffer, chunkStart: number): boolean {
    const magic = [0x7f, 0x45, 0x4c, 0x46];
    for (let i = chunkStart; i < 4 && i - chunkStart < chunk.length; i++) {
      if (chunk[i - chunkStart] !== magic[i]) return false;
    }
    return true;
  }

  end(): void {
    if (this.dead) {
      this.onResult(null);
      return;
    }
    // A file shorter than its headers claim still yields what arrived.
    const probe = this.probe;
    if (!this.info && probe && this.captures.includes(probe)) {
      this.removeCapture(probe);
      this.onProbe(probe.buf ? probe.buf.subarray(0, probe.got) : Buffer.alloc(0));
      if (this.dead) {
        this.onResult(null);
        return;
      }
    }
    const rest = this.frontRest;
    if (rest && this.captures.includes(rest)) this.frontLength = rest.start + rest.got;
    this.captures = [];
    const info = this.info ? this.finish() : null;
    this.releaseProbe();
    this.onResult(info);
  }

  /** Hands the probe's buffer to the next reader; nothing of this reader reads it any more. */
  private releaseProbe(): void {
    const buffer = this.probe?.buf;
    if (!buffer) return;
    this.probe.buf = undefined;
    this.front = undefined;
    spareProbes.give(buffer);
  }

  private addCapture(start: number, end: number, done: (buf: Buffer) => void): Capture | undefined {
    if (end <= start || end > this.fileSize) return undefined;
    const capture: Capture = { start, end, buf: undefined, got: 0, done };
    this.captures.push(capture);
    return capture;
  }

  private removeCapture(capture: Capture): void {
    const index = this.captures.indexOf(capture);
    if (index >= 0) this.captures.splice(index, 1);
  }

  private fail(): void {
    this.dead = true;
    this.captures = [];
    this.releaseProbe();
  }

  private u16(buf: Buffer, at: number): number {
    return this.little ? buf.readUInt16LE(at) : buf.readUInt16BE(at);
  }

  private u32(buf: Buffer, at: number): number {
    return this.little ? buf.readUInt32LE(at) : buf.readUInt32BE(at);
  }

  /**
   * A 64-bit field as a number (exact below 2^53, which covers any file
   * offset), from two 32-bit halves: reading a BigInt allocated one per field.
   */
  private word(buf: Buffer, at: number): number {
    if (this.bits === 32) return this.u32(buf, at);
    return this.little
      ? buf.readUInt32LE(at + 4) * 2 ** 32 + buf.readUInt32LE(at)
      : buf.readUInt32BE(at) * 2 ** 32 + buf.readUInt32BE(at + 4);
  }

  private onProbe(probe: Buffer): void {
    if (probe.length < 52 || !hasElfMagic(probe)) {
      this.fail();
      return;
    }
    const elfClass = probe[4];
    const data = probe[5];
    if ((elfClass !== 1 && elfClass !== 2) || (data !== 1 && data !== 2)) {
      this.fail();
      return;
    }
    this.bits = elfClass === 1 ? 32 : 64;
    this.little = data === 1;
    if (this.bits === 64 && probe.length < 64) {
      this.fail();
      return;
    }
    const is64 = this.bits === 64;
    const type = this.u16(probe, 16);
    const machine = this.u16(probe, 18);
    const phoff = this.word(probe, is64 ? 32 : 28);
    this.shoff = this.word(probe, is64 ? 40 : 32);
    const phentsize = this.u16(probe, is64 ? 54 : 42);
    const phnum = this.u16(probe, is64 ? 56 : 44);
    this.shentsize = this.u16(probe, is64 ? 58 : 46);
    this.shnum = this.u16(probe, is64 ? 60 : 48);
    this.shstrndx = this.u16(probe, is64 ? 62 : 50);
    this.info = {
      bits: this.bits,
      endian: this.little ? 'little' : 'big',
      type:
        type === 1
          ? 'relocatable'
          : type === 2
            ? 'executable'
            : type === 3
              ? 'shared'
              : type === 4
                ? 'core'
                : 'other',
      machine,
      machineName: MACHINES[machine] ?? `unknown-${machine}`,
      interpreter: null,
      isStatic: true,
      hasDynamicSection: false,
      needed: null,
      soname: null,
      rpath: null,
      runpath: null,
      pie: false,
      sections: null,
    };
    this.front = probe;
    this.frontLength = probe.length;
    this.frontEnd = probe.length;

    const minPh = is64 ? 56 : 32;
    if (phnum > 0 && phentsize >= minPh && phnum * phentsize <= MAX_TABLE) {
      this.withRange(phoff, phnum * phentsize, (table) => this.readSegments(table, 0, phentsize, phnum));
    }
    this.planSectionTable();
  }

  private readSegments(buf: Buffer, phoff: number, entsize: number, count: number): void {
    const is64 = this.bits === 64;
    for (let i = 0; i < count; i++) {
      const at = phoff + i * entsize;
      this.segments.push({
        type: this.u32(buf, at),
        offset: this.word(buf, at + (is64 ? 8 : 4)),
        vaddr: this.word(buf, at + (is64 ? 16 : 8)),
        filesz: this.word(buf, at + (is64 ? 32 : 16)),
      });
    }
    const info = this.info!;
    const interp = this.segments.find((s) => s.type === PT_INTERP);
    if (interp && interp.filesz > 0 && interp.filesz < 4096) {
      this.withRange(interp.offset, interp.filesz, (bytes) => {
        info.interpreter = cString(bytes, 0);
        info.isStatic = false;
      });
    }
    const firstLoad = this.segments.find((s) => s.type === PT_LOAD);
    // Keep the first loadable segment's bytes: `.dynstr` lives there.
    const probe = this.front!;
    const want =
      firstLoad && firstLoad.offset === 0 ? Math.min(firstLoad.filesz, FRONT_CAP, this.fileSize) : 0;
    if (want > probe.length && this.read) {
      // Random access: the same front, read from the file only where a table is looked up.
      this.frontLength = want;
      this.frontEnd = want;
    } else if (want > probe.length) {
      this.frontEnd = want;
      const front = Buffer.allocUnsafe(want);
      probe.copy(front, 0);
      this.front = front;
      this.frontRest = {
        start: probe.length,
        end: want,
        buf: front.subarray(probe.length),
        got: 0,
        done: () => {
          this.frontLength = want;
        },
      };
      this.captures.push(this.frontRest);
    }
    const dynamic = this.segments.find((s) => s.type === PT_DYNAMIC);
    if (dynamic && dynamic.filesz > 0 && dynamic.filesz <= MAX_TABLE) {
      info.hasDynamicSection = true;
      this.withRange(dynamic.offset, dynamic.filesz, (bytes) => {
        this.dynamic = bytes;
      });
    }
  }

  private planSectionTable(): void {
    if (this.shoff === 0 || this.shentsize < (this.bits === 64 ? 64 : 40)) return;
    // shnum 0 with a table: the real count is in section 0 (extended numbering).
    const count = this.shnum === 0 ? 1 : this.shnum;
    const length = count * this.shentsize;
    if (length > MAX_TABLE || this.shoff + length > this.fileSize) return;
    // The window starts where the probe (already kept) ends at the earliest; fromKept joins the two.
    const windowStart = Math.max(this.shoff - TAIL_WINDOW, this.frontEnd);
    if (this.read && this.shoff > windowStart) {
      this.tail = { start: windowStart, end: this.shoff, buf: undefined };
    } else {
      this.addCapture(windowStart, this.shoff, (buf) => {
        this.tail = { start: windowStart, end: this.shoff, buf };
      });
    }
    this.withRange(this.shoff, length, (bytes) => this.onSectionTable(bytes));
  }

  private onSectionTable(bytes: Buffer): void {
    const first = this.readSection(bytes, 0);
    if (this.shnum === 0) {
      const real = first.size;
      if (real > 1 && real * this.shentsize <= MAX_TABLE) {
        this.shnum = real;
        this.withRange(this.shoff, real * this.shentsize, (all) => this.onSectionTable(all));
      }
      return;
    }
    if (this.shstrndx === 0xffff) this.shstrndx = first.link;
    const sections: Section[] = [];
    for (let i = 0; i < this.shnum; i++) sections.push(this.readSection(bytes, i * this.shentsize));
    this.sectionTable = sections;
    const names = sections[this.shstrndx];
    if (names && names.type !== SHT_NOBITS && names.size > 0 && names.size <= MAX_TABLE) {
      const found = this.fromKept(names.offset, names.size);
      if (found) this.sectionNames = found;
      else if (names.offset >= this.shoff + bytes.length) {
        this.withRange(names.offset, names.size, (buf) => {
          this.sectionNames = buf;
        });
      }
    }
  }

  private readSection(buf: Buffer, at: number): Section {
    const is64 = this.bits === 64;
    return {
      name: this.u32(buf, at),
      type: this.u32(buf, at + 4),
      flags: this.word(buf, at + 8),
      offset: this.word(buf, at + (is64 ? 24 : 16)),
      size: this.word(buf, at + (is64 ? 32 : 20)),
      link: this.u32(buf, at + (is64 ? 40 : 24)),
    };
  }

  /** Reads a range from what is already kept, or captures it when the stream gets there. */
  private withRange(offset: number, length: number, use: (bytes: Buffer) => void): void {
    const kept = this.fromKept(offset, length);
    // Otherwise wait for it; `write` drops captures whose start has already streamed by.
    if (kept) use(kept);
    else this.addCapture(offset, offset + length, use);
  }

  private fromKept(offset: number, length: number): Buffer | undefined {
    const end = offset + length;
    if (this.front && end <= this.frontLength) return this.frontBytes(offset, end);
    const tail = this.tail;
    if (!tail) return undefined;
    if (offset >= tail.start && end <= tail.end) return this.tailBytes(offset, end);
    // Spanning the front and a window that continues it.
    if (this.front && offset < this.frontLength && tail.start <= this.frontLength && end <= tail.end) {
      return Buffer.concat([
        this.frontBytes(offset, this.frontLength),
        this.tailBytes(this.frontLength, end),
      ]);
    }
    return undefined;
  }

  private tailBytes(start: number, end: number): Buffer {
    const tail = this.tail!;
    if (tail.buf) return tail.buf.subarray(start - tail.start, end - tail.start);
    return this.read!(start, end - start);
  }

  /** Bytes of the front: kept, or (random access) beyond the probe, read now. */
  private frontBytes(start: number, end: number): Buffer {
    const front = this.front!;
    if (end <= front.length) return front.subarray(start, end);
    return this.read!(start, end - start);
  }

  private finish(): ElfInfo {
    const info = this.info!;
    if (this.dynamic) this.readDynamic(info, this.dynamic);
    if (this.sectionTable) info.sections = this.sectionSizes(this.sectionTable);
    return info;
  }

  private readDynamic(info: ElfInfo, dynamic: Buffer): void {
    const size = this.bits === 64 ? 16 : 8;
    const needed: number[] = [];
    let strtab = -1;
    let strsz = 0;
    let soname = -1;
    let rpath = -1;
    let runpath = -1;
    for (let at = 0; at + size <= dynamic.length; at += size) {
      const tag = this.word(dynamic, at);
      const value = this.word(dynamic, at + size / 2);
      if (tag === 0) break;
      if (tag === DT_NEEDED) needed.push(value);
      else if (tag === DT_STRTAB) strtab = value;
      else if (tag === DT_STRSZ) strsz = value;
      else if (tag === DT_SONAME) soname = value;
      else if (tag === DT_RPATH) rpath = value;
      else if (tag === DT_RUNPATH) runpath = value;
      else if (tag === DT_FLAGS_1) info.pie = (value & DF_1_PIE) !== 0;
    }
    if (strtab < 0 || strsz <= 0) {
      if (needed.length === 0) info.needed = [];
      return;
    }
    const offset = this.addressToOffset(strtab);
    const table = offset < 0 ? undefined : this.fromKept(offset, Math.min(strsz, this.fileSize - offset));
    if (!table) return;
    const name = (index: number) => (index >= 0 && index < table.length ? cString(table, index) : null);
    info.needed = needed.map((index) => name(index) ?? '');
    info.soname = name(soname);
    info.rpath = name(rpath);
    info.runpath = name(runpath);
  }

  private addressToOffset(address: number): number {
    for (const segment of this.segments) {
      if (segment.type === PT_LOAD && address >= segment.vaddr && address < segment.vaddr + segment.filesz) {
        return address - segment.vaddr + segment.offset;
      }
    }
    return -1;
  }

  private sectionSizes(sections: Section[]): ElfSections {
    const names = this.sectionNames;
    const result: ElfSections = {
      count: sections.length,
      debugBytes: 0,
      symtabBytes: 0,
      strtabBytes: 0,
      namesKnown: names !== undefined,
    };
    const strtabIndexes = new Set<number>();
    sections.forEach((section, index) => {
      if (section.type === SHT_NOBITS) return;
      if (section.type === SHT_SYMTAB) {
        result.symtabBytes += section.size;
        if (section.link > 0 && section.link !== this.shstrndx) strtabIndexes.add(section.link);
        return;
      }
      if (index === this.shstrndx) return;
      if (names) {
        const name = cString(names, section.name);
        if (name.startsWith('.debug_') || name.startsWith('.zdebug_')) result.debugBytes += section.size;
      } else if (section.type === SHT_PROGBITS && (section.flags & SHF_ALLOC) === 0) {
        result.debugBytes += section.size;
      }
    });
    for (const index of strtabIndexes) {
      const section = sections[index];
      if (section && section.type !== SHT_NOBITS) result.strtabBytes += section.size;
    }
    return result;
  }
}

function cString(buf: Buffer, at: number): string {
  const end = buf.indexOf(0, at);
  return buf.toString('latin1', at, end < 0 ? buf.length : end);
}

/** Bytes `strip` would remove: debug sections, the symbol table and its strings. */
export function strippableBytes(info: ElfInfo): number {
  const s = info.sections;
  return s ? s.debugBytes + s.symtabBytes + s.strtabBytes : 0;
}
