// The whole `pare inspect` command on three image shapes, against the tools
// that bound it, timed in the same run over the same layer tars:
//   inspect --format json (verified)   vs  openssl dgst -sha256 <layer tars>
//   inspect --format json --no-verify  vs  tar -tvf, layer by layer
//   inspect --format html              vs  inspect --format json
// with each command's peak RSS; and, when a Docker engine is reachable, the
// docker-daemon: source against the export it reads:
//   inspect docker-daemon:IMAGE --format json  vs  docker save IMAGE > /dev/null
// on an image built for the run from a pare-base image plus generated files
// (bench/daemon-image.mjs) and removed afterwards. The shapes, generated once into
// bench/.cache/inspect/ as docker-archives of uncompressed layers:
//   waste  ~0.35 GB,  ~7 k files: overwrites, deletions, an opaque directory
//   node   ~1.3 GB,  ~80 k files: a Debian base, a C toolchain, Node, node_modules
//   many   ~2.3 GB, ~210 k small files and 4 large ones
// File contents are word-like text, except executables and libraries, which
// are copies of this machine's own ELF files (so the ELF reader has real work).
// Runs alternate between pare and its baseline and the best of each is kept;
// warm page cache throughout.
//
//   node bench/inspect.mjs                 (after `npm run build`)
//   BENCH_INSPECT_RUNS=5 BENCH_INSPECT_SHAPES=waste,node,daemon node bench/inspect.mjs
//   BENCH_DOCKER=docker …   (the docker CLI to build and save with; default /usr/bin/docker if present)
//   BENCH_INSPECT_BEFORE=/path/to/other/bin/pare.js node bench/inspect.mjs   (also times another build)
//   npm run bench -- inspect --readme   (writes each table measured into its README block)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDaemonImage, DOCKER, daemonUnavailable } from './daemon-image.mjs';
import {
  dirsOf,
  makePool,
  rng,
  slice,
  smallSize,
  writeDockerArchive,
  writeLayers,
} from './synthetic-image.mjs';

const CACHE = fileURLToPath(new URL('./.cache/inspect/', import.meta.url));
const RUNS = Number(process.env.BENCH_INSPECT_RUNS ?? 3);
const BIN = fileURLToPath(new URL('../bin/pare.js', import.meta.url));
const BEFORE = process.env.BENCH_INSPECT_BEFORE;
const WANTED = (process.env.BENCH_INSPECT_SHAPES ?? 'waste,node,many,daemon').split(',');
/** Bump when a shape's recipe changes, so stale caches are rebuilt. */
const RECIPE = 1;

// ---- contents -------------------------------------------------------------------

/** This machine's ELF files up to `maxBytes`, in a stable order, for executables and libraries. */
function systemElfFiles(maxBytes) {
  const found = [];
  for (const dir of ['/usr/bin', '/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib']) {
    let names;
    try {
      names = readdirSync(dir).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      const path = join(dir, name);
      try {
        const stat = statSync(path);
        if (!stat.isFile() || stat.size < 64 || stat.size > maxBytes) continue;
        const head = readFileSync(path).subarray(0, 4);
        if (head.toString('latin1') === '\x7fELF') found.push(path);
      } catch {}
      if (found.length >= 2000) return found;
    }
  }
  return found;
}

class Contents {
  constructor(seed) {
    this.random = rng(seed);
    this.pool = makePool(this.random);
    this.elfPaths = systemElfFiles(1024 * 1024);
    this.elfCache = new Map();
  }
  /** Text of about `mean` bytes (log-uniform around it, like smallSize). */
  text(mean = 4700) {
    return slice(this.pool, this.random, Math.max(1, Math.floor((smallSize(this.random) * mean) / 4700)));
  }
  bytes(size) {
    return slice(this.pool, this.random, size);
  }
  /** A real ELF file of this machine (text when there is none). */
  elf() {
    if (this.elfPaths.length === 0) return this.text(50_000);
    const path = this.elfPaths[Math.floor(this.random() * this.elfPaths.length)];
    let data = this.elfCache.get(path);
    if (!data) {
      data = readFileSync(path);
      this.elfCache.set(path, data);
    }
    return data;
  }
  pick(list) {
    return list[Math.floor(this.random() * list.length)];
  }
}

