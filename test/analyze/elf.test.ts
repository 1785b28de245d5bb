import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ElfInfo, ElfReader, strippableBytes } from '../../src/analyze/elf.js';
import { buildElf, type ElfSpec } from './elf-builder.js';

function read(bytes: Buffer, chunkSize = bytes.length): ElfInfo | null {
  let result: ElfInfo | null | undefined;
  const reader = new ElfReader(bytes.length, (info) => {
    result = info;
  });
  for (let at = 0; at < bytes.length; at += chunkSize) reader.write(bytes.subarray(at, at + chunkSize));
  reader.end();
  if (result === undefined) throw new Error('no result');
  return result;
}

const dynamicBinary: ElfSpec = {
  bits: 64,
  little: true,
  type: 3,
  interpreter: '/lib64/ld-linux-x86-64.so.2',
  needed: ['libssl.so.3', 'libc.so.6'],
  runpath: '$ORIGIN/../lib',
  pie: true,
  padding: 200_000,
  sections: [
    { name: '.debug_info', size: 3000 },
    { name: '.debug_line', size: 500 },
    { name: '.comment', size: 40 },
  ],
  symtab: 2400,
  strtab: 1300,
};

describe('ElfReader', () => {
  const cases: Array<[string, ElfSpec]> = [
    ['64-bit little-endian', dynamicBinary],
    ['64-bit big-endian', { ...dynamicBinary, little: false, machine: 22 }],
    ['32-bit little-endian', { ...dynamicBinary, bits: 32, machine: 3 }],
    ['32-bit big-endian', { ...dynamicBinary, bits: 32, little: false, machine: 8 }],
  ];
  for (const [name, spec] of cases) {
    for (const chunk of [1, 7, 4096, 1 << 20]) {
      it(`reads a ${name} dynamic binary in ${chunk}-byte chunks`, () => {
        const info = read(buildElf(spec), chunk)!;
        expect(info).toMatchObject({
          bits: spec.bits,
          endian: spec.little ? 'little' : 'big',
          type: 'shared',
          interpreter: '/lib64/ld-linux-x86-64.so.2',
          isStatic: false,
          needed: ['libssl.so.3', 'libc.so.6'],
          runpath: '$ORIGIN/../lib',
          rpath: null,
          pie: true,
        });
        expect(info.sections).toEqual({
          count: 9,
          debugBytes: 3500,
          symtabBytes: 2400,
          strtabBytes: 1300,
          namesKnown: true,
        });
        expect(strippableBytes(info)).toBe(7200);
      });
    }
  }

  it.each([
    ['little', true],
    ['big', false],
  ])('reads a 64-bit %s-endian field whose high half is set', (_name, little) => {
    const bytes = buildElf({ ...dynamicBinary, little });
    const u64 = (at: number) => Number(little ? bytes.readBigUInt64LE(at) : bytes.readBigUInt64BE(at));
    const shoff = u64(40);
    const shnum = little ? bytes.readUInt16LE(60) : bytes.readUInt16BE(60);
    let patched = 0;
    for (let i = 0; i < shnum; i++) {
      const size = shoff + i * 64 + 32;
      if (u64(size) !== 3000) continue;
      little
        ? bytes.writeBigUInt64LE(2n ** 32n + 3000n, size)
        : bytes.writeBigUInt64BE(2n ** 32n + 3000n, size);
      patched++;
    }
    expect(patched).toBe(1);
    expect(read(bytes, 4096)!.sections?.debugBytes).toBe(2 ** 32 + 3500);
  });

  it('reads a static, stripped executable', () => {
    const info = read(buildElf({ bits: 64, little: true, type: 2 }), 512)!;
    expect(info).toMatchObject({
      type: 'executable',
      interpreter: null,
      isStatic: true,
      needed: [],
      machineName: 'x86_64',
    });
    expect(strippableBytes(info)).toBe(0);
  });

  it('reads a shared library soname and rpath', () => {
    const info = read(
      buildElf({ bits: 64, little: true, soname: 'libz.so.1', rpath: '/opt/lib', needed: ['libc.so.6'] }),
    )!;
    expect(info).toMatchObject({
      soname: 'libz.so.1',
      rpath: '/opt/lib',
      needed: ['libc.so.6'],
      isStatic: true,
    });
  });

  it('finds section names placed after the section header table', () => {
    const info = read(buildElf({ ...dynamicBinary, namesAfterTable: true }), 1000)!;
    expect(info.sections).toMatchObject({ debugBytes: 3500, namesKnown: true });
  });

  it('falls back to non-allocated sections when names are too far before the table', () => {
    const spec = { ...dynamicBinary, padding: 0, sections: [{ name: '.debug_info', size: 100_000 }] };
    const near = read(buildElf(spec), 4096)!;
    expect(near.sections).toMatchObject({ namesKnown: true, debugBytes: 100_000 });
    const far = read(buildElf({ ...spec, namesFirst: true, padding: 100_000 }), 4096)!;
    expect(far.sections).toMatchObject({
      namesKnown: false,
      debugBytes: 100_000,
      symtabBytes: 2400,
      strtabBytes: 1300,
    });
  });

  it('rejects non-ELF bytes and tolerates truncation', () => {
    expect(
      read(Buffer.from('#!/bin/sh\necho hello, this is a long enough shell script to be considered\n')),
    ).toBeNull();
    const elf = buildElf(dynamicBinary);
    expect(read(Buffer.from(elf.subarray(0, 10)))).toBeNull();
    const truncated = elf.subarray(0, 5000);
    let result: ElfInfo | null | undefined;
    const reader = new ElfReader(elf.length, (info) => {
      result = info;
    });
    reader.write(Buffer.from(truncated));
    reader.end();
    expect(result).toMatchObject({ interpreter: '/lib64/ld-linux-x86-64.so.2', sections: null });
  });

  it('gives each of several readers, in turn or side by side, its own result (probe buffers pass between them)', () => {
    const specs: ElfSpec[] = [
      dynamicBinary,
      {
        bits: 32,
        little: false,
        type: 3,
        machine: 8,
        interpreter: '/lib/ld.so.1',
        needed: ['libz.so.1'],
        padding: 30_000,
      },
      { bits: 64, little: true, type: 2, padding: 40_000 },
      { ...dynamicBinary, needed: ['libm.so.6', 'libpthread.so.0', 'libc.so.6'], pie: false, type: 2 },
    ];
    const files = specs.map((spec) => buildElf(spec));
    const alone = files.map((bytes) => read(bytes, 4096));
    // One reader after another, with a failing one (ELF magic, then garbage) between each.
    const garbage = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 9, 9]), Buffer.alloc(20_000, 0xab)]);
    for (let round = 0; round < 2; round++) {
      files.forEach((bytes, i) => {
        expect(read(garbage, 4096)).toBeNull();
        expect(read(bytes, 4096)).toEqual(alone[i]);
      });
    }
    // Side by side: every reader is fed a chunk in turn, so all hold their probes at once.
    const results: Array<ElfInfo | null | undefined> = files.map(() => undefined);
    const readers = files.map(
      (bytes, i) =>
        new ElfReader(bytes.length, (info) => {
          results[i] = info;
        }),
    );
    const longest = Math.max(...files.map((bytes) => bytes.length));
    for (let at = 0; at < longest; at += 1000) {
      files.forEach((bytes, i) => {
        if (at < bytes.length) readers[i]!.write(bytes.subarray(at, at + 1000));
        if (at + 1000 >= bytes.length && at < bytes.length) readers[i]!.end();
      });
    }
    expect(results).toEqual(alone);
    expect(alone.every((info) => info !== null)).toBe(true);
  });

  it('survives garbage headers without throwing', () => {
    for (let seed = 1; seed < 200; seed++) {
      const elf = Buffer.from(buildElf(dynamicBinary));
      let x = seed;
      for (let k = 0; k < 20; k++) {
        x = (x * 1103515245 + 12345) & 0x7fffffff;
        elf[16 + (x % 200)] = x & 0xff;
      }
      expect(() => read(elf, 333)).not.toThrow();
    }
  });

  it.skipIf(!hasGcc())('agrees with readelf on a real gcc -g binary', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pare-elf-'));
    try {
      writeFileSync(
        join(dir, 'hello.c'),
        '#include <stdio.h>\n#include <math.h>\nint main(int c, char**v){printf("%f\\n", sqrt(c));return 0;}\n',
      );
      execFileSync('gcc', ['-g', '-O0', '-o', join(dir, 'hello'), join(dir, 'hello.c'), '-lm']);
      const bytes = readFileSync(join(dir, 'hello'));
      const info = read(bytes, 65536)!;
      const sections = execFileSync('readelf', ['-SW', join(dir, 'hello')], { encoding: 'utf8' });
      let debug = 0;
      let symtab = 0;
      let strtab = 0;
      for (const line of sections.split('\n')) {
        const m = /\]\s+(\S+)\s+(\S+)\s+\S+\s+\S+\s+([0-9a-f]+)/.exec(line);
        if (!m) continue;
        const size = Number.parseInt(m[3]!, 16);
        if (m[1]!.startsWith('.debug_')) debug += size;
        if (m[1] === '.symtab') symtab = size;
        if (m[1] === '.strtab') strtab = size;
      }
      expect(debug).toBeGreaterThan(0);
      expect(info.sections).toMatchObject({
        debugBytes: debug,
        symtabBytes: symtab,
        strtabBytes: strtab,
        namesKnown: true,
      });
      const dynamic = execFileSync('readelf', ['-dW', join(dir, 'hello')], { encoding: 'utf8' });
      const needed = [...dynamic.matchAll(/Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
      expect(info.needed).toEqual(needed);
      expect(info.interpreter).toMatch(/^\/lib.*ld-linux/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function hasGcc(): boolean {
  try {
    execFileSync('gcc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
