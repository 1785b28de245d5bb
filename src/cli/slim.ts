/**
 * `pare slim IMAGE (--tag NAME | --output TRANSPORT:PATH)`: wiring only.
 * Slims (src/slim), writes the image, optionally loads it into the engine and
 * probes the original and the slim image the same way. Exit 0 when written
 * (and, if probed, behaving the same), 1 when the probe differs, 2 for bad input.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { processCleanup, temporaryDirectory } from '../engine/cleanup.js';
import { findEngine } from '../engine/detect.js';
import type { Engine } from '../engine/engine.js';
import { resolveProbe } from '../engine/probe-options.js';
import { openImage } from '../image/open.js';
import {
  familiarDockerReference,
  localImagePaths,
  parseDockerReference,
  parseImageReference,
  withDefaultTag,
} from '../image/reference.js';
import type { Image } from '../image/types.js';
import { type FileTransport, type ImageTarget, parseImageTarget, writeImage } from '../image/write.js';
import { checkZstdLevel, refuseInputPath } from '../image/write-common.js';
import { type MinimalSelection, selectReachable } from '../reach/minimal.js';
import { prepareTracer } from '../reach/tracer.js';
import { sizeChange } from '../report/size-change.js';
import type { SlimHtmlView } from '../report/slim-html.js';
import { loadImageIntoEngine } from '../slim/engine-load.js';
import { parseCategories, selectCategories } from '../slim/leftovers.js';
import { missingPaths, type Proof, prove } from '../slim/prove.js';
import { buildSlimReport, type SlimReport, storageName } from '../slim/report.js';
import { type SlimOptions, type SlimResult, slimImage } from '../slim/slim.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { formatBytes } from '../util/bytes.js';
import { EXIT_FINDINGS, EXIT_OK, PareError } from '../util/errors.js';
import { logger } from '../util/logger.js';
import { terminalLine, terminalLines } from '../util/terminal-text.js';
import { timeoutOption } from './timeout-option.js';

export interface SlimCliOptions {
  tag?: string;
  output?: string;
  layers?: string | number;
  keep?: string;
  remove?: string;
  report?: string;
  compression?: string;
  gzipLevel?: string | number;
  zstdLevel?: string | number;
  mtime?: string | number;
  platform?: string;
  /** Seconds a registry image must be read in. */
  timeout?: string | number;
  verify?: boolean;
  keepFailed?: boolean;
  probeCmd?: string;
  probeHttp?: string;
  probeUp?: string | number;
  probeEnv?: string | string[];
  /** text (default), or json/html: the report on stdout, the summary on stderr. */
  format?: string;
  minimal?: boolean;
  include?: string | string[];
  exclude?: string | string[];
  /** `--no-trace` sets false. */
  trace?: boolean;
}

