// Regenerates the measured `pare slim` tables in README.md and docs/slim.md: for
// each example, builds the naive image, slims it (default level and --minimal)
// with the probe from the example's .pare.json, and records sizes, time and
// the proof; then where each minimal image's bytes go (from its report), and
// the time for a 1 GB image (python-api plus 800 MB of incompressible data). Needs the engine, strace and the pare-base images
// (bash .ci/provision-engine.sh). Run: node scripts/slim-table.mjs [example…]
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EXAMPLES, ROOT } from './examples-lib.mjs';

const run = promisify(execFile);
const DOCKER = '/usr/bin/docker';
const mb = (bytes) => `${(bytes / 1e6).toFixed(bytes < 10e6 ? 2 : 1)} MB`;

function probeArgs(name) {
  const config = JSON.parse(readFileSync(`${ROOT}examples/${name}/.pare.json`, 'utf8'));
  const probe = config.optimize?.probe ?? {};
  // "env" comes with any probe: apps that refuse to start without settings.
  const env = Object.entries(probe.env ?? {}).flatMap(([key, value]) => ['--probe-env', `${key}=${value}`]);
  if (probe.http) return ['--probe-http', probe.http, ...env];
  if (probe.cmd) return ['--probe-cmd', probe.cmd, ...env];
  if (probe.up) return ['--probe-up', String(probe.up), ...env];
  return env;
}

async function slim(name, image, extra, work) {
  const report = join(work, `${name}-${extra.length}.json`);
  const started = process.hrtime.bigint();
  const tag = `${image}-slim`;
  let failed;
  try {
    await run(
      process.execPath,
      [`${ROOT}bin/pare.js`, 'slim', `docker-daemon:${image}`, '--tag', tag, ...probeArgs(name), ...extra, '--report', report],
      { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } },
    );
  } catch (error) {
    failed = `${error.stderr ?? error.message}`.trim().split('\n').pop();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await run(DOCKER, ['rmi', '-f', tag]).catch(() => {});
  if (failed) return { failed, seconds };
  return { report: JSON.parse(readFileSync(report, 'utf8')), seconds };
}

/** Programs and shared libraries: what the kernel and ld.so map for the app. */
const isElfPath = (entry) =>
  /\.so(\.[\d.]+)?$/.test(entry.path) ||
  /^\/(usr\/)?(local\/)?s?bin\//.test(entry.path) ||
  (/^(entrypoint|interpreter|elf-)/.test(entry.reason) && !/\.(py|js|sh)$/.test(entry.path));

function breakdownRow(name, report) {
  const kept = report.minimal.kept.filter((entry) => entry.size > 0).sort((a, b) => b.size - a.size);
  const total = kept.reduce((sum, entry) => sum + entry.size, 0);
  const elf = kept.filter(isElfPath).reduce((sum, entry) => sum + entry.size, 0);
  const largest = kept
    .slice(0, 5)
    .map((entry) => `\`${entry.path}\` ${mb(entry.size)} (${entry.reason})`)
    .join(', ');
  return `| ${name} | ${mb(total)} | ${mb(elf)} | ${largest} |`;
}