/** Writes files (with their directories first) into a layer. */
function files(tar, entries) {
  for (const dir of dirsOf(entries.map(([path]) => path))) tar.dir(dir);
  for (const [path, data, mode] of entries) tar.file(path, data, mode);
}

const range = (n, make) => Array.from({ length: n }, (_, i) => make(i));

// ---- shapes ---------------------------------------------------------------------

function debianBase(c, scale) {
  return (tar) => {
    files(tar, [
      ...range(300 * scale, (i) => [`usr/bin/tool${i}`, c.elf(), 0o755]),
      ...range(600 * scale, (i) => [`usr/lib/x86_64-linux-gnu/libpkg${i}.so.${i % 7}`, c.elf()]),
      ...range(1500 * scale, (i) => [
        `usr/share/doc/pkg${i % 500}/${i < 500 ? 'copyright' : `changelog${i}.gz`}`,
        c.text(3000),
      ]),
      ...range(800 * scale, (i) => [`usr/share/locale/l${i % 80}/LC_MESSAGES/m${i}.mo`, c.text(8000)]),
      ...range(400 * scale, (i) => [`etc/conf${i % 40}/item${i}`, c.text(600)]),
      ...range(200 * scale, (i) => [`usr/share/man/man1/tool${i}.1.gz`, c.text(2000)]),
    ]);
    for (let i = 0; i < 100 * scale; i++) tar.symlink(`usr/bin/alias${i}`, `tool${i}`);
  };
}

function wasteShape(c) {
  return [
    debianBase(c, 1),
    // apt-get install: lists, cached .debs, python with bytecode
    (tar) =>
      files(tar, [
        ...range(12, (i) => [`var/lib/apt/lists/deb.debian.org_dists_${i}_Packages`, c.bytes(3_000_000)]),
        ...range(120, (i) => [`var/cache/apt/archives/pkg${i}_1.0_amd64.deb`, c.bytes(400_000)]),
        ...range(400, (i) => [`usr/lib/python3/dist-packages/mod${i % 60}/f${i}.py`, c.text(6000)]),
        ...range(400, (i) => [
          `usr/lib/python3/dist-packages/mod${i % 60}/__pycache__/f${i}.cpython-311.pyc`,
          c.text(6000),
        ]),
        ...range(300, (i) => [`usr/share/doc/extra${i % 100}/README${i}`, c.text(3000)]),
      ]),
    // the app, overwriting configs and documentation of the base
    (tar) => {
      files(tar, [
        ...range(1200, (i) => [
          `app/node_modules/m${i % 150}/${i % 5 === 0 ? 'test' : 'lib'}/f${i}.js`,
          c.text(9000),
        ]),
        ...range(200, (i) => [`app/node_modules/m${i % 150}/README${i}.md`, c.text(4000)]),
        ...range(400, (i) => [`etc/conf${(i * 3) % 40}/item${i * 3}`, c.text(800)]),
        ...range(300, (i) => [`usr/share/doc/pkg${(i * 5) % 500}/changelog${i * 5 + 500}.gz`, c.text(3000)]),
        ['app/data.bin', c.bytes(40_000_000)],
      ]);
    },
    // cleanup in a later layer: whiteouts, an opaque directory, rewritten app files
    (tar) => {
      for (let i = 0; i < 12; i++) tar.whiteout(`var/lib/apt/lists/deb.debian.org_dists_${i}_Packages`);
      tar.dir('var/cache/apt/archives');
      tar.file('var/cache/apt/archives/.wh..wh..opq', Buffer.alloc(0));
      for (let i = 0; i < 200; i++) tar.whiteout(`usr/share/locale/l${i % 80}/LC_MESSAGES/m${i}.mo`);
      tar.whiteout('app/data.bin');
      files(
        tar,
        range(300, (i) => [`app/node_modules/m${i % 150}/lib/f${i * 4 + 1}.js`, c.text(9000)]),
      );
    },
  ];
}

