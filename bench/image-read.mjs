// Image reading throughput against the tools that bound it, in the same run:
//   verified, uncompressed layers  vs  sha256sum over the same layer tars
//   verified, gzip layers          vs  pigz -dc | sha256sum, layer by layer
//   --no-verify walk (seeking)     vs  tar -tvf on the same layer tars
// The synthetic image (default ~1.5 GB, ~200k entries: many small files, a few
// large ones, overwrites and deletions across layers) is generated once into
// bench/.cache/ and reused. Each pare measurement runs in a child process so
// its peak RSS is its own. Warm page cache throughout: the numbers compare CPU
// work, not the disk.
//
//   node bench/image-read.mjs            (after `npm run build`)
//   BENCH_IMAGE_GB=3 BENCH_IMAGE_RUNS=5 node bench/image-read.mjs
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  dirsOf,
  makePool,
  rng,
  slice,
  smallSize,
  writeDockerArchive,
  writeLayers,
} from './synthetic-image.mjs';

const CACHE = fileURLToPath(new URL('./.cache/image-read/', import.meta.url));
const SCALE = Number(process.env.BENCH_IMAGE_GB ?? 1.5) / 1.5;
const RUNS = Number(process.env.BENCH_IMAGE_RUNS ?? 3);
const SELF = fileURLToPath(import.meta.url);

// ---- child mode: one pare measurement, printed as JSON -------------------------

if (process.env.PARE_BENCH_CHILD) {
  const { mode, reference, concurrency } = JSON.parse(process.env.PARE_BENCH_CHILD);
  const { openImage } = await import('../dist/image/open.js');
  const { scanLayers } = await import('../dist/image/tar/layer-scan.js');
  const start = performance.now();
  const image = await openImage(reference);
  const layers = await image.layers();
  let entries = 0;
  let fileBytes = 0;
  await scanLayers(
    layers,
    () => (entry) => {
      entries++;
      fileBytes += entry.size;
    },
    { verify: mode !== 'no-verify', concurrency },
  );
  await image.close();
  const ms = performance.now() - start;
  process.stdout.write(
    JSON.stringify({ ms, entries, fileBytes, maxRSS: process.resourceUsage().maxRSS * 1024 }),
  );
  process.exit(0);
}

// ---- synthetic image ------------------------------------------------------------

function pathFor(index) {
  return `usr/lib/pkg${index % 997}/sub${Math.floor(index / 997) % 13}/file${index}.dat`;
}

function generateLayers() {
  const random = rng(42);
  const pool = makePool(random);
  const count = (n) => Math.round(n * SCALE);
  const builders = [];

  // 1: the base: many small files.
  const base = Array.from({ length: count(120_000) }, (_, i) => pathFor(i));
  builders.push((tar) => {
    for (const dir of dirsOf(base)) tar.dir(dir);
    for (const path of base) tar.file(path, slice(pool, random, smallSize(random)));
  });
  // 2: a few large files (toolchains, assets) and some small ones.
  builders.push((tar) => {
    tar.dir('opt');
    tar.dir('opt/big');
    for (let i = 0; i < 4; i++)
      tar.file(`opt/big/blob${i}.bin`, slice(pool, random, Math.round(120e6 * SCALE)));
    const small = Array.from({ length: count(2000) }, (_, i) => `etc/conf${i % 50}/item${i}.conf`);
    for (const dir of dirsOf(small)) tar.dir(dir);
    for (const path of small) tar.file(path, slice(pool, random, smallSize(random)));
  });
  // 3: overwrites and deletions of earlier files (wasted bytes), one large file removed.
  builders.push((tar) => {
    for (let i = 0; i < count(20_000); i++) tar.file(pathFor(i * 5), slice(pool, random, smallSize(random)));
    for (let i = 0; i < count(10_000); i++) {
      const path = pathFor(i * 7 + 3);
      const slash = path.lastIndexOf('/');
      tar.file(`${path.slice(0, slash)}/.wh.${path.slice(slash + 1)}`, Buffer.alloc(0));
    }
    tar.file('opt/big/.wh.blob0.bin', Buffer.alloc(0));
  });
  // 4: the application: more small files and one large one.
  const app = Array.from({ length: count(60_000) }, (_, i) => `app/node_modules/mod${i % 1499}/lib/f${i}.js`);
  builders.push((tar) => {
    for (const dir of dirsOf(app)) tar.dir(dir);
    for (const path of app) tar.file(path, slice(pool, random, smallSize(random)));
    tar.file('app/data.bin', slice(pool, random, Math.round(100e6 * SCALE)));
  });
  return writeLayers(CACHE, builders);
}

function sha256File(path) {
  return `sha256:${execFileSync('sha256sum', [path]).toString().split(' ')[0]}`;
}

