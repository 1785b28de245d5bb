import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { type InspectResult, inspectImage } from '../analyze/inspect.js';
import { loadProjectConfig } from '../config/project.js';
import { findEngine } from '../engine/detect.js';
import { positiveSeconds, resolveProbe } from '../engine/probe-options.js';
import { openImage } from '../image/open.js';
import { type OptimizeResult, optimize } from '../optimize/optimize.js';
import { renderOptimizeHtml } from '../report/optimize-html.js';
import { renderOptimizeText } from '../report/optimize-text.js';
import { allRules } from '../rules/index.js';
import { describeSystemError, EXIT_FINDINGS, EXIT_OK, PareError } from '../util/errors.js';
import { colorEnabled, logger } from '../util/logger.js';
import { terminalLine } from '../util/terminal-text.js';
import { htmlPageOnTerminal, planReport, writeReportFile } from './report-output.js';
import { STDIN } from './stdin.js';

/** Where `--format html` goes when stdout is a terminal, as before `--report` existed. */
const DEFAULT_HTML_REPORT = 'pare-optimize.html';
const FORMATS = ['text', 'json', 'html'] as const;

export interface OptimizeCliOptions {
  file?: string;
  output?: string;
  replace?: boolean;
  probeCmd?: string;
  probeHttp?: string;
  probeUp?: number | string;
  probeEnv?: string | string[];
  probeTimeout?: number | string;
  multiStage?: boolean;
  closure?: boolean;
  check?: boolean;
  keepImages?: boolean;
  format?: string;
  /** File for the report (in --format, or as its extension says); stdout keeps the text. */
  report?: string;
  config?: string;
  verbose?: boolean;
}

export async function runOptimize(
  directory: string | undefined,
  options: OptimizeCliOptions,
): Promise<number> {
  refuseStdin(directory, options.file);
  const dir = resolve(directory ?? '.');
  const info = await stat(dir).catch((error: unknown) => {
    throw new PareError(`build context: ${describeSystemError(error)}`, { subject: directory ?? '.' });
  });
  if (!info.isDirectory())
    throw new PareError('expected a project directory (the build context)', { subject: directory ?? '.' });
  const plan = htmlPageOnTerminal(planReport(options, FORMATS), process.stdout, DEFAULT_HTML_REPORT);
  if (options.check && plan.format === 'html')
    throw new PareError('--check writes no report: use text or json', { subject: '--format' });
  const {
    config,
    settings,
    path: configPath,
  } = await loadProjectConfig({ explicitPath: options.config, startDirectory: dir });
  const output = options.output
    ? resolve(options.output)
    : config.optimize?.output
      ? resolve(dir, config.optimize.output)
      : undefined;
  // Hours of builds must not end in a write that could never succeed.
  if (output !== undefined && !options.check) await refuseMissingDirectory(output);
  const probe = await resolveProbe(options, config.optimize?.probe);
  const engine = await findEngine();
  // What an earlier run could not remove because its engine died (labelled with a process now gone).
  // Best effort: a failure here is not this run's problem (an unreachable engine is reported next).
  const stale = await engine.removeStale().catch(() => [] as string[]);
  if (stale.length > 0) logger.info(`pare: removed what an earlier run left behind: ${stale.join(', ')}`);

  // The status line is progress too: --quiet drops it.
  const tty = Boolean(process.stderr.isTTY) && !logger.isQuiet;
  const onBuildLine =
    options.verbose || tty
      ? (line: string) => (options.verbose ? logger.info(`  │ ${line}`) : statusLine(line))
      : undefined;
  // What both the loop and --check are told: which files, how to probe, how to report progress.
  const shared = {
    directory: dir,
    ...(options.file ? { dockerfile: resolve(options.file) } : {}),
    ...(output !== undefined ? { output } : {}),
    probe,
    ...(options.probeTimeout !== undefined
      ? { probeTimeoutMs: positiveSeconds(options.probeTimeout, '--probe-timeout') * 1000 }
      : {}),
    engine,
    onStep: (message: string) => logger.info(`pare: ${message}…`),
    ...(onBuildLine ? { onBuildLine } : {}),
  };
  if (options.check) {
    const { checkOptimized } = await import('../optimize/check.js');
    const checked = await checkOptimized(shared);
    if (tty && !options.verbose) process.stderr.write('\r\x1b[K');
    const { renderCheckText } = await import('../report/optimize-check-text.js');
    const renderCheck = (format: string) =>
      format === 'json'
        ? `${JSON.stringify(checked, null, 2)}\n`
        : renderCheckText(checked, { color: colorEnabled(process.stdout) });
    if (plan.file !== undefined) {
      await writeReportFile(plan.file, renderCheck(plan.format));
      logger.info(`pare: wrote ${plan.file}`);
    }
    process.stdout.write(renderCheck(plan.file === undefined ? plan.format : 'text'));
    return checked.ok ? EXIT_OK : EXIT_FINDINGS;
  }
  const result = await optimize({
    ...shared,
    replace: options.replace === true,
    multiStage: options.multiStage !== false,
    closure: options.closure !== false,
    config,
    ...(configPath ? { configPath } : {}),
    rules: allRules,
    settings,
    keepImages: options.keepImages === true,
  });
  if (tty && !options.verbose) process.stderr.write('\r\x1b[K');

  const render = async (format: string) => {
    if (format === 'json') return `${JSON.stringify(result, null, 2)}\n`;
    if (format === 'text') return renderOptimizeText(result, { color: colorEnabled(process.stdout) });
    const image = await inspectKeptImage(result);
    return renderOptimizeHtml(result, image ? { image } : {});
  };
  if (plan.file !== undefined) {
    await writeReportFile(plan.file, await render(plan.format));
    logger.info(`pare: wrote ${plan.file}`);
  }
  process.stdout.write(await render(plan.file === undefined ? plan.format : 'text'));
  return result.chosen === 'original' ? EXIT_FINDINGS : EXIT_OK;
}

