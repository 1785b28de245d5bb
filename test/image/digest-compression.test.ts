import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  compressionFromMediaType,
  decompressionStages,
  RATIO_GRACE_BYTES,
  resolveCompression,
  sniffCompression,
  translateCodecError,
} from '../../src/image/compression.js';
import {
  DigestMismatchError,
  parseDigest,
  sha256,
  shortDigest,
  verifyBytes,
  verifyDigest,
} from '../../src/image/digest.js';
import { chainStreams } from '../../src/image/stream-chain.js';
import type { Compression } from '../../src/image/types.js';
import { PareError } from '../../src/util/errors.js';
import { compress, fillBytes, zstdAvailable } from '../helpers/image-writer.js';

async function collect(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

describe('digests', () => {
  const data = Buffer.from('hello');
  const good = sha256(data);
  const bad = sha256('other');

  it('passes matching bytes through unchanged', async () => {
    const out = await collect(
      Readable.from([data]).pipe(verifyDigest({ expected: good, role: 'blob', size: 5 })),
    );
    expect(out).toEqual(data);
  });

  it('errors at the end of the stream on a mismatch, naming both digests', async () => {
    const stream = Readable.from([data]).pipe(
      verifyDigest({ expected: bad, role: 'blob', subject: 'oci:x layer 1' }),
    );
    const error = await collect(stream).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DigestMismatchError);
    expect(error).toBeInstanceOf(PareError);
    expect((error as PareError).line).toBe(
      `oci:x layer 1: blob ${shortDigest(bad)} does not match its digest (got ${shortDigest(good)})`,
    );
    expect((error as PareError).exitCode).toBe(2);
  });

  it('says diff_id for uncompressed checks', async () => {
    const stream = Readable.from([data]).pipe(verifyDigest({ expected: bad, role: 'diff_id' }));
    await expect(collect(stream)).rejects.toThrow(/uncompressed layer does not match its diff_id sha256:/);
  });

  it('fails as soon as a blob overruns its declared size', async () => {
    const stream = Readable.from([data, data]).pipe(verifyDigest({ expected: good, role: 'blob', size: 3 }));
    await expect(collect(stream)).rejects.toThrow(/is longer than the 3 bytes its descriptor says/);
  });

  it('checks in-memory blobs and parses digest strings', () => {
    expect(verifyBytes(data, good)).toBe(data);
    expect(() => verifyBytes(data, bad, 'config')).toThrow(DigestMismatchError);
    expect(parseDigest(good, 'x')).toBe(good);
    expect(() => parseDigest('sha256:XYZ', 'manifest')).toThrow(/is not a sha256 digest/);
    expect(shortDigest(good)).toMatch(/^sha256:[a-f0-9]{12}…$/);
  });
});

