/**
 * `pare inspect IMAGE`: wiring only — options and budgets in, inspectImage,
 * a report out. Exit 0 when every budget holds, 1 with one stderr line per
 * exceeded budget, 2 for bad input (PareError).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type BudgetCheck, resolveBudgets } from '../analyze/budgets.js';
import type { InspectProgress } from '../analyze/inspect.js';
import { inspectReference } from '../analyze/inspect-reference.js';
import { loadConfig } from '../config/load.js';
import { localImagePaths } from '../image/reference.js';
import { renderInspectHtml } from '../report/inspect-html.js';
import { renderInspectJson } from '../report/inspect-json.js';
import { renderInspectText } from '../report/inspect-text.js';
import { describeSystemError, EXIT_FINDINGS, EXIT_OK, PareError } from '../util/errors.js';
import { keepYoungGenerationSmall } from '../util/heap-flags.js';
import { colorEnabled, logger } from '../util/logger.js';
import { tierForRead } from '../util/tiering.js';
import { ProgressLine } from './progress-line.js';
import { htmlPageOnTerminal, planReport, writeReportFile } from './report-output.js';
import { readStdinDockerfile, STDIN } from './stdin.js';
import { timeoutOption } from './timeout-option.js';

export interface InspectCliOptions {
  format?: string;
  tree?: boolean;
  depth?: string | number;
  top?: string | number;
  platform?: string;
  verify?: boolean;
  maxSize?: string | number;
  maxWasted?: string | number;
  minEfficiency?: string | number;
  dockerfile?: string;
  config?: string;
  color?: boolean;
  /** File for the report (in --format, or as its extension says); stdout keeps the text. */
  report?: string;
  /**
   * Deprecated spelling of `report`: inspect's product is the report, and
   * `--output` means "where the product goes" (a Dockerfile, an image) elsewhere.
   */
  output?: string;
  /** Seconds a registry image must be read in (`--timeout`). */
  timeout?: string | number;
}

export interface InspectIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  stdin?: NodeJS.ReadableStream;
}

const FORMATS = ['text', 'json', 'html'] as const;
const TEXT_TREE_CHILDREN = 25;
/** Where `--format html` goes when stdout is a terminal, as before `--report` existed. */
const DEFAULT_HTML_REPORT = 'pare-report.html';

export async function runInspect(
  reference: string,
  options: InspectCliOptions,
  io: InspectIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  keepYoungGenerationSmall();
  const plan = htmlPageOnTerminal(
    planReport(withReportFromOutput(options, io), FORMATS),
    io.stdout,
    DEFAULT_HTML_REPORT,
  );
  if (plan.file !== undefined) refuseImageAsReport(reference, plan.file);
  const top = integerOption(options.top, '--top', 0) ?? 10;
  const depth = integerOption(options.depth, '--depth', 1);
  const wantTree = options.tree === true || depth !== undefined;
  const timeoutMs = timeoutOption(options.timeout);
  const { budgets, sources } = await resolveBudgetsOf(options);
  const dockerfile = options.dockerfile
    ? options.dockerfile === STDIN
      ? { path: '<stdin>', text: await readStdinDockerfile(io.stdin) }
      : await readDockerfile(options.dockerfile)
    : undefined;
  const wanted = new Set([plan.format, plan.file === undefined ? plan.format : 'text']);

  const progress = io.stderr.isTTY && !logger.isQuiet ? new ProgressLine(io.stderr) : undefined;
  let inspected: Awaited<ReturnType<typeof inspectReference>>;
  try {
    inspected = await inspectReference(reference, {
      ...(options.platform ? { platform: options.platform } : {}),
      timeoutMs,
      ...(progress ? { onReceived: (bytes: number) => progress.received(bytes) } : {}),
      verify: options.verify !== false,
      onLayers: tierForRead,
      top,
      ...(wanted.has('html') ? { treeMap: {} } : {}),
      ...(wantTree
        ? { tree: { depth: depth ?? 3, ...(wanted.has('json') ? {} : { maxChildren: TEXT_TREE_CHILDREN }) } }
        : {}),
      ...(dockerfile ? { dockerfile } : {}),
      ...(progress ? { onProgress: (p: InspectProgress) => progress.update(p) } : {}),
      budgets,
      budgetSources: sources,
    });
  } finally {
    progress?.clear();
  }
  const { result, checks } = inspected;
  const reported: BudgetCheck[] | undefined = checks.length > 0 ? checks : undefined;
  const render = (format: string) =>
    format === 'html'
      ? renderInspectHtml(result, reported)
      : format === 'json'
        ? renderInspectJson(result, reported)
        : renderInspectText(result, {
            color: colorEnabled(io.stdout, options.color === false),
            width: io.stdout.columns || 100,
            ...(reported ? { budgets: reported } : {}),
          });
  if (plan.file !== undefined) {
    await writeReportFile(plan.file, render(plan.format));
    if (!logger.isQuiet) io.stderr.write(`pare: wrote ${plan.file}\n`);
  }
  io.stdout.write(render(plan.file === undefined ? plan.format : 'text'));
  const exceeded = checks.filter((check) => check.exceeded);
  for (const check of exceeded) io.stderr.write(`pare: budget exceeded: ${check.message}\n`);
  return exceeded.length > 0 ? EXIT_FINDINGS : EXIT_OK;
}

/** `--output FILE` of earlier versions still works, and says what it is called now. */
function withReportFromOutput(options: InspectCliOptions, io: InspectIo): InspectCliOptions {
  if (options.output === undefined) return options;
  if (options.report !== undefined)
    throw new PareError('give --report FILE only (--output is its old name)', { subject: '--output' });
  io.stderr.write('pare: note: inspect --output is now --report (--output will be removed)\n');
  return { ...options, report: options.output };
}

/** A report file is never the image archive or layout being read. */
function refuseImageAsReport(reference: string, file: string): void {
  const output = resolve(file);
  if (localImagePaths(reference).some((path) => resolve(path) === output)) {
    throw new PareError('refusing to overwrite the image being inspected', { subject: '--report' });
  }
}

function integerOption(value: string | number | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  if (!/^\d+$/.test(text) || Number(text) < min) {
    throw new PareError(`expected a whole number ≥ ${min}, got "${text}"`, { subject: flag });
  }
  return Number(text);
}

/** Flags win over the config file's `inspect.budgets`. */
async function resolveBudgetsOf(options: InspectCliOptions) {
  const { config, path } = await loadConfig({
    ...(options.config ? { explicitPath: options.config } : {}),
    startDirectory: '.',
  });
  if (path) logger.verbose(`config: ${path}`);
  return resolveBudgets(config, path, options);
}

async function readDockerfile(path: string): Promise<{ path: string; text: string }> {
  try {
    return { path, text: await readFile(path, 'utf8') };
  } catch (error) {
    throw new PareError(describeSystemError(error), { subject: path, cause: error });
  }
}