function writeGzipLayout(layers, config, configHex) {
  const dir = join(CACHE, 'oci-gzip');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'blobs/sha256'), { recursive: true });
  const descriptors = layers.map((layer) => {
    const gz = `${layer}.gz`;
    if (!existsSync(gz)) {
      execFileSync('sh', ['-c', `pigz -6 -c "${layer}" > "${gz}.tmp" && mv "${gz}.tmp" "${gz}"`]);
    }
    const digest = sha256File(gz);
    execFileSync('ln', ['-f', gz, join(dir, 'blobs/sha256', digest.slice(7))]);
    return { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest, size: statSync(gz).size };
  });
  const configPath = join(dir, 'blobs/sha256', configHex);
  execFileSync('cp', [join(CACHE, 'config.json'), configPath]);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: `sha256:${configHex}`,
        size: config.length,
      },
      layers: descriptors,
    }),
  );
  const manifestHex = createHash('sha256').update(manifest).digest('hex');
  writeFileSync(join(dir, 'blobs/sha256', manifestHex), manifest);
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: `sha256:${manifestHex}`,
          size: manifest.length,
        },
      ],
    }),
  );
  return layers.map((layer) => `${layer}.gz`);
}

function prepare() {
  const stamp = join(CACHE, `ready-${SCALE}.json`);
  if (existsSync(stamp)) return JSON.parse(readFileSync(stamp, 'utf8'));
  rmSync(CACHE, { recursive: true, force: true });
  mkdirSync(CACHE, { recursive: true });
  console.log(`generating a ~${(1.5 * SCALE).toFixed(1)} GB synthetic image in ${CACHE} (once) …`);
  const t0 = performance.now();
  const written = generateLayers();
  const layers = written.map((layer) => layer.path);
  const { config, configHex } = writeDockerArchive(join(CACHE, 'docker-archive.tar'), written);
  writeFileSync(join(CACHE, 'config.json'), config);
  const gzLayers = writeGzipLayout(layers, config, configHex);
  const ready = { layers, gzLayers };
  writeFileSync(stamp, JSON.stringify(ready));
  console.log(`generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return ready;
}

// ---- measurements ---------------------------------------------------------------

function timeCommand(command) {
  const t0 = performance.now();
  const result = spawnSync('sh', ['-c', command], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) throw new Error(`${command} failed`);
  return performance.now() - t0;
}

function runPare(mode, reference, concurrency = 1) {
  const result = spawnSync(process.execPath, [SELF], {
    env: { ...process.env, PARE_BENCH_CHILD: JSON.stringify({ mode, reference, concurrency }) },
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (result.status !== 0) throw new Error(`pare ${mode} failed:\n${result.stderr}`);
  return JSON.parse(result.stdout);
}

/**
 * Best of RUNS for each side, alternating baseline and pare so that load from
 * other processes hits both alike; the best run is the least disturbed one.
 */
function bestOfPairs(baseline, pare) {
  let baselineBest = Infinity;
  let pareBest;
  for (let i = 0; i < RUNS; i++) {
    baselineBest = Math.min(baselineBest, baseline());
    const result = pare();
    if (!pareBest || result.ms < pareBest.ms) pareBest = result;
  }
  return { baseline: baselineBest, ours: pareBest };
}

const { layers, gzLayers } = prepare();
const q = (paths) => paths.map((path) => `'${path}'`).join(' ');
const totalBytes = layers.reduce((sum, path) => sum + statSync(path).size, 0);
const gzBytes = gzLayers.reduce((sum, path) => sum + statSync(path).size, 0);
const archive = `docker-archive:${join(CACHE, 'docker-archive.tar')}`;
const ociGzip = `oci:${join(CACHE, 'oci-gzip')}`;

// Warm the page cache for every input.
timeCommand(`cat ${q(layers)} ${q(gzLayers)} '${join(CACHE, 'docker-archive.tar')}' > /dev/null`);

const rows = [];
const measure = (name, pare, baselineName, baselineCommand, target) => {
  const { baseline, ours } = bestOfPairs(() => timeCommand(baselineCommand), pare);
  rows.push({ name, ours, baselineName, baseline, target });
};

measure(
  'verified, uncompressed',
  () => runPare('verify', archive, 1),
  'sha256sum',
  `sha256sum ${q(layers)} > /dev/null`,
  1.3,
);
measure(
  'verified, uncompressed, 2 layers at once',
  () => runPare('verify', archive, 2),
  'sha256sum',
  `sha256sum ${q(layers)} > /dev/null`,
  1.3,
);
measure(
  'verified, gzip',
  () => runPare('verify', ociGzip, 1),
  'pigz -dc \\| sha256sum',
  gzLayers.map((path) => `pigz -dc '${path}' | sha256sum > /dev/null`).join(' && '),
  1.3,
);
measure(
  'verified, gzip, 2 layers at once',
  () => runPare('verify', ociGzip, 2),
  'pigz -dc \\| sha256sum',
  gzLayers.map((path) => `pigz -dc '${path}' | sha256sum > /dev/null`).join(' && '),
  1.3,
);
measure(
  '--no-verify walk (seek)',
  () => runPare('no-verify', archive, 1),
  'tar -tvf',
  layers.map((path) => `tar -tvf '${path}' > /dev/null`).join(' && '),
  1.5,
);

const entries = rows[0].ours.entries;
const mb = (bytes) => `${(bytes / 1e6).toFixed(0)} MB`;
console.log(
  `load average while measuring: ${loadavg()
    .map((load) => load.toFixed(1))
    .join(' ')}`,
);
console.log(
  `image: ${layers.length} layers, ${mb(totalBytes)} uncompressed (${mb(gzBytes)} gzip), ${entries} entries; best of ${RUNS} runs, warm cache`,
);
console.log('');
console.log('| mode | pare | baseline | baseline time | ratio | target | peak RSS | throughput |');
console.log('|---|---:|---|---:|---:|---:|---:|---:|');
for (const row of rows) {
  const ratio = row.ours.ms / row.baseline;
  const ok = ratio <= row.target ? 'ok' : 'MISSED';
  console.log(
    `| ${row.name} | ${(row.ours.ms / 1000).toFixed(2)} s | ${row.baselineName} | ${(row.baseline / 1000).toFixed(2)} s | ${ratio.toFixed(2)}x | ≤ ${row.target}x ${ok} | ${mb(row.ours.maxRSS)} | ${(totalBytes / 1e6 / (row.ours.ms / 1000)).toFixed(0)} MB/s |`,
  );
}

// The whole `pare inspect` command (verified read, merged tree, waste, detectors,
// ELF headers, report), timed with its peak RSS as a user runs it.
const inspectRun = (() => {
  const bin = fileURLToPath(new URL('../bin/pare.js', import.meta.url));
  let best;
  for (let run = 0; run < RUNS; run++) {
    const result = spawnSync(
      '/usr/bin/time',
      ['-f', '%e %M', process.execPath, bin, 'inspect', archive, '--format', 'json'],
      {
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
      },
    );
    if (result.status !== 0) throw new Error(`pare inspect failed: ${result.stderr}`);
    const [seconds, kilobytes] = result.stderr.trim().split('\n').at(-1).split(' ').map(Number);
    if (!best || seconds < best.seconds) best = { seconds, rss: kilobytes * 1024 };
  }
  return best;
})();
console.log('');
console.log(
  `pare inspect (whole command, verified): ${inspectRun.seconds.toFixed(2)} s, ${mb(inspectRun.rss)} peak RSS, ${(totalBytes / 1e6 / inspectRun.seconds).toFixed(0)} MB/s`,
);

// `npm run bench -- image --readme` writes these figures into README.md.
if (process.argv.includes('--readme')) {
  const readme = fileURLToPath(new URL('../README.md', import.meta.url));
  const text = readFileSync(readme, 'utf8');
  const start = '<!-- bench-image:start -->';
  const end = '<!-- bench-image:end -->';
  const lines = [
    `Measured ${new Date().toISOString().slice(0, 10)}: ${layers.length} layers, ${mb(totalBytes)} uncompressed (${mb(gzBytes)} gzip), ${entries} entries; best of ${RUNS}, warm cache.`,
    '',
    '  | mode | pare | baseline | ratio | target | peak RSS |',
    '  |---|---:|---|---:|---:|---:|',
    ...rows.map(
      (row) =>
        `  | ${row.name} | ${(row.ours.ms / 1000).toFixed(2)} s | ${row.baselineName} ${(row.baseline / 1000).toFixed(2)} s | ${(row.ours.ms / row.baseline).toFixed(2)}x | ≤ ${row.target}x | ${mb(row.ours.maxRSS)} |`,
    ),
    '',
    `  The whole \`pare inspect\` command (verified read, merged tree, waste, detectors, ELF headers, report) on that archive: ${inspectRun.seconds.toFixed(2)} s, ${mb(inspectRun.rss)} peak RSS, ${(totalBytes / 1e6 / inspectRun.seconds).toFixed(0)} MB/s.`,
  ];
  writeFileSync(
    readme,
    `${text.slice(0, text.indexOf(start) + start.length)}\n  ${lines.join('\n')}\n  ${text.slice(text.indexOf(end))}`,
  );
}