/** python-api plus 800 MB of incompressible data in a layer the app never reads, slimmed with --minimal. */
async function oneGigabyte(base, work) {
  const context = join(work, 'one-gigabyte');
  const image = 'pare-examples/python-api-1g:naive';
  mkdirSync(context);
  writeFileSync(
    join(context, 'Dockerfile'),
    `FROM ${base}\nRUN mkdir -p /opt/data && for i in $(seq 1 40); do head -c 20000000 /dev/urandom > /opt/data/blob$i; done\n`,
  );
  process.stderr.write('building the 1 GB image…\n');
  await run(DOCKER, ['build', '-q', '-t', image, context], {
    env: { ...process.env, DOCKER_BUILDKIT: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  try {
    const result = await slim('python-api', image, ['--minimal'], work);
    if (result.failed) return `the 1 GB image failed: ${result.failed}`;
    const sizes = result.report.probe.engineSize;
    return `A ${mb(sizes.original)} image (examples/python-api plus 800 MB of incompressible data in a layer) slims with \`--minimal\` to ${mb(sizes.slim)} in ${result.seconds.toFixed(1)} s wall clock, including the export from the engine, the traced run, both probes, the import check and loading the result (proof: ${result.report.probe.same ? 'same behaviour' : 'DIFFERENT'}).`;
  } finally {
    await run(DOCKER, ['rmi', '-f', image]).catch(() => {});
  }
}

const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : EXAMPLES;
const work = mkdtempSync(join(tmpdir(), 'pare-slim-table-'));
const rows = [];
const breakdown = [];
let big;
try {
  for (const name of names) {
    const image = `pare-examples/${name}:naive`;
    process.stderr.write(`building examples/${name}…\n`);
    await run(DOCKER, ['build', '-q', '-t', image, `${ROOT}examples/${name}`], {
      env: { ...process.env, DOCKER_BUILDKIT: '1' },
      maxBuffer: 64 * 1024 * 1024,
    });
    process.stderr.write(`slimming ${image}…\n`);
    const basic = await slim(name, image, [], work);
    const minimal = await slim(name, image, ['--minimal'], work);
    const original = minimal.report?.probe?.engineSize?.original ?? basic.report?.probe?.engineSize?.original;
    const cell = (result) => {
      if (result.failed) return `failed: ${result.failed}`;
      const size = result.report.probe?.engineSize?.slim;
      return size === undefined ? 'not probed' : `${mb(size)} in ${result.seconds.toFixed(0)} s`;
    };
    const proof = (result) => {
      if (result.failed) return '—';
      const probe = result.report.probe;
      if (!probe) return 'not probed';
      const checks = (probe.checks ?? []).map((check) => `${check.name} ${check.ok ? 'ok' : 'FAILED'}`);
      const level = result.report.minimal?.level === 'leftovers' ? ' (fell back to leftovers)' : '';
      return `${probe.same ? 'same' : 'DIFFERENT'}${checks.length ? `, ${checks.join(', ')}` : ''}${level}`;
    };
    rows.push(
      `| ${name} | ${original ? mb(original) : '?'} | ${cell(basic)} | ${cell(minimal)} | ${proof(minimal)} |`,
    );
    if (minimal.report?.minimal) breakdown.push(breakdownRow(name, minimal.report));
    if (name === 'python-api' && names === EXAMPLES) big = await oneGigabyte(image, work);
    await run(DOCKER, ['rmi', '-f', image]).catch(() => {});
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const table = [
  `Measured ${new Date().toISOString().slice(0, 10)} by \`node scripts/slim-table.mjs\` on the examples' naive images (sizes as \`docker images\` reports them, MB = 10^6 bytes; times include the traced run, both probes and loading into the engine).`,
  '',
  '| example | original | pare slim (leftovers) | pare slim --minimal | proof of --minimal |',
  '|---|---|---|---|---|',
  ...rows,
].join('\n');

const breakdownTable = [
  'Where the bytes of each `--minimal` image go (its `--report`): all kept file bytes, those of programs and shared libraries, and the five largest kept paths with the reason each was kept.',
  '',
  '| example | kept | programs and libraries | largest kept paths |',
  '|---|---|---|---|',
  ...breakdown,
].join('\n');

function writeBetween(file, marker, text) {
  const path = `${ROOT}${file}`;
  const content = readFileSync(path, 'utf8');
  const start = `<!-- ${marker}:start -->`;
  const end = `<!-- ${marker}:end -->`;
  const from = content.indexOf(start);
  const to = content.indexOf(end);
  if (from === -1 || to === -1) throw new Error(`${file}: markers ${start} … ${end} not found`);
  writeFileSync(path, `${content.slice(0, from + start.length)}\n${text}\n${content.slice(to)}`);
}

if (names === EXAMPLES) {
  for (const file of ['README.md', 'docs/slim.md']) writeBetween(file, 'slim-table', table);
  writeBetween('docs/slim.md', 'slim-breakdown', breakdownTable);
  if (big) writeBetween('docs/slim.md', 'slim-1g', big);
}
console.log(`${table}\n\n${breakdownTable}\n\n${big ?? ''}`);
