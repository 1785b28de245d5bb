/**
 * Writes small synthetic ELF files for the reader's tests: any class and byte
 * order, optional PT_INTERP, a dynamic section (NEEDED, SONAME, RPATH,
 * RUNPATH, FLAGS_1), padding to push tables far apart, and named sections.
 */
export interface ElfSpec {
  bits: 32 | 64;
  little: boolean;
  type?: number;
  machine?: number;
  interpreter?: string;
  needed?: string[];
  soname?: string;
  rpath?: string;
  runpath?: string;
  pie?: boolean;
  /** Bytes between the first segment and the dynamic section. */
  padding?: number;
  /** Extra named sections with their sizes (non-allocated PROGBITS). */
  sections?: Array<{ name: string; size: number }>;
  symtab?: number;
  strtab?: number;
  /** Put the section name table after the section header table. */
  namesAfterTable?: boolean;
  /** Put the section name table before the extra sections (far from the header table). */
  namesFirst?: boolean;
}

class Out {
  private chunks: Buffer[] = [];
  length = 0;
  constructor(
    private little: boolean,
    private bits: 32 | 64,
  ) {}
  bytes(b: Buffer): number {
    const at = this.length;
    this.chunks.push(b);
    this.length += b.length;
    return at;
  }
  zeros(n: number): number {
    return this.bytes(Buffer.alloc(n));
  }
  build(): Buffer {
    return Buffer.concat(this.chunks);
  }
  u16(v: number): Buffer {
    const b = Buffer.alloc(2);
    this.little ? b.writeUInt16LE(v) : b.writeUInt16BE(v);
    return b;
  }
  u32(v: number): Buffer {
    const b = Buffer.alloc(4);
    this.little ? b.writeUInt32LE(v >>> 0) : b.writeUInt32BE(v >>> 0);
    return b;
  }
  word(v: number): Buffer {
    if (this.bits === 32) return this.u32(v);
    const b = Buffer.alloc(8);
    this.little ? b.writeBigUInt64LE(BigInt(v)) : b.writeBigUInt64BE(BigInt(v));
    return b;
  }
}

