/**
 * The commands that need images, run from pare as a user installs it (`npm
 * pack`, a global install of the tarball into a fresh prefix) on an app with
 * nothing of this repository beside it: inspect an image in the engine, slim
 * it into an OCI archive and inspect that, and optimize a Go app's Dockerfile.
 * lint, fix and rules from the same kind of install are
 * test/integrations/packed-install.test.ts.
 */

import { existsSync } from 'node:fs';
import { cp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OptimizeResult } from '../../src/optimize/optimize.js';
import { installPackedPare, type PackedInstall, sh } from '../helpers/packed-install.js';
import { BASE_IMAGE, describeWithEngine, engineGate } from './engine-gate.js';

const gate = await engineGate();
const GO_APP = fileURLToPath(new URL('../../examples/go-http/', import.meta.url));

interface InspectJson {
  layers: unknown[];
  /** Bytes of file content in the layers, whatever their compression. */
  size: { contentBytes: number };
}

describeWithEngine('the installed package with an engine', gate, () => {
  let install: PackedInstall;
  beforeAll(async () => {
    install = await installPackedPare();
  }, 180_000);
  afterAll(() => rm(install.dir, { recursive: true, force: true }));

  it('inspects an image in the engine, slims it into an OCI archive and inspects that', () => {
    const inspected = sh(install.pare, ['inspect', `docker-daemon:${BASE_IMAGE}`, '--format', 'json']);
    expect(inspected.code, inspected.stderr).toBe(0);
    const original = JSON.parse(inspected.stdout) as InspectJson;
    expect(original.layers.length).toBeGreaterThan(0);

    const archive = join(install.dir, 'slim.oci.tar');
    const slimmed = sh(install.pare, [
      'slim',
      `docker-daemon:${BASE_IMAGE}`,
      '--output',
      `oci-archive:${archive}`,
    ]);
    expect(slimmed.code, slimmed.stderr).toBe(0);
    expect(existsSync(archive)).toBe(true);

    const reinspected = sh(install.pare, ['inspect', `oci-archive:${archive}`, '--format', 'json']);
    expect(reinspected.code, reinspected.stderr).toBe(0);
    expect((JSON.parse(reinspected.stdout) as InspectJson).size.contentBytes).toBeLessThan(
      original.size.contentBytes,
    );
  }, 300_000);

  it('optimizes a Go app: a smaller image that answers the same, and the Dockerfile that builds it', async () => {
    const app = join(install.dir, 'go-http');
    await cp(GO_APP, app, { recursive: true });
    const optimized = sh(install.pare, ['optimize', app, '--format', 'json']);
    expect(optimized.code, optimized.stderr).toBe(0);
    const result = JSON.parse(optimized.stdout) as OptimizeResult;
    const original = result.candidates.find((candidate) => candidate.name === 'original')!;
    const chosen = result.candidates.find((candidate) => candidate.name === result.chosen)!;
    expect(result.chosen).not.toBe('original');
    expect(chosen.probe!.fingerprint).toBe(original.probe!.fingerprint);
    expect(chosen.measurement!.size).toBeLessThan(original.measurement!.size / 10);
    expect(existsSync(join(app, 'Dockerfile.pare'))).toBe(true);
  }, 600_000);
});