export interface SlimIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export async function runSlim(
  reference: string,
  options: SlimCliOptions,
  streams: SlimIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const format = options.format ?? 'text';
  if (format !== 'text' && format !== 'json' && format !== 'html') {
    throw new PareError(`expected text, json or html, got "${format}"`, { subject: '--format' });
  }
  // With --format json/html stdout carries the report alone; the summary moves to stderr.
  const io: SlimIo = format === 'text' ? streams : { stdout: streams.stderr, stderr: streams.stderr };
  // Progress and notes; --quiet drops them, never a warning or the result.
  const note = (text: string) => {
    if (!logger.isQuiet) io.stderr.write(text);
  };
  if (!options.tag && !options.output) {
    throw new PareError('give --tag NAME or --output TRANSPORT:PATH (e.g. docker-archive:slim.tar)');
  }
  const target = options.output ? parseOutput(options.output) : undefined;
  const tag = options.tag ? parseTag(options.tag) : undefined;
  const layers = positiveInteger(options.layers, '--layers');
  const gzipLevel = positiveInteger(options.gzipLevel, '--gzip-level');
  const mtime = options.mtime === undefined ? undefined : nonNegativeInteger(options.mtime, '--mtime');
  const compression = options.compression ?? 'gzip';
  if (compression !== 'gzip' && compression !== 'zstd' && compression !== 'none') {
    throw new PareError(`expected gzip, zstd or none, got "${compression}"`, { subject: '--compression' });
  }
  const zstdLevel = positiveInteger(options.zstdLevel, '--zstd-level');
  if (zstdLevel !== undefined) checkZstdLevel(zstdLevel);
  if (compression === 'zstd' && (options.tag || options.verify)) {
    // Measured: Docker 20.10's `docker load` fails on zstd layers ("unexpected EOF").
    throw new PareError(
      'zstd layers cannot be loaded into Docker 20.10 (--tag, --verify); write them with --output oci:DIR or oci-archive:PATH, or use --compression gzip',
      { subject: '--compression' },
    );
  }
  if (compression === 'zstd' && target?.transport === 'docker-archive') {
    note("pare: note: Docker 20.10's docker load cannot read zstd layers\n");
  }
  const keep = parseCategories(options.keep, '--keep');
  const remove = parseCategories(options.remove, '--remove');
  const probe = await resolveProbe(options);
  const verify = tag !== undefined || options.verify === true;
  const inputs = localImagePaths(reference);
  if (target) await refuseInputPath(target.path, inputs);
  if (options.report) await refuseInputPath(options.report, inputs);

  const minimal = options.minimal === true;
  const include = listOption(options.include);
  const exclude = listOption(options.exclude);
  if (!minimal && (include.length > 0 || exclude.length > 0)) {
    throw new PareError('--include and --exclude choose paths for --minimal; add --minimal', {
      subject: include.length > 0 ? '--include' : '--exclude',
    });
  }
  const slimOptions: SlimOptions = {
    remove: selectCategories(keep, remove),
    // The HTML report draws the input's whole filesystem; nothing else needs it.
    treeView: format === 'html' || (options.report !== undefined && isHtmlPath(options.report)),
    compression,
    // Ctrl-C stops the work early; the cleanup registry removes what it left.
    signal: processCleanup.signal,
    ...(layers !== undefined ? { layers } : {}),
    ...(gzipLevel !== undefined ? { gzipLevel } : {}),
    ...(zstdLevel !== undefined ? { zstdLevel } : {}),
    ...(mtime !== undefined ? { mtime } : {}),
  };

  const engine = verify || minimal ? await findEngine() : undefined;
  // What an earlier run could not remove because its engine died (labelled with a process now gone).
  const stale = engine ? await engine.removeStale().catch(() => [] as string[]) : [];
  if (stale.length > 0)
    if (!logger.isQuiet)
      streams.stderr.write(`pare: removed what an earlier run left behind: ${stale.join(', ')}\n`);
  const image = await openImage(reference, {
    ...(options.platform ? { platform: options.platform } : {}),
    timeoutMs: timeoutOption(options.timeout),
  });
  const cleanups: Array<() => Promise<unknown>> = [];
  let result: SlimResult | undefined;
  let workDir: string | undefined;
  try {
    const config = await image.config();
    const original = engine ? await runnableOriginal(reference, image, engine, cleanups) : undefined;
    if (minimal && !original) {
      throw new PareError('--minimal runs the image to see what it uses, and the engine could not load it', {
        subject: reference,
      });
    }
    if (minimal) {
      const temporary = await temporaryDirectory('pare-minimal-');
      workDir = temporary.path;
      cleanups.push(() => temporary.handle.runNow());
    }
    const tracer =
      minimal && options.trace !== false ? await prepareTracer(workDir!, config.architecture) : undefined;
    let selection: MinimalSelection | undefined;
    const progress = (message: string) => note(`pare: ${message}\n`);
    const attempt = (level: 'minimal' | 'other') =>
      slimImage(image, {
        ...slimOptions,
        ...(level === 'minimal'
          ? {
              select: async (final, imageConfig, imageLayers) => {
                selection = await selectReachable(final, imageConfig, imageLayers, {
                  engine: engine!,
                  image: original!,
                  probe,
                  trace: tracer !== undefined,
                  ...(tracer ? { tracer } : {}),
                  workDir: workDir!,
                  include,
                  exclude,
                  onProgress: progress,
                  signal: processCleanup.signal,
                });
                const chosen = selection;
                return { removed: chosen.removed, isKept: (id: number) => chosen.keep.has(id) };
              },
            }
          : {}),
      });

    result = await attempt(minimal ? 'minimal' : 'other');
    if (selection) {
      for (const warning of selection.warnings) io.stderr.write(`pare: warning: ${terminalLine(warning)}\n`);
      for (const name of selection.unresolvedLibraries)
        io.stderr.write(`pare: warning: library not found: ${terminalLine(name)}\n`);
      if (selection.tracedObservation && !selection.tracedObservation.ok) {
        throw new PareError(
          `the app does not pass the probe when traced: ${selection.tracedObservation.error ?? selection.tracedObservation.summary}`,
          { subject: reference },
        );
      }
    }
    const slimName = tag ?? `pare-slim/verify:${randomBytes(6).toString('hex')}`;
    const publish = async (current: SlimResult) => {
      if (target) {
        await writeImage(target, current.image, {
          inputs,
          subject: `--output ${target.transport}:${target.path}`,
        });
      }
      if (!engine || !verify) return;
      await writeImage({ transport: 'docker-daemon', name: slimName }, current.image, {
        engine,
        tempDir: current.workDir,
      });
    };
    await publish(result);
    if (engine && verify && !tag) cleanups.push(() => engine.removeImage(slimName, { force: true }));
    printSummary(io, reference, result, target, tag);

    let minimalSection: SlimReport['minimal'];
    if (selection) {
      minimalSection = { level: 'minimal', ...selection.keep.report() };
      io.stdout.write(
        `  kept ${minimalSection.kept.length} paths reached by the app (${describeKept(minimalSection.keptByReason)})\n`,
      );
    }
    let probeSection: SlimReport['probe'];
    let exitCode = EXIT_OK;
    if (engine && verify) {
      io.stdout.write(`loaded ${slimName}\n`);
      if (!original) {
        io.stdout.write(
          'not probed: the original is not in the engine (slim docker-daemon:NAME to compare both)\n',
        );
      } else {
        let proof = await prove({
          engine,
          original,
          slim: slimName,
          probe,
          ...(selection?.python ? { python: selection.python } : {}),
        });
        if (!proof.original.ok) {
          throw new PareError(
            `the original does not pass the probe: ${proof.original.error ?? proof.original.summary}`,
            {
              subject: reference,
            },
          );
        }
        if (!proof.ok && selection && minimalSection) {
          const reason = describeFailure(proof);
          io.stderr.write(`pare: the minimal image failed its proof: ${terminalLine(reason)}\n`);
          if (proof.slim.logTail) io.stderr.write(`${terminalLines(proof.slim.logTail)}\n`);
          const missing = tracer
            ? await missingPaths(
                engine,
                slimName,
                config,
                probe,
                tracer,
                join(workDir!, 'trace-slim'),
                selection.keep.tree,
              )
            : [];
          if (missing.length > 0)
            io.stderr.write(
              `pare: it looked for paths it no longer has: ${terminalLine(missing.slice(0, 10).join(', '))}\n`,
            );
          io.stderr.write('pare: falling back to the leftovers level (everything reachable kept)\n');
          await result.dispose();
          result = await attempt('other');
          await publish(result);
          printSummary(io, reference, result, target, tag);
          minimalSection = {
            ...minimalSection,
            level: 'leftovers',
            fallbackReason: reason,
            ...(missing.length > 0 ? { missing } : {}),
          };
          proof = await prove({
            engine,
            original,
            slim: slimName,
            probe,
            previous: proof,
            ...(selection.python ? { python: selection.python } : {}),
          });
        }
        const sizes = await Promise.all([engine.imageInspect(original), engine.imageInspect(slimName)]);
        probeSection = { ...proof.section, engineSize: { original: sizes[0].Size, slim: sizes[1].Size } };
        io.stdout.write(
          `docker images size: ${formatBytes(sizes[0].Size)} → ${formatBytes(sizes[1].Size)}\n` +
            `probe original: ${terminalLine(proof.original.summary)}\nprobe slim:     ${terminalLine(proof.slim.summary)}\n`,
        );
        for (const check of proof.section.checks ?? []) {
          io.stdout.write(
            `check ${check.name}: ${check.ok ? 'ok' : 'FAILED'}: ${terminalLine(check.detail)}\n`,
          );
        }
        if (proof.ok) io.stdout.write('verdict: same behaviour\n');
        else {
          io.stderr.write(`slim image behaves differently: ${terminalLine(describeFailure(proof))}\n`);
          if (proof.slim.logTail) io.stderr.write(`${terminalLines(proof.slim.logTail)}\n`);
          if (!options.keepFailed) {
            if (tag) cleanups.push(() => engine.removeImage(slimName, { force: true }));
            if (target) cleanups.push(() => rm(target.path, { recursive: true, force: true }));
            io.stderr.write('output removed (--keep-failed keeps it)\n');
          }
          exitCode = EXIT_FINDINGS;
        }
      }
    }
    if (options.report || format !== 'text') {
      const report = buildSlimReport(reference, result, await image.layers(), {
        ...(config.history ? { history: config.history } : {}),
        ...(minimalSection ? { minimal: minimalSection } : {}),
        ...(probeSection ? { probe: probeSection } : {}),
      });
      const view = result.tree ? { tree: result.tree } : {};
      if (options.report) {
        await writeReport(options.report, report, view);
        io.stdout.write(`report: ${options.report}\n`);
      }
      if (format === 'json') streams.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      if (format === 'html') {
        const { renderSlimHtml } = await import('../report/slim-html.js');
        streams.stdout.write(renderSlimHtml(report, view));
      }
    }
    return exitCode;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await result?.dispose();
    await image.close();
  }
}

