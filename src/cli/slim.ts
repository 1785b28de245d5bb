/**
 * `pare slim IMAGE (--tag NAME | --output TRANSPORT:PATH)`: wiring only.
 * Parses the options, runs the workflow (src/slim/workflow.ts) and prints
 * each step as it reports it, then the report. Exit 0 when written (and, if
 * probed, behaving the same), 1 when the probe differs, 2 for bad input.
 */
import { processCleanup } from '../engine/cleanup.js';
import { findEngine } from '../engine/detect.js';
import { resolveProbe } from '../engine/probe-options.js';
import {
  familiarDockerReference,
  localImagePaths,
  parseDockerReference,
  withDefaultTag,
} from '../image/reference.js';
import { parseImageTarget } from '../image/sinks/write.js';
import { checkGzipLevel, checkZstdLevel, refuseInputPath } from '../image/sinks/write-common.js';
import { sizeChange } from '../report/size-change.js';
import type { SlimHtmlView } from '../report/slim-html.js';
import { parseCategories, selectCategories } from '../slim/leftovers.js';
import { type SlimReport, storageName } from '../slim/report.js';
import type { SlimOptions, SlimResult } from '../slim/slim.js';
import { runSlimWorkflow, type SlimEvent, type SlimOutputTarget } from '../slim/workflow.js';
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
  // Up front, as every option is: not after reading the whole image.
  if (gzipLevel !== undefined) checkGzipLevel(gzipLevel);
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
  const slimOptions: Omit<SlimOptions, 'select' | 'signal'> = {
    remove: selectCategories(keep, remove),
    // The HTML report draws the input's whole filesystem; nothing else needs it.
    ...(format === 'html' || (options.report !== undefined && isHtmlPath(options.report))
      ? { treeMap: {} }
      : {}),
    compression,
    ...(layers !== undefined ? { layers } : {}),
    ...(gzipLevel !== undefined ? { gzipLevel } : {}),
    ...(zstdLevel !== undefined ? { zstdLevel } : {}),
    ...(mtime !== undefined ? { mtime } : {}),
  };

  const outcome = await runSlimWorkflow({
    reference,
    probe,
    slim: slimOptions,
    minimal,
    include,
    exclude,
    trace: options.trace !== false,
    keepFailed: options.keepFailed === true,
    verify,
    report: options.report !== undefined || format !== 'text',
    findEngine,
    timeoutMs: timeoutOption(options.timeout),
    // Ctrl-C stops the work early; the cleanup registry removes what it left.
    signal: processCleanup.signal,
    ...(target ? { target } : {}),
    ...(tag ? { tag } : {}),
    ...(options.platform ? { platform: options.platform } : {}),
    onEvent: (event) => renderEvent(event, { io, streams, note, reference, target, tag }),
  });
  const { report, view } = outcome;
  if (report) {
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
  return outcome.same === false ? EXIT_FINDINGS : EXIT_OK;
}

interface RenderContext {
  io: SlimIo;
  streams: SlimIo;
  note: (text: string) => void;
  reference: string;
  target: SlimOutputTarget | undefined;
  tag: string | undefined;
}

/** Prints one step of the workflow as it happens. */
function renderEvent(event: SlimEvent, context: RenderContext): void {
  const { io, streams, note } = context;
  switch (event.kind) {
    case 'stale-removed':
      if (!logger.isQuiet)
        streams.stderr.write(`pare: removed what an earlier run left behind: ${event.names.join(', ')}\n`);
      return;
    case 'progress':
      note(`pare: ${event.message}\n`);
      return;
    case 'step':
      // For someone watching: piped or in a log, stderr keeps to warnings and errors.
      if ((io.stderr as { isTTY?: boolean }).isTTY) note(`pare: ${event.message}\n`);
      return;
    case 'warning':
      io.stderr.write(`pare: warning: ${terminalLine(event.message)}\n`);
      return;
    case 'written':
      printSummary(io, context.reference, event.result, context.target, context.tag);
      return;
    case 'minimal-kept':
      io.stdout.write(
        `  kept ${event.kept} paths reached by the app (${describeKept(event.keptByReason)})\n`,
      );
      return;
    case 'loaded':
      io.stdout.write(`loaded ${event.name}\n`);
      return;
    case 'not-probed':
      io.stdout.write(
        'not probed: the original is not in the engine (slim docker-daemon:NAME to compare both)\n',
      );
      return;
    case 'minimal-failed':
      io.stderr.write(`pare: the minimal image failed its proof: ${terminalLine(event.reason)}\n`);
      if (event.logTail) io.stderr.write(`${terminalLines(event.logTail)}\n`);
      return;
    case 'fallback':
      if (event.missing.length > 0)
        io.stderr.write(
          `pare: it looked for paths it no longer has: ${terminalLine(event.missing.slice(0, 10).join(', '))}\n`,
        );
      io.stderr.write('pare: falling back to the leftovers level (everything reachable kept)\n');
      return;
    case 'probed': {
      const { proof, sizes } = event;
      io.stdout.write(
        `docker images size: ${formatBytes(sizes.original)} → ${formatBytes(sizes.slim)}\n` +
          `probe original: ${terminalLine(proof.original.summary)}\nprobe slim:     ${terminalLine(proof.slim.summary)}\n`,
      );
      for (const check of proof.section.checks ?? []) {
        io.stdout.write(
          `check ${check.name}: ${check.ok ? 'ok' : 'FAILED'}: ${terminalLine(check.detail)}\n`,
        );
      }
      if (proof.ok) io.stdout.write('verdict: same behaviour\n');
      return;
    }
    case 'differs':
      io.stderr.write(`slim image behaves differently: ${terminalLine(event.reason)}\n`);
      if (event.logTail) io.stderr.write(`${terminalLines(event.logTail)}\n`);
      if (event.removed) io.stderr.write('output removed (--keep-failed keeps it)\n');
      return;
  }
}

function listOption(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).flatMap((item) => String(item).split(',')).filter(Boolean);
}

function describeKept(byReason: Record<string, { files: number; bytes: number }>): string {
  return Object.entries(byReason)
    .sort((a, b) => b[1].bytes - a[1].bytes)
    .map(([reason, tally]) => `${reason} ${formatBytes(tally.bytes)}`)
    .join(', ');
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

/** `--output`: the file transports only; the engine is written with --tag. */
function parseOutput(text: string): SlimOutputTarget {
  return parseImageTarget(text, '--output', ['docker-archive', 'oci', 'oci-archive']) as SlimOutputTarget;
}

function parseTag(text: string): string {
  try {
    return familiarDockerReference(withDefaultTag(parseDockerReference(text)));
  } catch (error) {
    throw new PareError((error as Error).message, { subject: '--tag' });
  }
}

function printSummary(
  io: SlimIo,
  reference: string,
  result: SlimResult,
  target: SlimOutputTarget | undefined,
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
