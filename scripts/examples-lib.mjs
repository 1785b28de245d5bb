// Shared by the README table script and the end-to-end test: run `pare optimize`
// on an example and measure the expert's hand-written Dockerfile for comparison.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const run = promisify(execFile);
const DOCKER = '/usr/bin/docker';
export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const EXAMPLES = ['go-http', 'c-cli', 'rust-cli', 'python-api', 'node-express', 'java-app'];

export async function optimizeExample(name) {
  const { stdout } = await run(process.execPath, [`${ROOT}bin/pare.js`, 'optimize', `${ROOT}examples/${name}`, '--format', 'json'], {
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return JSON.parse(stdout);
}

export async function expertSize(name) {
  const tag = `pare-examples/${name}:expert`;
  await run(DOCKER, ['build', '-q', '-f', `${ROOT}examples/${name}/Dockerfile.expert`, '-t', tag, `${ROOT}examples/${name}`], {
    env: { ...process.env, DOCKER_BUILDKIT: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const { stdout } = await run(DOCKER, ['image', 'inspect', '-f', '{{.Size}}', tag]);
  await run(DOCKER, ['rmi', '-f', tag]).catch(() => {});
  return Number(stdout.trim());
}

export function sizesOf(result) {
  const original = result.candidates.find((c) => c.name === 'original');
  const chosen = result.candidates.find((c) => c.name === result.chosen && !c.attributionOnly);
  return { original: original.measurement.size, optimized: chosen.measurement.size, layersBefore: original.measurement.layers, layersAfter: chosen.measurement.layers };
}