export function buildElf(spec: ElfSpec): Buffer {
  const { bits, little } = spec;
  const o = new Out(little, bits);
  const is64 = bits === 64;
  const ehsize = is64 ? 64 : 52;
  const phentsize = is64 ? 56 : 32;
  const shentsize = is64 ? 64 : 40;
  const base = 0x400000;

  const strings = new StringTable();
  const needed = (spec.needed ?? []).map((n) => strings.add(n));
  const soname = spec.soname ? strings.add(spec.soname) : -1;
  const rpath = spec.rpath ? strings.add(spec.rpath) : -1;
  const runpath = spec.runpath ? strings.add(spec.runpath) : -1;

  const phnum = 1 + (spec.interpreter ? 1 : 0) + 1;
  const interpAt = ehsize + phnum * phentsize;
  const interp = spec.interpreter ? Buffer.from(`${spec.interpreter}\0`) : Buffer.alloc(0);
  const dynstrAt = interpAt + interp.length;
  const dynstr = strings.build();
  const loadEnd = dynstrAt + dynstr.length;
  const dynamicAt = loadEnd + (spec.padding ?? 0);
  const dynEntries: Array<[number, number]> = [];
  for (const n of needed) dynEntries.push([1, n]);
  if (soname >= 0) dynEntries.push([14, soname]);
  if (rpath >= 0) dynEntries.push([15, rpath]);
  if (runpath >= 0) dynEntries.push([29, runpath]);
  dynEntries.push([5, base + dynstrAt], [10, dynstr.length]);
  if (spec.pie) dynEntries.push([0x6ffffffb, 0x08000000]);
  dynEntries.push([0, 0]);
  const dynSize = dynEntries.length * (is64 ? 16 : 8);

  // header
  const ident = Buffer.alloc(16);
  ident.set([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, little ? 1 : 2, 1]);
  const header: Buffer[] = [
    ident,
    o.u16(spec.type ?? 3),
    o.u16(spec.machine ?? 62),
    o.u32(1),
    o.word(0),
    o.word(ehsize),
  ];
  const shoffSlot = header.length;
  header.push(o.word(0)); // e_shoff, patched below
  header.push(o.u32(0), o.u16(ehsize), o.u16(phentsize), o.u16(phnum), o.u16(shentsize), o.u16(0), o.u16(0));
  // program headers
  const ph = (type: number, offset: number, size: number): Buffer[] =>
    is64
      ? [
          o.u32(type),
          o.u32(4),
          o.word(offset),
          o.word(base + offset),
          o.word(base + offset),
          o.word(size),
          o.word(size),
          o.word(8),
        ]
      : [
          o.u32(type),
          o.word(offset),
          o.word(base + offset),
          o.word(base + offset),
          o.word(size),
          o.word(size),
          o.u32(4),
          o.word(4),
        ];
  const phdrs: Buffer[] = [...ph(1, 0, loadEnd)];
  if (spec.interpreter) phdrs.push(...ph(3, interpAt, interp.length));
  phdrs.push(...ph(2, dynamicAt, dynSize));

  const headerBytes = Buffer.concat(header);
  o.bytes(headerBytes);
  o.bytes(Buffer.concat(phdrs));
  o.bytes(interp);
  o.bytes(dynstr);
  o.zeros(spec.padding ?? 0);
  o.bytes(Buffer.concat(dynEntries.flatMap(([t, v]) => [o.word(t), o.word(v)])));

  // sections
  const names = new StringTable();
  const dynstrName = names.add('.dynstr');
  const dynamicName = names.add('.dynamic');
  const extraNames = (spec.sections ?? []).map((extra) => names.add(extra.name));
  const symtabName = names.add('.symtab');
  const strtabName = names.add('.strtab');
  const shstrName = names.add('.shstrtab');
  const nameBytes = names.build();
  let namesAt = -1;
  if (spec.namesFirst) namesAt = o.bytes(nameBytes);
  const sections: Array<{
    name: number;
    type: number;
    flags: number;
    offset: number;
    size: number;
    link: number;
  }> = [{ name: 0, type: 0, flags: 0, offset: 0, size: 0, link: 0 }];
  sections.push({ name: dynstrName, type: 3, flags: 2, offset: dynstrAt, size: dynstr.length, link: 0 });
  sections.push({ name: dynamicName, type: 6, flags: 3, offset: dynamicAt, size: dynSize, link: 1 });
  (spec.sections ?? []).forEach((extra, i) => {
    sections.push({
      name: extraNames[i]!,
      type: 1,
      flags: 0,
      offset: o.zeros(extra.size),
      size: extra.size,
      link: 0,
    });
  });
  if (spec.symtab) {
    const strtabIndex = sections.length + 1;
    sections.push({
      name: symtabName,
      type: 2,
      flags: 0,
      offset: o.zeros(spec.symtab),
      size: spec.symtab,
      link: strtabIndex,
    });
    sections.push({
      name: strtabName,
      type: 3,
      flags: 0,
      offset: o.zeros(spec.strtab ?? 0),
      size: spec.strtab ?? 0,
      link: 0,
    });
  }
  const shstrndx = sections.length;
  if (!spec.namesAfterTable && !spec.namesFirst) namesAt = o.bytes(nameBytes);
  const shnum = sections.length + 1;
  const shoff = o.length + shnum * shentsize > 0 ? o.length : 0;
  const tableSize = shnum * shentsize;
  if (spec.namesAfterTable) namesAt = shoff + tableSize;
  sections.push({ name: shstrName, type: 3, flags: 0, offset: namesAt, size: nameBytes.length, link: 0 });
  for (const s of sections) {
    const parts = is64
      ? [
          o.u32(s.name),
          o.u32(s.type),
          o.word(s.flags),
          o.word(0),
          o.word(s.offset),
          o.word(s.size),
          o.u32(s.link),
          o.u32(0),
          o.word(1),
          o.word(0),
        ]
      : [
          o.u32(s.name),
          o.u32(s.type),
          o.word(s.flags),
          o.word(0),
          o.word(s.offset),
          o.word(s.size),
          o.u32(s.link),
          o.u32(0),
          o.word(1),
          o.word(0),
        ];
    o.bytes(Buffer.concat(parts));
  }
  if (spec.namesAfterTable) o.bytes(nameBytes);

  const out = o.build();
  // patch e_shoff, e_shnum, e_shstrndx
  const shoffAt = 16 + 2 + 2 + 4 + (is64 ? 8 : 4) + (is64 ? 8 : 4);
  void shoffSlot;
  o.word(shoff).copy(out, shoffAt);
  const shnumAt = is64 ? 60 : 48;
  o.u16(shnum).copy(out, shnumAt);
  o.u16(shstrndx).copy(out, shnumAt + 2);
  return out;
}

class StringTable {
  private parts: Buffer[] = [Buffer.from([0])];
  private length = 1;
  add(text: string): number {
    const at = this.length;
    const b = Buffer.from(`${text}\0`);
    this.parts.push(b);
    this.length += b.length;
    return at;
  }
  build(): Buffer {
    return Buffer.concat(this.parts);
  }
}
