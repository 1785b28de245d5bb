/**
 * `pare slim IMAGE (--tag NAME | --output TRANSPORT:PATH)`: wiring only.
 * Slims (src/slim), writes the image, optionally loads it into the engine and
 * probes the original and the slim image the same way. Exit 0 when written
 * (and, if probed, behaving the same), 1 when the probe differs, 2 for bad input.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { findEngine } from '../engine/detect.js';
import type { Engine } from '../engine/engine.js';
import { observe, sameBehaviour } from '../engine/probe.js';
import { resolveProbe } from '../engine/probe-options.js';
import { openImage } from '../image/open.js';
import {
  familiarDockerReference,
  parseDockerReference,
  parseImageReference,
  withDefaultTag,
} from '../image/reference.js';
import { refuseInputPath } from '../image/write-common.js';
import { writeDockerArchive } from '../image/write-docker-archive.js';
import { loadArchive } from '../slim/engine-load.js';
import { parseCategories, selectCategories } from '../slim/leftovers.js';
import { inputPaths, type OutputTarget, parseOutput, writeOutput } from '../slim/output.js';
import { type SlimResult, slimImage } from '../slim/slim.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { formatBytes } from '../util/bytes.js';
import { EXIT_FINDINGS, EXIT_OK, PareError } from '../util/errors.js';

export interface SlimCliOptions {
  tag?: string;
  output?: string;
  layers?: string | number;
  keep?: string;
  remove?: string;
  report?: string;
  compression?: string;
  gzipLevel?: string | number;
  mtime?: string | number;
  platform?: string;
  verify?: boolean;
  keepFailed?: boolean;
  probeCmd?: string;
  probeHttp?: string;
  probeUp?: string | number;
}

export interface SlimIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export async function runSlim(
  reference: string,
  options: SlimCliOptions,
  io: SlimIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  if (!options.tag && !options.output) {
    throw new PareError('give --tag NAME or --output TRANSPORT:PATH (e.g. docker-archive:slim.tar)');
  }
  const target = options.output ? parseOutput(options.output) : undefined;
  const tag = options.tag ? parseTag(options.tag) : undefined;
  const layers = positiveInteger(options.layers, '--layers');
  const gzipLevel = positiveInteger(options.gzipLevel, '--gzip-level');
  const mtime = options.mtime === undefined ? undefined : nonNegativeInteger(options.mtime, '--mtime');
  const compression = options.compression ?? 'gzip';
  if (compression === 'zstd') {
    throw new PareError('zstd output is not implemented yet (use gzip or none)', {
      subject: '--compression',
    });
  }
  if (compression !== 'gzip' && compression !== 'none') {
    throw new PareError(`expected gzip or none, got "${compression}"`, { subject: '--compression' });
  }
  const keep = parseCategories(options.keep, '--keep');
  const remove = parseCategories(options.remove, '--remove');
  const probe = await resolveProbe(options);
  const verify = tag !== undefined || options.verify === true;
  const inputs = inputPaths(reference);
  if (target) await refuseInputPath(target.path, inputs);
  if (options.report) await refuseInputPath(options.report, inputs);

  const image = await openImage(reference, options.platform ? { platform: options.platform } : {});
  let result: SlimResult;
  try {
    result = await slimImage(image, {
      remove: selectCategories(keep, remove),
      compression,
      ...(layers !== undefined ? { layers } : {}),
      ...(gzipLevel !== undefined ? { gzipLevel } : {}),
      ...(mtime !== undefined ? { mtime } : {}),
    });
  } finally {
    await image.close();
  }

  const cleanups: Array<() => Promise<unknown>> = [];
  try {
    if (target) await writeOutput(target, result.image, inputs);
    if (options.report)
      await writeFileAtomic(options.report, `${JSON.stringify(slimReport(reference, result), null, 2)}\n`);
    printSummary(io, reference, result, target, tag);

    if (!verify) return EXIT_OK;
    const engine = await findEngine();
    const slimName = tag ?? `pare-slim/verify:${randomBytes(6).toString('hex')}`;
    const archive = join(result.workDir, 'load.tar');
    await writeDockerArchive(archive, result.image, { repoTags: [slimName] });
    await loadArchive(engine, archive);
    await rm(archive, { force: true });
    if (!tag) cleanups.push(() => engine.removeImage(slimName, { force: true }));
    io.stdout.write(`loaded ${slimName}\n`);

    const original = await originalInEngine(reference, engine);
    if (!original) {
      io.stdout.write(
        'not probed: the original is not in the engine (slim docker-daemon:NAME to compare both)\n',
      );
      return EXIT_OK;
    }
    const [before, after] = [await observe(engine, original, probe), await observe(engine, slimName, probe)];
    const sizes = await Promise.all([engine.imageInspect(original), engine.imageInspect(slimName)]);
    io.stdout.write(
      `engine size: ${formatBytes(sizes[0].Size)} → ${formatBytes(sizes[1].Size)}\n` +
        `probe original: ${before.summary}\nprobe slim:     ${after.summary}\n`,
    );
    if (!before.ok) {
      throw new PareError(`the original does not pass the probe: ${before.error ?? before.summary}`, {
        subject: reference,
      });
    }
    const verdict = sameBehaviour(before, after);
    if (verdict.same) {
      io.stdout.write('verdict: same behaviour\n');
      return EXIT_OK;
    }
    io.stderr.write(`slim image behaves differently: ${verdict.why ?? ''}\n`);
    if (after.logTail) io.stderr.write(`${after.logTail}\n`);
    if (!options.keepFailed) {
      if (tag) cleanups.push(() => engine.removeImage(slimName, { force: true }));
      if (target) cleanups.push(() => rm(target.path, { recursive: true, force: true }));
      io.stderr.write('output removed (--keep-failed keeps it)\n');
    }
    return EXIT_FINDINGS;
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    await result.dispose();
  }
}

function parseTag(text: string): string {
  try {
    return familiarDockerReference(withDefaultTag(parseDockerReference(text)));
  } catch (error) {
    throw new PareError((error as Error).message, { subject: '--tag' });
  }
}

async function originalInEngine(reference: string, engine: Engine): Promise<string | undefined> {
  let parsed: ReturnType<typeof parseImageReference>;
  try {
    parsed = parseImageReference(reference);
  } catch {
    return undefined;
  }
  if (parsed.transport === 'docker-daemon') {
    const name = parsed.name ? familiarDockerReference(parsed.name) : parsed.imageId;
    return name && (await engine.imageExists(name)) ? name : undefined;
  }
  return undefined;
}

export function slimReport(reference: string, result: SlimResult) {
  return {
    schemaVersion: 'pare.slim/v1',
    source: { reference, configDigest: result.sourceDigest, ...result.input },
    output: result.output,
    layerGroups: result.groups,
    removedByReason: result.removedByReason,
    removedBytes: result.removed.reduce((sum, r) => sum + r.size, 0),
    removed: result.removed,
  };
}

function printSummary(
  io: SlimIo,
  reference: string,
  result: SlimResult,
  target: OutputTarget | undefined,
  tag: string | undefined,
): void {
  const lines = [
    `${reference}: ${formatBytes(result.input.compressedBytes)} in ${result.input.layers} layers → ` +
      `${formatBytes(result.output.compressedBytes)} in ${result.output.layers} layers ` +
      `(${formatBytes(result.output.uncompressedBytes)} uncompressed)`,
  ];
  for (const [reason, tally] of Object.entries(result.removedByReason)) {
    lines.push(`  removed ${reason}: ${tally.files} files, ${formatBytes(tally.bytes)}`);
  }
  if (target) lines.push(`wrote ${target.transport}:${target.path}${target.name ? ` (${target.name})` : ''}`);
  if (tag) lines.push(`tag ${tag}`);
  io.stdout.write(`${lines.join('\n')}\n`);
}

function positiveInteger(value: string | number | undefined, subject: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new PareError(`expected a positive integer, got "${value}"`, { subject });
  return n;
}

function nonNegativeInteger(value: string | number, subject: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new PareError(`expected seconds since 1970, got "${value}"`, { subject });
  return n;
}