function nodeShape(c) {
  return [
    debianBase(c, 2),
    // build toolchain: compilers, headers, python, apt lists and cache
    (tar) =>
      files(tar, [
        ...range(6, (i) => [
          `usr/lib/gcc/x86_64-linux-gnu/12/${['cc1', 'cc1plus', 'lto1', 'collect2', 'lto-wrapper', 'cc1obj'][i]}`,
          Buffer.concat(range(8, () => c.elf())),
          0o755,
        ]),
        ...range(200, (i) => [`usr/bin/build-tool${i}`, c.elf(), 0o755]),
        ...range(800, (i) => [`usr/lib/x86_64-linux-gnu/libdev${i}.so.${i % 5}`, c.elf()]),
        ...range(300, (i) => [`usr/lib/x86_64-linux-gnu/libdev${i}.a`, c.bytes(300_000)]),
        ...range(8000, (i) => [`usr/include/x${i % 300}/h${i}.h`, c.text(5000)]),
        ...range(3000, (i) => [`usr/share/doc/dev${i % 900}/changelog${i}.gz`, c.text(3000)]),
        ...range(3000, (i) => [`usr/lib/python3.11/lib${i % 200}/m${i}.py`, c.text(8000)]),
        ...range(3000, (i) => [
          `usr/lib/python3.11/lib${i % 200}/__pycache__/m${i}.cpython-311.pyc`,
          c.text(8000),
        ]),
        ...range(20, (i) => [`var/lib/apt/lists/deb.debian.org_${i}_Packages`, c.bytes(2_500_000)]),
        ...range(200, (i) => [`var/cache/apt/archives/dev${i}_1.0_amd64.deb`, c.bytes(500_000)]),
      ]),
    // Node itself: the binary, npm, headers
    (tar) =>
      files(tar, [
        ['usr/local/bin/node', Buffer.concat(range(30, () => c.elf())), 0o755],
        ...range(3000, (i) => [
          `usr/local/lib/node_modules/npm/node_modules/d${i % 300}/lib/f${i}.js`,
          c.text(8000),
        ]),
        ...range(600, (i) => [`usr/local/include/node/h${i}.h`, c.text(6000)]),
      ]),
    // npm ci: node_modules with tests, docs, maps, native addons; the npm cache left behind
    (tar) =>
      files(tar, [
        ...range(40_000, (i) => {
          const dir = `app/node_modules/p${i % 2500}`;
          const kind = i % 10;
          if (kind === 0) return [`${dir}/test/t${i}.js`, c.text(6000)];
          if (kind === 1) return [`${dir}/README${i}.md`, c.text(5000)];
          if (kind === 2) return [`${dir}/dist/f${i}.js.map`, c.text(12000)];
          if (kind === 3) return [`${dir}/types/f${i}.d.ts`, c.text(3000)];
          return [`${dir}/lib/f${i}.js`, c.text(10000)];
        }),
        ...range(40, (i) => [`app/node_modules/native${i}/build/Release/addon.node`, c.elf()]),
        ...range(3000, (i) => [`root/.npm/_cacache/content-v2/sha512/${i % 256}/c${i}`, c.text(30000)]),
      ]),
    // the app and its repository; apt lists removed too late to save anything
    (tar) => {
      files(tar, [
        ...range(500, (i) => [`app/src/s${i % 40}/f${i}.ts`, c.text(4000)]),
        ...range(500, (i) => [`app/dist/s${i % 40}/f${i}.js`, c.text(4000)]),
        ...range(300, (i) => [`app/.git/objects/${i % 256}/o${i}`, c.text(20000)]),
      ]);
      for (let i = 0; i < 20; i++) tar.whiteout(`var/lib/apt/lists/deb.debian.org_${i}_Packages`);
    },
  ];
}

