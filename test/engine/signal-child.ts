/**
 * Child process for the cleanup tests: starts a long-running container, says
 * so on stdout, then waits to be signalled (or exits at once with `exit`).
 * Run with `node --import tsx`.
 */
import { findEngine } from '../../src/engine/detect.js';

const [image, mode] = process.argv.slice(2);
const engine = await findEngine();
const started = await engine.run({ image: image!, cmd: ['sleep', '600'], detach: true });
process.stdout.write(`started ${started.name}\n`);
if (mode === 'exit') process.exit(0);
setInterval(() => {}, 60_000);
