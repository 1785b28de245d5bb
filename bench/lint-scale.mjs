// How linting grows with the size of one Dockerfile: 1,000, 10,000 and 20,000
// instructions of several shapes, linted in process as `pare lint` does
// (parse, build-context walk, every rule), CPU time, best of 3 (linear: 20,000
// take twice 10,000); then the whole CLI on 10,000 RUN lines and on 1 MB
// Dockerfiles, with the peak RSS of each run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allRules } from '../dist/rules/index.js';
import { lintFiles } from '../dist/rules/lint-files.js';

const RUNS = 3;
const corpusDir = fileURLToPath(new URL('../test/fixtures/corpus/', import.meta.url));
const corpus = readdirSync(corpusDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  // A devcontainer fixture keeps its Dockerfile where VS Code looks for it.
  .map((entry) => {
    const plain = join(corpusDir, entry.name, 'Dockerfile');
    return readFileSync(
      existsSync(plain) ? plain : join(corpusDir, entry.name, '.devcontainer', 'Dockerfile'),
      'utf8',
    );
  })
  // A file-wide `# escape=` directive only holds at the top of a file.
  .filter((text) => !/^#\s*escape\s*=/im.test(text));

const stage = (count, line) =>
  `FROM debian:12-slim\nWORKDIR /app\n${Array.from({ length: count }, (_, i) => line(i)).join('\n')}\n`;
function corpusOf(count) {
  const parts = [];
  for (let i = 0, n = 0; n < count; i++) {
    const text = corpus[i % corpus.length];
    parts.push(text);
    n += text.split('\n').filter((line) => /^[A-Z]+\s/.test(line)).length;
  }
  return parts.join('\n');
}
function ofSize(bytes, line) {
  let text = 'FROM debian:12-slim\n';
  for (let i = 0; text.length + line(i).length + 1 <= bytes; i++) text += `${line(i)}\n`;
  return text;
}

/** One RUN line of `echo N && …` commands, `bytes` long. */
function oneRun(bytes) {
  const parts = ['FROM debian:12-slim\nRUN true'];
  let size = parts[0].length;
  for (let i = 0; size + 20 < bytes; i++) {
    const piece = ` && echo ${i}`;
    parts.push(piece);
    size += piece.length;
  }
  return `${parts.join('')}\n`;
}

const shapes = [
  ['RUN lines', (n) => stage(n, (i) => `RUN apt-get install -y package${i}`)],
  ['COPY lines', (n) => stage(n, (i) => `COPY src/file${i}.py /app/lib/`)],
  ['ENV chain', (n) => stage(n, (i) => `ENV VAR${i}=$VAR${i - 1}`)],
  ['ENV and RUN alternating', (n) => stage(n, (i) => (i % 2 ? `RUN echo $V${i - 1}` : `ENV V${i}=x`))],
  ['the corpus, repeated', corpusOf],
];

const dir = mkdtempSync(join(tmpdir(), 'pare-bench-scale-'));
writeFileSync(join(dir, 'app.py'), 'print("hello")\n');
const dockerfile = join(dir, 'Dockerfile');
const settings = { disabled: new Set(), severities: new Map() };

/** pare refuses a Dockerfile over 1 MiB; the repeated corpus's 20,000 instructions can pass it. */
const MAX_BYTES = 1024 * 1024;

async function best(text) {
  if (Buffer.byteLength(text) > MAX_BYTES) return Number.NaN;
  writeFileSync(dockerfile, text);
  let fastest = Number.POSITIVE_INFINITY;
  for (let run = 0; run < RUNS; run++) {
    // CPU time, not wall time: these machines are shared, and linting runs on one core.
    const start = process.cpuUsage();
    const result = await lintFiles([dir], { rules: allRules, settings, policy: { allowed: [] } });
    const used = process.cpuUsage(start);
    fastest = Math.min(fastest, (used.user + used.system) / 1000);
    if (result.files[0].error) throw new Error(result.files[0].error);
  }
  return fastest;
}

const rows = [];
for (const [name, generate] of shapes) {
  await best(generate(2_000)); // warm up the JIT (and the heap) for this shape
  const small = await best(generate(1_000));
  const large = await best(generate(10_000));
  const double = await best(generate(20_000));
  rows.push({ name, small, large, double });
}

const bin = fileURLToPath(new URL('../bin/pare.js', import.meta.url));
function cli(text) {
  writeFileSync(dockerfile, text);
  let fastest;
  for (let run = 0; run < RUNS; run++) {
    const result = spawnSync(
      '/usr/bin/time',
      ['-f', '%U %S %M', process.execPath, bin, 'lint', '--format', 'json', '--fail-on', 'none', dockerfile],
      { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 },
    );
    if (result.status !== 0) throw new Error(`pare lint exited ${result.status}: ${result.stderr}`);
    const [user, system, kilobytes] = result.stderr.trim().split('\n').at(-1).split(' ').map(Number);
    const seconds = user + system;
    if (!fastest || seconds < fastest.seconds) fastest = { seconds, rss: kilobytes * 1024 };
  }
  return fastest;
}
const whole = [
  ['10,000 RUN lines', stage(10_000, (i) => `RUN apt-get install -y package${i}`)],
  ['1 MB of RUN lines', ofSize(1_000_000, (i) => `RUN echo ${i}`)],
  ['1 MB of COPY lines', ofSize(1_000_000, (i) => `COPY src/f${i} /app/`)],
  ['one 1 MB RUN (&& chain)', oneRun(1_000_000)],
].map(([name, text]) => ({
  name,
  instructions: text.split('\n').filter((l) => /^[A-Z]/.test(l)).length,
  ...cli(text),
}));
rmSync(dir, { recursive: true, force: true });

const mb = (bytes) => `${Math.round(bytes / 1e6)} MB`;
console.log(
  `In process (parse, context walk, ${allRules.length} rules), CPU time, best of ${RUNS}, Node ${process.version}`,
);
const header = '| shape | 1,000 instructions | 10,000 | 20,000 | 20,000 / 10,000 |';
const rule = '|---|---:|---:|---:|---:|';
const ms = (value) => (Number.isNaN(value) ? 'over 1 MiB' : `${value.toFixed(0)} ms`);
const ratio = (value) => (Number.isNaN(value) ? 'n/a' : `${value.toFixed(2)}x`);
const line = (row) =>
  `| ${row.name} | ${ms(row.small)} | ${ms(row.large)} | ${ms(row.double)} | ${ratio(row.double / row.large)} |`;
console.log(header);
console.log(rule);
for (const row of rows) console.log(line(row));
console.log('\n`pare lint` end to end (process start included), CPU time, best of 3:');
console.log('| file | instructions | CPU time | peak RSS |');
console.log('|---|---:|---:|---:|');
for (const row of whole)
  console.log(`| ${row.name} | ${row.instructions} | ${row.seconds.toFixed(2)} s | ${mb(row.rss)} |`);

// `npm run bench -- lint-scale --readme` writes these tables into README.md.
if (process.argv.includes('--readme')) {
  const readme = fileURLToPath(new URL('../README.md', import.meta.url));
  const text = readFileSync(readme, 'utf8');
  const start = '<!-- bench-lint-scale:start -->';
  const end = '<!-- bench-lint-scale:end -->';
  const table = [
    `Measured ${new Date().toISOString().slice(0, 10)}: in process (parse, context walk, ${allRules.length} rules), CPU time, best of ${RUNS}, Node ${process.version}.`,
    '',
    `  ${header}`,
    `  ${rule}`,
    ...rows.map((row) => `  ${line(row)}`),
    '',
    '  `pare lint` end to end, process start included, CPU time:',
    '',
    '  | file | instructions | CPU time | peak RSS |',
    '  |---|---:|---:|---:|',
    ...whole.map(
      (row) => `  | ${row.name} | ${row.instructions} | ${row.seconds.toFixed(2)} s | ${mb(row.rss)} |`,
    ),
  ].join('\n');
  writeFileSync(
    readme,
    `${text.slice(0, text.indexOf(start) + start.length)}\n  ${table}\n  ${text.slice(text.indexOf(end))}`,
  );
}