function manyShape(c) {
  const pathFor = (i) => `usr/lib/pkg${i % 997}/sub${Math.floor(i / 997) % 13}/file${i}.dat`;
  return [
    (tar) =>
      files(
        tar,
        range(140_000, (i) => [pathFor(i), c.text()]),
      ),
    (tar) =>
      files(tar, [
        ...range(4, (i) => [`opt/big/blob${i}.bin`, c.bytes(280_000_000)]),
        ...range(2000, (i) => [`etc/conf${i % 50}/item${i}.conf`, c.text()]),
      ]),
    (tar) => {
      for (let i = 0; i < 20_000; i++) tar.file(pathFor(i * 5), c.text());
      for (let i = 0; i < 10_000; i++) tar.whiteout(pathFor(i * 7 + 3));
      tar.whiteout('opt/big/blob0.bin');
    },
    (tar) =>
      files(
        tar,
        range(67_000, (i) => [`app/node_modules/mod${i % 1499}/lib/f${i}.js`, c.text()]),
      ),
  ];
}

const SHAPES = { waste: wasteShape, node: nodeShape, many: manyShape };
/** The docker-daemon: row's name, e.g. in BENCH_INSPECT_SHAPES. */
const DAEMON_LABEL = 'daemon';

// Generation holds hundreds of MB; it runs in a child process, as Linux carries a
// process's peak RSS over fork and exec into every command this one starts.
if (process.env.BENCH_INSPECT_GENERATE) {
  const name = process.env.BENCH_INSPECT_GENERATE;
  const dir = join(CACHE, name);
  const layers = writeLayers(dir, SHAPES[name](new Contents(7)));
  const archive = join(dir, 'docker-archive.tar');
  writeDockerArchive(archive, layers);
  writeFileSync(
    join(dir, `ready-${RECIPE}.json`),
    JSON.stringify({ layers: layers.map((layer) => layer.path), archive }),
  );
  process.exit(0);
}

