import { openImage } from './src/image/open.js';
import { inspectImage } from './src/analyze/inspect.js';
import { scanLayer } from './src/image/layer-scan.js';
const image = await openImage(`oci:/tmp/pare-real`);
const mode = process.argv[2];
const t = performance.now();
if (mode === 'scan') { for (const l of await image.layers()) await scanLayer(l, () => undefined, { verify: true }); }
else await inspectImage(image, { concurrency: Number(mode), readElf: process.argv[3] !== 'noelf' });
console.log(mode, Math.round(performance.now() - t), 'ms', process.cpuUsage());
await image.close();
