/**
 * slim's workflow as a library call: the steps it reports through onEvent,
 * in order, and what it returns, with a fake engine that answers the probe
 * (no engine needed).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine, ImageInspect, RunOptions } from '../../src/engine/engine.js';
import { openImage } from '../../src/image/open.js';
import { runSlimWorkflow, type SlimEvent } from '../../src/slim/workflow.js';
import { buildImage, dir, file, writeDockerArchive } from '../helpers/image-writer.js';

let work: string;
let input: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pare-slim-workflow-'));
  input = join(work, 'in.tar');
  await writeDockerArchive(input, [
    buildImage({
      layers: [
        {
          entries: [
            dir('usr/share/doc/pkg'),
            file('usr/share/doc/pkg/README', 'docs\n'.repeat(100)),
            file('app/main.py', 'print(1)\n'),
          ],
        },
      ],
      config: { Cmd: ['python', '/app/main.py'] },
    }),
  ]);
});

afterAll(() => rm(work, { recursive: true, force: true }));

/** An engine whose containers print `output[image]` (the original's for anything else). */
function fakeEngine(output: (image: string) => string) {
  const calls: string[] = [];
  const loaded: string[] = [];
  const engine = {
    kind: 'docker',
    binary: 'docker',
    host: 'unix:///fake.sock',
    async removeStale() {
      return ['pare-old-container'];
    },
    async imageExists(image: string) {
      calls.push(`exists ${image}`);
      return false;
    },
    async load(archive: string | Readable) {
      calls.push('load');
      loaded.push(String(archive));
    },
    async removeImage(image: string) {
      calls.push(`remove-image ${image}`);
    },
    async run(options: RunOptions) {
      calls.push(`run ${options.image}`);
      return {
        id: 'c1',
        name: 'c1',
        exitCode: 0,
        timedOut: false,
        stdout: output(options.image),
        stderr: '',
      };
    },
    async imageInspect(image: string): Promise<Partial<ImageInspect>> {
      return { Id: image, Size: image.startsWith('app:') ? 1000 : 5000, Config: {} };
    },
  };
  return { engine: engine as unknown as Engine, calls, loaded };
}

describe('runSlimWorkflow', () => {
  it('writes the output and reports each step, with no engine when nothing is loaded', async () => {
    const events: SlimEvent[] = [];
    const output = join(work, 'out-oci');
    let asked = false;
    const result = await runSlimWorkflow({
      reference: `docker-archive:${input}`,
      target: { transport: 'oci', path: output },
      probe: { kind: 'up', seconds: 1 },
      report: true,
      findEngine: async () => {
        asked = true;
        throw new Error('no engine may be asked for');
      },
      onEvent: (event) => events.push(event),
    });
    expect(asked).toBe(false);
    // A line as each long step starts, then the result.
    expect(events.map((event) => (event.kind === 'step' ? event.message : event.kind))).toEqual([
      expect.stringMatching(/^reading 1 layer \(.+ as stored\)$/),
      expect.stringMatching(/^copying the kept contents \(.+\)$/),
      expect.stringMatching(/^writing layer 1 of 1 \(\d+ entries, gzip\)$/),
      `writing oci:${output}`,
      'written',
    ]);
    const written = events.find((event) => event.kind === 'written') as Extract<
      SlimEvent,
      { kind: 'written' }
    >;
    expect(written.result.removedByReason.docs?.files).toBe(1);
    expect(result.same).toBeUndefined();
    expect(result.report?.schemaVersion).toBe('pare.slim/v1');
    // The work directory is gone, the output reads back.
    expect(existsSync(written.result.workDir)).toBe(false);
    const image = await openImage(`oci:${output}`);
    try {
      expect((await image.layers()).length).toBe(1);
    } finally {
      await image.close();
    }
  });

  it('loads the original and the slim image, probes both and says they behave the same', async () => {
    const { engine, calls, loaded } = fakeEngine(() => 'hello\n');
    const events: SlimEvent[] = [];
    const result = await runSlimWorkflow({
      reference: `docker-archive:${input}`,
      tag: 'app:slim',
      probe: { kind: 'cmd', args: [] },
      findEngine: async () => engine,
      onEvent: (event) => events.push(event),
    });
    const steps = events.filter((event) => event.kind !== 'step');
    expect(steps.map((event) => event.kind)).toEqual(['stale-removed', 'written', 'loaded', 'probed']);
    expect(steps[2]).toEqual({ kind: 'loaded', name: 'app:slim' });
    const probed = steps[3] as Extract<SlimEvent, { kind: 'probed' }>;
    expect(probed.sizes).toEqual({ original: 5000, slim: 1000 });
    expect(probed.proof.ok).toBe(true);
    expect(result.same).toBe(true);
    // The original archive itself, then the slim image as a docker-archive.
    expect(loaded[0]).toBe(input);
    expect(loaded).toHaveLength(2);
    expect(calls.filter((call) => call.startsWith('run '))).toEqual([
      expect.stringMatching(/^run sha256:/),
      'run app:slim',
    ]);
    // The original pare loaded is removed again; the tagged slim image stays.
    expect(calls.at(-1)).toMatch(/^remove-image sha256:/);
    expect(calls).not.toContain('remove-image app:slim');
  });

  it('reports a slim image that behaves differently and removes it', async () => {
    const { engine, calls } = fakeEngine((image) => (image === 'app:slim' ? 'broken\n' : 'hello\n'));
    const events: SlimEvent[] = [];
    const output = join(work, 'out-differs.tar');
    const result = await runSlimWorkflow({
      reference: `docker-archive:${input}`,
      tag: 'app:slim',
      target: { transport: 'docker-archive', path: output },
      probe: { kind: 'cmd', args: [] },
      findEngine: async () => engine,
      onEvent: (event) => events.push(event),
    });
    expect(result.same).toBe(false);
    expect(events.filter((event) => event.kind !== 'step').map((event) => event.kind)).toEqual([
      'stale-removed',
      'written',
      'loaded',
      'probed',
      'differs',
    ]);
    expect(events.at(-1)).toMatchObject({ kind: 'differs', removed: true });
    expect(calls).toContain('remove-image app:slim');
    expect(existsSync(output)).toBe(false);
  });
});