function prepare(name) {
  const dir = join(CACHE, name);
  const stamp = join(dir, `ready-${RECIPE}.json`);
  if (existsSync(stamp)) return JSON.parse(readFileSync(stamp, 'utf8'));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  console.log(`generating the ${name} image in ${dir} (once) …`);
  const t0 = performance.now();
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], {
    env: { ...process.env, BENCH_INSPECT_GENERATE: name },
    stdio: 'inherit',
  });
  if (child.status !== 0) throw new Error(`generating the ${name} image failed`);
  console.log(`generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return JSON.parse(readFileSync(stamp, 'utf8'));
}

// ---- measurements ---------------------------------------------------------------

/**
 * Wall seconds, CPU seconds (user + system, all threads) and peak RSS (bytes)
 * of one command, from /usr/bin/time. On a loaded machine the CPU time says
 * more than the wall time about what a change did.
 */
function timed(argv) {
  const result = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', ...argv], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`${argv.join(' ')} failed:\n${result.stderr}`);
  const [seconds, user, system, kilobytes] = result.stderr.trim().split('\n').at(-1).split(' ').map(Number);
  return { seconds, cpu: user + system, rss: kilobytes * 1024 };
}

/** Best of RUNS of each command, run in turn (a b c a b c …) so load hits all alike. */
function bestOf(commands) {
  const best = commands.map(() => undefined);
  for (let run = 0; run < RUNS; run++) {
    commands.forEach((argv, i) => {
      const result = timed(argv);
      if (!best[i] || result.seconds < best[i].seconds) best[i] = result;
    });
  }
  return best;
}

const shell = (command) => ['sh', '-c', command];
const quote = (paths) => paths.map((path) => `'${path}'`).join(' ');
const pare = (bin, archive, ...flags) => [
  process.execPath,
  bin,
  'inspect',
  `docker-archive:${archive}`,
  ...flags,
];

const rows = [];
for (const name of Object.keys(SHAPES)) {
  if (!WANTED.includes(name)) continue;
  const { layers, archive } = prepare(name);
  const bytes = layers.reduce((sum, path) => sum + statSync(path).size, 0);
  timed(shell(`cat ${quote(layers)} '${archive}' > /dev/null`));
  const [openssl, json, tarList, noVerify, html, before] = bestOf([
    ['openssl', 'dgst', '-sha256', ...layers],
    pare(BIN, archive, '--format', 'json'),
    shell(layers.map((path) => `tar -tvf '${path}' > /dev/null`).join(' && ')),
    pare(BIN, archive, '--format', 'json', '--no-verify'),
    pare(BIN, archive, '--format', 'html'),
    ...(BEFORE ? [pare(BEFORE, archive, '--format', 'json')] : []),
  ]);
  const report = JSON.parse(
    spawnSync(process.execPath, [BIN, 'inspect', `docker-archive:${archive}`, '--format', 'json'], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    }).stdout,
  );
  const paths = report.size.files + report.size.directories + report.size.symlinks + report.size.others;
  rows.push({ name, layers: layers.length, bytes, paths, openssl, json, tarList, noVerify, html, before });
}

const archiveLoad = loadavg()[0];

// Node's own start, the floor under every pare row. A machine that sets NODE_EXTRA_CA_CERTS
// (this one does, so containers reach the npm registry) has Node parse that bundle at every
// start, before any JavaScript runs: timed both ways when it is set.
const nodeStart =
  rows.length === 0
    ? undefined
    : bestOf([
        [process.execPath, '-e', ''],
        ...(process.env.NODE_EXTRA_CA_CERTS
          ? [['env', '-u', 'NODE_EXTRA_CA_CERTS', process.execPath, '-e', '']]
          : []),
      ]);

// The docker-daemon: row: the same engine exports the same image to both.
let daemon;
if (WANTED.includes(DAEMON_LABEL)) {
  const unavailable = daemonUnavailable();
  if (unavailable) daemon = { skipped: unavailable };
  else {
    console.log('building the docker-daemon: image …');
    const image = buildDaemonImage();
    try {
      const reference = `docker-daemon:${image.name}`;
      const inspect = (bin) => [process.execPath, bin, 'inspect', reference, '--format', 'json'];
      const [save, json, before] = bestOf([
        shell(`${DOCKER} save '${image.name}' > /dev/null`),
        inspect(BIN),
        ...(BEFORE ? [inspect(BEFORE)] : []),
      ]);
      daemon = { image, save, json, before, load: loadavg()[0] };
    } finally {
      image.remove();
    }
  }
}

const mb = (bytes) => `${(bytes / 1e6).toFixed(0)} MB`;
const s = (result) => `${result.seconds.toFixed(2)} s`;
const measured = (load) =>
  `Measured ${new Date().toISOString().slice(0, 10)}: best of ${RUNS}, warm cache, Node ${process.version}, load average ${load.toFixed(1)}.`;
const lines = [];
if (rows.length > 0)
  lines.push(
    measured(archiveLoad),
    '',
    '| image | inspect json | openssl dgst | ratio (target ≤ 1.3× + 0.1 s) | --no-verify | tar -tvf | ratio (≤ 1.2×) | html / json (≤ 1.2×) | peak RSS (json, html) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((row) => {
      const allowed = 1.3 * row.openssl.seconds + 0.1;
      return `| ${row.name}: ${row.layers} layers, ${mb(row.bytes)}, ${row.paths} paths | ${s(row.json)} | ${s(row.openssl)} | ${(row.json.seconds / row.openssl.seconds).toFixed(2)}× ${row.json.seconds <= allowed ? 'ok' : 'MISSED'} | ${s(row.noVerify)} | ${s(row.tarList)} | ${(row.noVerify.seconds / row.tarList.seconds).toFixed(2)}× ${row.noVerify.seconds <= 1.2 * row.tarList.seconds ? 'ok' : 'MISSED'} | ${(row.html.seconds / row.json.seconds).toFixed(2)}× | ${mb(row.json.rss)}, ${mb(row.html.rss)} |`;
    }),
    '',
    `Node's own start (\`node -e ''\`, best of ${RUNS}): ${s(nodeStart[0])}${nodeStart[1] ? `; ${s(nodeStart[1])} without NODE_EXTRA_CA_CERTS, which this machine sets and Node reads at every start` : ''}.`,
  );
