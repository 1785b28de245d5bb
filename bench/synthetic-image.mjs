// Building blocks for the synthetic images the image benchmarks read: a
// deterministic PRNG, a pool of word-like text for file contents, a buffered
// tar writer, and a docker-archive (legacy `docker save` layout) around
// uncompressed layer tars.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, renameSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Deterministic PRNG so the cache is reproducible. */
export function rng(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 64 MiB of word-like text (gzip ratio ~0.4, like real layers); file contents are slices of it. */
export function makePool(random) {
  const words = Array.from({ length: 4096 }, () =>
    Array.from({ length: 2 + Math.floor(random() * 9) }, () =>
      String.fromCharCode(97 + Math.floor(random() * 26)),
    ).join(''),
  );
  const pool = Buffer.allocUnsafe(64 * 1024 * 1024);
  let at = 0;
  while (at < pool.length) {
    const word = words[Math.floor(random() * words.length)];
    at += pool.write(random() < 0.08 ? `${word}\n` : `${word} `, at, 'latin1');
    // A sprinkling of binary noise, as in executables.
    if (random() < 0.01)
      for (let i = 0; i < 64 && at < pool.length; i++) pool[at++] = Math.floor(random() * 256);
  }
  return pool;
}

function octal(value, length) {
  return `${value.toString(8).padStart(length - 1, '0')}\0`;
}

const TYPEFLAGS = { file: '0', hardlink: '1', symlink: '2', directory: '5' };

export function header(name, size, type = '0', mode = type === '5' ? 0o755 : 0o644, linkname = '') {
  const block = Buffer.alloc(512);
  block.write(name, 0, 100, 'utf8');
  block.write(octal(mode, 8), 100, 'latin1');
  block.write(octal(0, 8), 108, 'latin1');
  block.write(octal(0, 8), 116, 'latin1');
  block.write(octal(size, 12), 124, 'latin1');
  block.write(octal(1_700_000_000, 12), 136, 'latin1');
  block.write(type, 156, 'latin1');
  if (linkname) block.write(linkname, 157, 100, 'utf8');
  block.write('ustar\x0000', 257, 'latin1');
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return block;
}

/** Buffered tar writer over a file descriptor; hashes what it writes (a layer's diff_id). */
export class TarFile {
  constructor(path) {
    this.fd = openSync(path, 'w');
    this.parts = [];
    this.pending = 0;
    this.size = 0;
    this.hash = createHash('sha256');
  }
  push(buffer) {
    this.parts.push(buffer);
    this.pending += buffer.length;
    this.size += buffer.length;
    if (this.pending > 8 * 1024 * 1024) this.flush();
  }
  flush() {
    if (this.pending === 0) return;
    const data = Buffer.concat(this.parts);
    this.hash.update(data);
    writeSync(this.fd, data);
    this.parts = [];
    this.pending = 0;
  }
  dir(name) {
    this.push(header(`${name}/`, 0, TYPEFLAGS.directory));
  }
  file(name, data, mode = 0o644) {
    this.push(header(name, data.length, TYPEFLAGS.file, mode));
    this.push(data);
    const rest = data.length % 512;
    if (rest) this.push(Buffer.alloc(512 - rest));
  }
  symlink(name, target) {
    this.push(header(name, 0, TYPEFLAGS.symlink, 0o777, target));
  }
  hardlink(name, target) {
    this.push(header(name, 0, TYPEFLAGS.hardlink, 0o644, target));
  }
  /** A `.wh.` whiteout deleting `path` from the layers below. */
  whiteout(path) {
    const slash = path.lastIndexOf('/');
    this.file(`${path.slice(0, slash + 1)}.wh.${path.slice(slash + 1)}`, Buffer.alloc(0));
  }
  /** Contents copied from another file, in chunks (for the outer docker-archive). */
  fileFrom(name, path) {
    const size = statSync(path).size;
    this.push(header(name, size));
    this.flush();
    const fd = openSync(path, 'r');
    const chunk = Buffer.allocUnsafe(8 * 1024 * 1024);
    let done = 0;
    while (done < size) {
      const read = readSync(fd, chunk, 0, chunk.length, done);
      writeSync(this.fd, chunk, 0, read);
      done += read;
    }
    closeSync(fd);
    this.size += size;
    const rest = size % 512;
    if (rest) this.push(Buffer.alloc(512 - rest));
  }
  /** Ends the archive; returns the sha256 digest of everything written. */
  close() {
    this.push(Buffer.alloc(1024));
    this.flush();
    closeSync(this.fd);
    return `sha256:${this.hash.digest('hex')}`;
  }
}

export function slice(pool, random, size) {
  if (size <= pool.length) {
    const start = Math.floor(random() * (pool.length - size));
    return pool.subarray(start, start + size);
  }
  const parts = [];
  for (let left = size; left > 0; left -= Math.min(left, pool.length))
    parts.push(slice(pool, random, Math.min(left, pool.length)));
  return Buffer.concat(parts);
}

/** Small-file sizes: log-uniform 32 B .. 32 KiB (mean ~4.7 KB). */
export const smallSize = (random) => Math.floor(32 * 1024 ** random());

/** Every parent directory of `paths`, sorted, so a tar lists each before its contents. */
export function dirsOf(paths) {
  const dirs = new Set();
  for (const path of paths) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  return [...dirs].sort();
}

/**
 * Writes `layer<N>.tar` files into `dir` with `build(tar)` each and returns
 * their paths and diff_ids (written to `.tmp` first, so an interrupted run
 * leaves no half layer behind).
 */
export function writeLayers(dir, builders) {
  return builders.map((build, index) => {
    const path = join(dir, `layer${index + 1}.tar`);
    const tar = new TarFile(`${path}.tmp`);
    build(tar);
    const diffId = tar.close();
    renameSync(`${path}.tmp`, path);
    return { path, diffId };
  });
}

/** A legacy `docker save` archive at `path` holding the layer tars, with a config naming their diff_ids. */
export function writeDockerArchive(path, layers, historyOf = (i) => `RUN step ${i + 1}`) {
  const diffIds = layers.map((layer) => layer.diffId);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Cmd: ['/app/start'], Env: ['PATH=/usr/local/bin:/usr/bin:/bin'] },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: layers.map((_, i) => ({ created_by: historyOf(i) })),
    }),
  );
  const configHex = createHash('sha256').update(config).digest('hex');
  const ids = diffIds.map((id) => id.slice(7));
  const manifest = [
    { Config: `${configHex}.json`, RepoTags: ['bench:latest'], Layers: ids.map((id) => `${id}/layer.tar`) },
  ];
  const tar = new TarFile(`${path}.tmp`);
  layers.forEach((layer, i) => {
    tar.dir(ids[i]);
    tar.fileFrom(`${ids[i]}/layer.tar`, layer.path);
  });
  tar.file(`${configHex}.json`, config);
  tar.file('manifest.json', Buffer.from(JSON.stringify(manifest)));
  tar.close();
  renameSync(`${path}.tmp`, path);
  return { config, configHex };
}
