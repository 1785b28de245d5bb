// Regenerates the measured before/after table of the examples in README.md and
// examples/README.md by running `pare optimize` on each (needs the engine and
// the pare-base images: bash .ci/provision-engine.sh). Run: node scripts/examples-table.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { EXAMPLES, INTERPRETED, ROOT, expertSize, minimalSize, optimizeExample, sizesOf } from './examples-lib.mjs';

const mb = (bytes) => `${(bytes / 1e6).toFixed(bytes < 10e6 ? 2 : 1)} MB`;
const rows = [];
for (const name of EXAMPLES) {
  process.stderr.write(`optimizing examples/${name}…\n`);
  const result = await optimizeExample(name);
  const { original, optimized, layersBefore, layersAfter } = sizesOf(result);
  const expert = await expertSize(name);
  const minimal = INTERPRETED[name] ? await minimalSize(name) : undefined;
  const vsMinimal = minimal ? `${mb(minimal)} (${(optimized / minimal).toFixed(2)}x)` : 'n/a';
  rows.push(
    `| ${name} | ${mb(original)} (${layersBefore} layers) | ${mb(optimized)} (${layersAfter} layers) | ${(original / optimized).toFixed(1)}x | ${mb(expert)} | ${(((optimized - expert) / expert) * 100).toFixed(1)}% | ${vsMinimal} | ${result.chosen} |`,
  );
}
const table = [
  `Measured ${new Date().toISOString().slice(0, 10)} by \`node scripts/examples-table.mjs\` (sizes as \`docker images\` reports them, MB = 10^6 bytes).`,
  '',
  '| example | original | pare optimize | smaller by | expert by hand | pare vs expert | `slim --minimal` of the original (pare ÷ it) | candidate kept |',
  '|---|---|---|---|---|---|---|---|',
  ...rows,
].join('\n');

for (const [file, start, end] of [
  ['README.md', '<!-- examples-table:start -->', '<!-- examples-table:end -->'],
  ['examples/README.md', '<!-- pare-optimize-table:start -->', '<!-- pare-optimize-table:end -->'],
]) {
  const path = `${ROOT}${file}`;
  const text = readFileSync(path, 'utf8');
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from === -1 || to === -1) throw new Error(`${file}: markers ${start} … ${end} not found`);
  writeFileSync(path, `${text.slice(0, from + start.length)}\n${table}\n${text.slice(to)}`);
}
console.log(table);
