/**
 * When V8 optimizes during a short image read: which reads count as short,
 * and (in a child process on the built dist/) that a short read's budget
 * delays optimizing a hot function without preventing it.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Compression } from '../../src/image/types.js';
import { estimatedTarBytes, isShortRead, SHORT_READ_BYTES } from '../../src/util/tiering.js';

const MB = 1024 * 1024;
const layer = (size: number, compression: Compression = 'none') => ({ size, compression });

describe('isShortRead', () => {
  const cases: Array<[string, Array<ReturnType<typeof layer>>, number, boolean]> = [
    [
      'a 295 MB image of uncompressed layers',
      [layer(145 * MB), layer(90 * MB), layer(60 * MB)],
      295 * MB,
      true,
    ],
    ['a 1.3 GB image of uncompressed layers', [layer(800 * MB), layer(537 * MB)], 1337 * MB, false],
    ['exactly 1 GiB', [layer(SHORT_READ_BYTES)], SHORT_READ_BYTES, false],
    ['one byte under 1 GiB', [layer(SHORT_READ_BYTES - 1)], SHORT_READ_BYTES - 1, true],
    ['400 MB of gzip blobs, ~1.2 GB of tar', [layer(400 * MB, 'gzip')], 1200 * MB, false],
    [
      '100 MB of zstd blobs and 50 MB uncompressed',
      [layer(100 * MB, 'zstd'), layer(50 * MB)],
      350 * MB,
      true,
    ],
    ['no layers', [], 0, true],
  ];
  it.each(cases)('%s', (_name, layers, tarBytes, short) => {
    expect(estimatedTarBytes(layers)).toBe(tarBytes);
    expect(isShortRead(layers)).toBe(short);
  });
});

describe('tierForRead (built dist/)', () => {
  const optimizedAfter = (readBytes: number, calls: number): boolean => {
    const child = spawnSync(
      process.execPath,
      [
        '--allow-natives-syntax',
        '--no-concurrent-recompilation',
        fileURLToPath(new URL('./tiering-child.mjs', import.meta.url)),
        fileURLToPath(new URL('../../dist', import.meta.url)),
        String(readBytes),
        String(calls),
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(child.status, child.stderr).toBe(0);
    return (JSON.parse(child.stdout) as { optimized: boolean }).optimized;
  };

  // V8's default budget optimizes the child's function after ~2,000 calls; 400 KB after ~15,000.
  it('keeps the default for a long read: a function hot for 3,000 calls is optimized', () => {
    expect(optimizedAfter(2 * SHORT_READ_BYTES, 3000)).toBe(true);
  });

  it('optimizes later for a short read: not after 3,000 calls, but after 40,000', () => {
    expect(optimizedAfter(300 * MB, 3000)).toBe(false);
    expect(optimizedAfter(300 * MB, 40_000)).toBe(true);
  });
});
