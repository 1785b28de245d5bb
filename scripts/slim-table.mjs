// Regenerates the measured `pare slim` table in README.md and docs/slim.md: for
// each example, builds the naive image, slims it (default level and --minimal)
// with the probe from the example's .pare.json, and records sizes, time and
// the proof. Needs the engine, strace and the pare-base images
// (bash .ci/provision-engine.sh). Run: node scripts/slim-table.mjs [example…]
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  if (probe.http) return ['--probe-http', probe.http];
  if (probe.cmd) return ['--probe-cmd', probe.cmd];
  if (probe.up) return ['--probe-up', String(probe.up)];
  return [];
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

const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : EXAMPLES;
const work = mkdtempSync(join(tmpdir(), 'pare-slim-table-'));
const rows = [];
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

if (names === EXAMPLES) {
  for (const file of ['README.md', 'docs/slim.md']) {
    const path = `${ROOT}${file}`;
    const text = readFileSync(path, 'utf8');
    const start = '<!-- slim-table:start -->';
    const end = '<!-- slim-table:end -->';
    const from = text.indexOf(start);
    const to = text.indexOf(end);
    if (from === -1 || to === -1) throw new Error(`${file}: markers ${start} … ${end} not found`);
    writeFileSync(path, `${text.slice(0, from + start.length)}\n${table}\n${text.slice(to)}`);
  }
}
console.log(table);
