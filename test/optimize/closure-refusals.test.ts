/**
 * When the runtime closure cannot be computed, the candidate is not made and
 * the reason is one line: an image of another operating system or machine, a
 * team policy without scratch, a keep list that would sit outside the build
 * context. The engine here is a double whose `save` hands over an image
 * written by the test; nothing is run.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { arch, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDockerfile } from '../../src/dockerfile/parse.js';
import type { Engine } from '../../src/engine/engine.js';
import { type ClosureInput, closureCandidate } from '../../src/optimize/closure.js';
import { buildImage, file, writeDockerArchive } from '../helpers/image-writer.js';

/** An architecture that is not this machine's. */
const FOREIGN = arch() === 'arm64' ? 'amd64' : 'arm64';
const HOST = arch() === 'arm64' ? 'arm64' : 'amd64';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pare-closure-refusals-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function input(platform: { os: string; architecture: string }, extra: Partial<ClosureInput> = {}) {
  const archive = join(dir, `${platform.os}-${platform.architecture}.tar`);
  const image = buildImage({
    layers: [{ entries: [file('app/server', 'binary')] }],
    platform,
    config: { Cmd: ['/app/server'] },
  });
  await writeDockerArchive(archive, [image]);
  const engine = {
    kind: 'docker',
    save: () => createReadStream(archive),
    run: () => {
      throw new Error('nothing may run');
    },
  } as unknown as Engine;
  return {
    engine,
    imageId: 'sha256:feed',
    model: await parseDockerfile(
      'FROM debian\nWORKDIR /app\nCOPY server .\nCMD ["/app/server"]\n',
      'Dockerfile',
    ),
    context: dir,
    contextTopLevel: ['server'],
    keepPath: join(dir, 'Dockerfile.pare.keep'),
    keepFileName: 'Dockerfile.pare.keep',
    probe: { kind: 'up', seconds: 1 },
    allowedBases: [],
    workdir: dir,
    buildStage: () => {
      throw new Error('nothing may be built');
    },
    ...extra,
  } satisfies ClosureInput;
}

describe('closureCandidate refuses in one line', () => {
  it.each([
    [
      { os: 'linux', architecture: FOREIGN },
      {},
      new RegExp(`^the tracer cannot start: the image is ${FOREIGN}, this machine's strace is ${HOST}`),
    ],
    [{ os: 'windows', architecture: 'amd64' }, {}, /^the image is for windows, not linux$/],
    [
      { os: 'linux', architecture: HOST },
      { allowedBases: ['gcr.io/distroless/*'] },
      /^the team's allowed bases \(gcr\.io\/distroless\/\*\) do not include scratch$/,
    ],
    [
      { os: 'linux', architecture: HOST },
      { keepPath: '/elsewhere/Dockerfile.pare.keep' },
      /^the keep list \/elsewhere\/Dockerfile\.pare\.keep would be outside the build context$/,
    ],
  ])('%j %j', async (platform, extra, reason) => {
    const outcome = await closureCandidate(await input(platform, extra));
    expect(outcome.made).toBe(false);
    expect(!outcome.made && outcome.reason).toMatch(reason);
    expect(!outcome.made && outcome.reason.includes('\n')).toBe(false);
  });
});