/** The docker-daemon: table, kept in a README block of its own so either can be measured without the other. */
const daemonLines = [];
if (daemon?.skipped) daemonLines.push(`docker-daemon: not measured (${daemon.skipped}).`);
else if (daemon) {
  const { image, save, json } = daemon;
  const ratio = json.seconds / save.seconds;
  daemonLines.push(
    measured(daemon.load),
    '',
    '| image in the engine | inspect docker-daemon: json | docker save > /dev/null | ratio (target ≤ 1.3×) | CPU (inspect, save) | peak RSS |',
    '|---|---:|---:|---:|---:|---:|',
    `| ${DAEMON_LABEL}: ${image.layers} layers, ${mb(image.bytes)} | ${s(json)} | ${s(save)} | ${ratio.toFixed(2)}× ${ratio <= 1.3 ? 'ok' : 'MISSED'} | ${json.cpu.toFixed(2)} s, ${save.cpu.toFixed(2)} s | ${mb(json.rss)} |`,
  );
}
const beforeLines = [];
if (BEFORE) {
  beforeLines.push('Another build (BENCH_INSPECT_BEFORE), inspect --format json in the same runs:', '');
  for (const row of rows)
    beforeLines.push(
      `- ${row.name}: ${s(row.before)} (${(row.before.seconds / row.openssl.seconds).toFixed(2)}× openssl), ${row.before.cpu.toFixed(2)} s CPU, ${mb(row.before.rss)} peak RSS; this build ${(row.json.seconds / row.before.seconds).toFixed(2)}× its time, ${row.json.cpu.toFixed(2)} s CPU, ${mb(row.json.rss)} peak RSS`,
    );
  if (daemon?.before) {
    const { before, save, json } = daemon;
    beforeLines.push(
      `- ${DAEMON_LABEL}: ${s(before)} (${(before.seconds / save.seconds).toFixed(2)}× docker save), ${before.cpu.toFixed(2)} s CPU, ${mb(before.rss)} peak RSS; this build ${(json.seconds / before.seconds).toFixed(2)}× its time, ${json.cpu.toFixed(2)} s CPU, ${mb(json.rss)} peak RSS`,
    );
  }
}
console.log(
  [lines, daemonLines, beforeLines]
    .filter((part) => part.length > 0)
    .map((part) => part.join('\n'))
    .join('\n\n'),
);

/** Replaces what is between `<!-- NAME:start -->` and `<!-- NAME:end -->` in README.md. */
function writeReadmeBlock(name, block) {
  const readme = fileURLToPath(new URL('../README.md', import.meta.url));
  const text = readFileSync(readme, 'utf8');
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  if (!text.includes(start)) throw new Error(`README.md has no ${start} marker`);
  writeFileSync(
    readme,
    `${text.slice(0, text.indexOf(start) + start.length)}\n${block.map((line) => (line ? `  ${line}` : '')).join('\n')}\n  ${text.slice(text.indexOf(end))}`,
  );
}

// `npm run bench -- inspect --readme` writes the tables it measured into README.md.
if (process.argv.includes('--readme')) {
  if (rows.length > 0) writeReadmeBlock('bench-inspect', lines);
  if (daemon && !daemon.skipped) writeReadmeBlock('bench-inspect-daemon', daemonLines);
}