function listOption(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).flatMap((item) => String(item).split(',')).filter(Boolean);
}

function describeFailure(proof: Proof): string {
  if (!proof.section.same) return proof.section.why ?? `probe: ${proof.slim.summary}`;
  const failed = (proof.section.checks ?? []).filter((check) => !check.ok);
  return failed.map((check) => `${check.name}: ${check.detail}`).join('; ');
}

function describeKept(byReason: Record<string, { files: number; bytes: number }>): string {
  return Object.entries(byReason)
    .sort((a, b) => b[1].bytes - a[1].bytes)
    .map(([reason, tally]) => `${reason} ${formatBytes(tally.bytes)}`)
    .join(', ');
}

/**
 * The original as the engine can run it: a docker-daemon image by name; a
 * docker-archive is loaded (and removed again when pare loaded it).
 */
async function runnableOriginal(
  reference: string,
  image: Image,
  engine: Engine,
  cleanups: Array<() => Promise<unknown>>,
): Promise<string | undefined> {
  const inEngine = await originalInEngine(reference, engine);
  if (inEngine) return inEngine;
  const parsed = (() => {
    try {
      return parseImageReference(reference);
    } catch {
      return undefined;
    }
  })();
  if (parsed?.transport === 'docker-archive') {
    const id = await image.configDigest();
    if (await engine.imageExists(id)) return id;
    await engine.load(parsed.path);
    cleanups.push(() => engine.removeImage(id, { force: true }));
    return id;
  }
  // OCI layouts and archives, registry images: copy the stored layers into an archive the engine loads.
  const { path: dir, handle } = await temporaryDirectory('pare-original-');
  try {
    const id = await loadImageIntoEngine(engine, image, dir, processCleanup.signal);
    cleanups.push(() => engine.removeImage(id, { force: true }));
    return id;
  } finally {
    await handle.runNow();
  }
}

