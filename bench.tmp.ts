import { existsSync } from 'node:fs';
import { buildImage, writeImage, type EntrySpec } from './test/helpers/image-writer.js';
import { openImage } from './src/image/open.js';
import { inspectImage } from './src/analyze/inspect.js';
const path = '/tmp/pare-bench/legacy.tar';
if (!existsSync(path)) {
  const layers = [];
  for (let l = 0; l < 4; l++) {
    const entries: EntrySpec[] = [];
    for (let i = 0; i < 3000; i++) entries.push({ type: 'file', path: `l${l}/d${i % 50}/f${i}`, content: { size: 20_000, seed: l * 10000 + i } });
    entries.push({ type: 'file', path: `l${l}/big`, content: { size: 40_000_000, seed: l } });
    layers.push({ compression: 'gzip' as const, entries });
  }
  await writeImage('/tmp/pare-bench', 'docker-archive-legacy', [buildImage({ layers })]);
}
const image = await openImage(`docker-archive:${path}`);
for (const round of [0, 1]) for (const c of [1, 2]) {
  const t = performance.now();
  await inspectImage(image, { concurrency: c });
  console.log(`round ${round} concurrency ${c}: ${Math.round(performance.now() - t)} ms`);
}
await image.close();
