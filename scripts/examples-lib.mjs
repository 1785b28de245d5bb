// Shared by the README table script and the end-to-end test: run `pare optimize`
// on an example and measure the expert's hand-written Dockerfile for comparison.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const run = promisify(execFile);
const DOCKER = '/usr/bin/docker';
export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const EXAMPLES = [
  'go-http',
  'c-cli',
  'rust-cli',
  'python-api',
  'node-express',
  'java-app',
  'node-multistage-init',
  'spa-http-server',
  'node-entrypoint-env',
  'go-multistage-debian',
  'python-private-base',
  'node-private-base',
];

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

/**
 * How far above the expert pare may land. The first six examples are held to their original
 * target (10%): go-http's conversion ships the CA bundle its expert leaves out (a TLS client
 * cannot be ruled out from the binary). Every later example must match or beat its expert.
 */
export const EXPERT_TOLERANCE = { 'go-http': 1.1, 'c-cli': 1.1, 'rust-cli': 1.1, 'python-api': 1.1, 'node-express': 1.1, 'java-app': 1.1 };

/** Examples whose runtime is an interpreter: their optimize result is also held against `slim --minimal`. */
export const INTERPRETED = {
  'python-api': 'python',
  'node-express': 'node',
  'node-multistage-init': 'node',
  'spa-http-server': 'node',
  'node-entrypoint-env': 'node',
  'python-private-base': 'python',
  'node-private-base': 'node',
};

/** The standard library a closure keeps whole and slim --minimal trims (Debian's Python 3.11 without tests and build files). */
export const STDLIB_ALLOWANCE = { python: 27e6, node: 0 };

/** The probe of an example's .pare.json as pare's flags. */
export function probeFlags(name) {
  const probe = JSON.parse(readFileSync(`${ROOT}examples/${name}/.pare.json`, 'utf8')).optimize?.probe ?? {};
  const flags = [];
  if (probe.http) flags.push('--probe-http', probe.http);
  if (probe.cmd) flags.push('--probe-cmd', probe.cmd);
  if (probe.up) flags.push('--probe-up', String(probe.up));
  for (const [key, value] of Object.entries(probe.env ?? {})) flags.push('--probe-env', `${key}=${value}`);
  return flags;
}

/** What `pare slim --minimal` makes of the example's original image, in bytes as `docker images` reports them. */
export async function minimalSize(name) {
  const original = `pare-examples/${name}:original`;
  const minimal = `pare-examples/${name}:minimal`;
  await run(DOCKER, ['build', '-q', '-f', `${ROOT}examples/${name}/Dockerfile`, '-t', original, `${ROOT}examples/${name}`], {
    env: { ...process.env, DOCKER_BUILDKIT: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  try {
    await run(process.execPath, [`${ROOT}bin/pare.js`, 'slim', `docker-daemon:${original}`, '--minimal', '--tag', minimal, ...probeFlags(name)], {
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, NO_COLOR: '1' },
    });
    const { stdout } = await run(DOCKER, ['image', 'inspect', '-f', '{{.Size}}', minimal]);
    return Number(stdout.trim());
  } finally {
    await run(DOCKER, ['rmi', '-f', original, minimal]).catch(() => {});
  }
}
