// Child of hash-pool.test.ts (run on dist/, so build first). The main thread
// asks for a small young generation and starts a hash worker, in the order
// given (`ask-first`, or `worker-first` as `pare inspect` does), then stays busy
// without yielding, so it never sees the worker's 'online' event: only the
// worker itself can have set the growth factor back after its heap reset it.
// Prints the new space's size in MB before and after allocating.
import { getHeapSpaceStatistics } from 'node:v8';

const [distDir, blobPath, order] = process.argv.slice(2);
const { keepYoungGenerationSmall } = await import(`${distDir}/util/heap-flags.js`);
const { hashLocalRange, startHashWorker } = await import(`${distDir}/image/hash-pool.js`);
const newSpaceMb = () =>
  getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 2 ** 20;

if (order === 'worker-first') startHashWorker();
keepYoungGenerationSmall();
const hashed = hashLocalRange({ path: blobPath, offset: 0, length: 1024 });
// Blocks this thread for 3 s: time enough for the worker to start and run its first line.
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3000);
const before = newSpaceMb();
let kept = [];
for (let round = 0; round < 400; round++) {
  const batch = [];
  for (let i = 0; i < 2000; i++) batch.push({ i, text: `entry ${i}` });
  kept.push(batch);
  if (kept.length > 100) kept = kept.slice(50);
}
const after = newSpaceMb();
await hashed;
console.log(JSON.stringify({ before, after }));
process.exit(0);