describe('compression', () => {
  it.each([
    ['application/vnd.oci.image.layer.v1.tar', 'none'],
    ['application/vnd.oci.image.layer.v1.tar+gzip', 'gzip'],
    ['application/vnd.oci.image.layer.v1.tar+zstd', 'zstd'],
    ['application/vnd.oci.image.layer.nondistributable.v1.tar+gzip', 'gzip'],
    ['application/vnd.docker.image.rootfs.diff.tar.gzip', 'gzip'],
    ['application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', 'gzip'],
    ['application/vnd.docker.image.rootfs.diff.tar', 'none'],
    ['application/octet-stream', undefined],
  ])('media type %s → %s', (mediaType, expected) => {
    expect(compressionFromMediaType(mediaType)).toBe(expected);
  });

  it('sniffs magic bytes', () => {
    expect(sniffCompression(gzipSync('x'))).toBe('gzip');
    expect(sniffCompression(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0]))).toBe('zstd');
    expect(sniffCompression(Buffer.from([0x50, 0x2a, 0x4d, 0x18]))).toBe('zstd'); // skippable frame
    expect(sniffCompression(Buffer.from('etc/passwd'))).toBe('none');
    expect(sniffCompression(Buffer.alloc(0))).toBe('none');
  });

  it('verifies the media type against the magic bytes', () => {
    const gz = gzipSync('x');
    expect(resolveCompression('application/vnd.oci.image.layer.v1.tar+gzip', gz, 's')).toBe('gzip');
    expect(resolveCompression(undefined, gz, 's')).toBe('gzip');
    expect(resolveCompression('application/x-unknown', gz, 's')).toBe('gzip');
    expect(() =>
      resolveCompression('application/vnd.oci.image.layer.v1.tar+gzip', Buffer.from('plain tar'), 'L'),
    ).toThrow(/media type .*\+gzip says gzip but the blob's first bytes are an uncompressed tar/);
    expect(() => resolveCompression('application/vnd.oci.image.layer.v1.tar', gz, 'L')).toThrow(
      /says an uncompressed tar but .* gzip/,
    );
  });

  const codecs: Array<'gzip' | 'zstd'> = zstdAvailable ? ['gzip', 'zstd'] : ['gzip'];

  function decompressChain(
    blob: Buffer,
    compression: 'gzip' | 'zstd',
    limits: { maxBytes?: number; maxRatio?: number } = {},
  ) {
    const source = Readable.from([blob.subarray(0, 10), blob.subarray(10)]);
    return chainStreams(
      source,
      decompressionStages(compression, { subject: 'layer 1', ...limits }),
      (error) => translateCodecError(compression as Compression, error, 'layer 1') ?? error,
    );
  }

  it.each(codecs)('%s round-trips', async (compression) => {
    const data = Buffer.from('pare '.repeat(100_000));
    // Buffer.equals: vitest's deep equality walks buffers byte by byte and takes seconds.
    expect((await collect(decompressChain(compress(data, compression), compression))).equals(data)).toBe(
      true,
    );
  });

  it.each(codecs)('corrupt %s is a one-line PareError naming the blob', async (compression) => {
    const blob = Buffer.from(compress(fillBytes(100_000), compression));
    blob.fill(0x55, 20, 60);
    const error = await collect(decompressChain(blob, compression)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PareError);
    expect((error as PareError).line).toMatch(new RegExp(`^layer 1: corrupt ${compression} data \\(`));
  });

  it.each(codecs)('truncated %s says truncated', async (compression) => {
    const blob = compress(fillBytes(100_000), compression);
    const error = await collect(decompressChain(blob.subarray(0, blob.length - 30), compression)).catch(
      (caught: unknown) => caught,
    );
    expect((error as PareError).line).toMatch(new RegExp(`^layer 1: truncated ${compression} data`));
  });

  it('stops a gzip bomb at the byte limit', async () => {
    const bomb = gzipSync(Buffer.alloc(16 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(20_000);
    const error = await collect(decompressChain(bomb, 'gzip', { maxBytes: 1024 * 1024 })).catch(
      (caught: unknown) => caught,
    );
    expect((error as PareError).line).toBe(
      'layer 1: gzip data expands past the 1048576-byte limit (possible decompression bomb)',
    );
  });

  it('stops a gzip bomb at the ratio limit', async () => {
    const bomb = gzipSync(Buffer.alloc(RATIO_GRACE_BYTES + 1024 * 1024), { level: 1 });
    await expect(collect(decompressChain(bomb, 'gzip', { maxRatio: 100 }))).rejects.toThrow(
      /gzip data expands more than 100:1/,
    );
  });

  it('chainStreams hands consumers translated errors and cleans up the source', async () => {
    let destroyed = false;
    const source = new Readable({
      read() {
        this.destroy(new Error('disk on fire'));
      },
      destroy(error, callback) {
        destroyed = true;
        callback(error);
      },
    });
    const out = chainStreams(source, [], (error) => new PareError(`wrapped: ${error.message}`));
    await expect(
      pipeline(out, async function* (input) {
        for await (const chunk of input) yield chunk;
      }),
    ).rejects.toThrow('wrapped: disk on fire');
    expect(destroyed).toBe(true);
  });
});