async function refuseMissingDirectory(output: string): Promise<void> {
  const parent = dirname(output);
  const info = await stat(parent).catch(() => undefined);
  if (!info?.isDirectory())
    throw new PareError(`cannot write ${output}: ${parent} is not a directory`, { subject: '--output' });
}

/**
 * optimize builds from a project directory and writes the optimized Dockerfile
 * beside the original: stdin can stand in for neither.
 */
function refuseStdin(directory: string | undefined, file: string | undefined): void {
  if (directory === STDIN)
    throw new PareError('optimize needs the project directory (the build context), not stdin', {
      subject: STDIN,
    });
  if (file === STDIN)
    throw new PareError(
      'optimize builds the Dockerfile and writes its rewrite beside it, so it needs a file, not stdin',
      { subject: '--file -' },
    );
}

function statusLine(line: string): void {
  const width = (process.stderr.columns ?? 80) - 4;
  process.stderr.write(`\r\x1b[K  ${terminalLine(line).slice(0, width)}`);
}

/**
 * The image optimize kept (the winner, or the original when nothing won), read back from the
 * engine with its tree map for the report's treemap. Still in the engine: temporary images
 * are removed at exit. Best effort: without it the report has no treemap and says nothing false.
 */
async function inspectKeptImage(result: OptimizeResult): Promise<InspectResult | undefined> {
  const kept = result.candidates.find((c) => c.name === result.chosen && c.measurement);
  if (!kept?.measurement) return undefined;
  logger.info('pare: reading the kept image for the report…');
  try {
    const image = await openImage(`docker-daemon:${kept.measurement.imageId}`);
    try {
      return await inspectImage(image, {
        treeMap: {},
        dockerfile: { path: result.output ?? result.dockerfile, text: kept.dockerfile },
      });
    } finally {
      await image.close();
    }
  } catch (error) {
    logger.warn(
      `the report has no treemap: cannot read the kept image (${error instanceof Error ? error.message : String(error)})`,
    );
    return undefined;
  }
}