async function writeReport(path: string, report: SlimReport, view: SlimHtmlView): Promise<void> {
  if (isHtmlPath(path)) {
    const { renderSlimHtml } = await import('../report/slim-html.js');
    await writeFileAtomic(path, renderSlimHtml(report, view));
  } else {
    await writeFileAtomic(path, `${JSON.stringify(report, null, 2)}\n`);
  }
}

function isHtmlPath(path: string): boolean {
  return path.endsWith('.html') || path.endsWith('.htm');
}

type OutputTarget = Extract<ImageTarget, { transport: FileTransport }>;

/** `--output`: the file transports only; the engine is written with --tag. */
function parseOutput(text: string): OutputTarget {
  return parseImageTarget(text, '--output', ['docker-archive', 'oci', 'oci-archive']) as OutputTarget;
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

function printSummary(
  io: SlimIo,
  reference: string,
  result: SlimResult,
  target: OutputTarget | undefined,
  tag: string | undefined,
): void {
  const { input, output } = result;
  // Like with like: the tars on both sides, then the layers as each side stores them.
  const lines = [
    `${reference}: ${input.layers} layers → ${output.layers}`,
    `  uncompressed  ${beforeAfter(input.uncompressedBytes, output.uncompressedBytes)}`,
    `  as stored     ${beforeAfter(input.compressedBytes, output.compressedBytes)}` +
      `  (${storageName(input.compression)} → ${storageName(output.compression)})`,
  ];
  for (const [reason, tally] of Object.entries(result.removedByReason)) {
    lines.push(`  removed ${reason}: ${tally.files} files, ${formatBytes(tally.bytes)}`);
  }
  if (target) lines.push(`wrote ${target.transport}:${target.path}${target.name ? ` (${target.name})` : ''}`);
  if (tag) lines.push(`tag ${tag}`);
  io.stdout.write(`${lines.join('\n')}\n`);
}

function beforeAfter(before: number, after: number): string {
  const change = sizeChange(after, before);
  return `${formatBytes(before)} → ${formatBytes(after)}${change ? ` (${change.percent})` : ''}`;
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
