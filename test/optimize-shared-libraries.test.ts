import { describe, expect, it } from 'vitest';
import { parseLdd } from '../src/optimize/shared-libraries.js';

describe('parseLdd', () => {
  it('reads resolved libraries and the loader, skipping the vDSO', () => {
    const output = [
      '\tlinux-vdso.so.1 (0x00007ffd6b5f2000)',
      '\tlibz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x00007f0e7d2d0000)',
      '\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f0e7d0ef000)',
      '\t/lib64/ld-linux-x86-64.so.2 (0x00007f0e7d2f8000)',
      '',
    ].join('\n');
    expect(parseLdd(output)).toEqual([
      '/lib/x86_64-linux-gnu/libz.so.1',
      '/lib/x86_64-linux-gnu/libc.so.6',
      '/lib64/ld-linux-x86-64.so.2',
    ]);
  });

  it('says nothing for static binaries or unresolved libraries', () => {
    expect(parseLdd('\tnot a dynamic executable\n')).toBeUndefined();
    expect(parseLdd('\tstatically linked\n')).toBeUndefined();
    expect(
      parseLdd('\tlibfoo.so.1 => not found\n\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x1)\n'),
    ).toBeUndefined();
  });
});
