// Child process of model-memory.test.ts (run with --expose-gc): parses the
// Dockerfile given on stdin with the built parser and prints, as JSON, how
// many instructions it has and the heap the model keeps once garbage is gone
// (with --scopes, the model and every instruction's scope), and how far the
// process's resident memory peaked above where it stood before the parse.
import { readFileSync } from 'node:fs';
import { parseDockerfile } from '../../dist/dockerfile/parse.js';
import { scopeAt } from '../../dist/dockerfile/scope.js';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const text = Buffer.concat(chunks).toString('utf8');
// Load the shell grammar first, so its own memory is not counted.
await parseDockerfile('FROM scratch\nRUN true\n');
globalThis.gc();
/** A field of /proc/self/status, in bytes. */
const status = (field) =>
  Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'))[1]) *
  1024;
const rssBefore = status('VmRSS');
const before = process.memoryUsage().heapUsed;
const model = await parseDockerfile(text);
// With --scopes: also what each instruction sees (environment, user, workdir), as every lint computes it.
if (process.argv.includes('--scopes')) scopeAt(model, model.instructions.at(-1));
globalThis.gc();
const retainedBytes = process.memoryUsage().heapUsed - before;
const peakBytes = status('VmHWM') - rssBefore;
process.stdout.write(JSON.stringify({ instructions: model.instructions.length, retainedBytes, peakBytes }));
