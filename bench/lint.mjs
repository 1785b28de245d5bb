// Lints a generated corpus of 1,000 Dockerfiles (variations of the test corpus)
// in one process, as `pare lint` does with many paths, and reports files/s and
// the per-file median. Baseline in the same run: parsing alone (no rules).
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDockerfile } from '../dist/dockerfile/parse.js';
import { allRules } from '../dist/rules/index.js';
import { lintModel } from '../dist/rules/run.js';

const COUNT = Number(process.env.BENCH_LINT_FILES ?? 1000);
const corpusDir = fileURLToPath(new URL('../test/fixtures/corpus/', import.meta.url));
const seeds = readdirSync(corpusDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => {
    const plain = `${corpusDir}/${entry.name}/Dockerfile`;
    return readFileSync(
      existsSync(plain) ? plain : `${corpusDir}/${entry.name}/.devcontainer/Dockerfile`,
      'utf8',
    );
  });

// Vary each copy so no cache inside pare can make repeats free.
const files = Array.from({ length: COUNT }, (_, i) => {
  const base = seeds[i % seeds.length];
  return `${base}\n# variant ${i}\nLABEL pare.bench.variant="${i}"\nRUN echo ${i} > /variant-${i}\n`;
});

async function timeEach(fn) {
  const times = [];
  const start = performance.now();
  for (const text of files) {
    const t0 = performance.now();
    await fn(text);
    times.push(performance.now() - t0);
  }
  const total = performance.now() - start;
  times.sort((a, b) => a - b);
  return { total, median: times[Math.floor(times.length / 2)], p99: times[Math.floor(times.length * 0.99)] };
}

// Warm up the JIT and load the shell grammar once, as a long `pare lint a b c …` run would.
for (const text of files.slice(0, 200)) lintModel(await parseDockerfile(text), { rules: allRules });
const parseOnly = await timeEach((text) => parseDockerfile(text));
const full = await timeEach(async (text) => lintModel(await parseDockerfile(text), { rules: allRules }));

// End to end: the CLI on 1,000 files on disk (process start, reads, context walks, JSON output).
const dir = mkdtempSync(join(tmpdir(), 'pare-bench-lint-'));
const paths = files.map((text, i) => {
  mkdirSync(join(dir, `p${i}`));
  writeFileSync(join(dir, `p${i}`, 'Dockerfile'), text);
  return join(dir, `p${i}`, 'Dockerfile');
});
const bin = fileURLToPath(new URL('../bin/pare.js', import.meta.url));
const cliStart = performance.now();
const cli = spawnSync(process.execPath, [bin, 'lint', '--format', 'json', '--fail-on', 'none', ...paths], {
  maxBuffer: 512 * 1024 * 1024,
});
const cliTotal = performance.now() - cliStart;
rmSync(dir, { recursive: true, force: true });
if (cli.status !== 0) throw new Error(`pare lint exited ${cli.status}: ${cli.stderr}`);

const row = (name, r) =>
  `| ${name.padEnd(22)} | ${String(Math.round((COUNT / r.total) * 1000)).padStart(8)} | ${r.median.toFixed(3).padStart(9)} | ${r.p99.toFixed(3).padStart(8)} |`;
console.log(`${COUNT} Dockerfiles, ${allRules.length} rules, Node ${process.version}`);
console.log('| run                    | files/s  | median ms | p99 ms   |');
console.log('|------------------------|----------|-----------|----------|');
console.log(row('parse only (baseline)', parseOnly));
console.log(row('parse + all rules', full));
console.log(
  `| ${'CLI, files on disk'.padEnd(22)} | ${String(Math.round((COUNT / cliTotal) * 1000)).padStart(8)} |       n/a |      n/a |`,
);
console.log(
  `rules cost ${(full.total / parseOnly.total).toFixed(2)}x parsing alone; target ≥ 1000 files/s (CLI end to end): ${(COUNT / cliTotal) * 1000 >= 1000 ? 'met' : 'NOT met'}`,
);

// `npm run bench -- lint --readme` writes this table into README.md.
if (process.argv.includes('--readme')) {
  const { readFileSync: read, writeFileSync: write } = await import('node:fs');
  const readme = fileURLToPath(new URL('../README.md', import.meta.url));
  const text = read(readme, 'utf8');
  const start = '<!-- bench-lint:start -->';
  const end = '<!-- bench-lint:end -->';
  const table = [
    `Measured ${new Date().toISOString().slice(0, 10)}: ${COUNT} files, ${allRules.length} rules, Node ${process.version}.`,
    '',
    '  | run | files/s | median ms/file |',
    '  |---|---|---|',
    `  | parse only (baseline) | ${Math.round((COUNT / parseOnly.total) * 1000)} | ${parseOnly.median.toFixed(3)} |`,
    `  | parse + all rules | ${Math.round((COUNT / full.total) * 1000)} | ${full.median.toFixed(3)} |`,
    `  | \`pare lint\` CLI, 1,000 files on disk, incl. process start | ${Math.round((COUNT / cliTotal) * 1000)} | n/a |`,
  ].join('\n');
  write(
    readme,
    `${text.slice(0, text.indexOf(start) + start.length)}\n  ${table}\n  ${text.slice(text.indexOf(end))}`,
  );
}
