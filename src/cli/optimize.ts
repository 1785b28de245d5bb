import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type InspectResult, inspectImage } from '../analyze/inspect.js';
import { loadProjectConfig } from '../config/project.js';
import { findEngine } from '../engine/detect.js';
import { positiveSeconds, resolveProbe } from '../engine/probe-options.js';
import { openImage } from '../image/open.js';
import { type OptimizeResult, optimize } from '../optimize/optimize.js';
import { HTML_TREE_DEPTH } from '../report/inspect-html.js';
import { renderOptimizeHtml } from '../report/optimize-html.js';
import { renderOptimizeText } from '../report/optimize-text.js';
import { allRules } from '../rules/index.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { describeSystemError, EXIT_FINDINGS, EXIT_OK, PareError } from '../util/errors.js';
import { colorEnabled, logger } from '../util/logger.js';
import { terminalLine } from '../util/terminal-text.js';

const DEFAULT_HTML_REPORT = 'pare-optimize.html';

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
  /** File for `--format html` (default pare-optimize.html in the current directory). */
  report?: string;
  config?: string;
  verbose?: boolean;
}

export async function runOptimize(
  directory: string | undefined,
  options: OptimizeCliOptions,
): Promise<number> {
  const dir = resolve(directory ?? '.');
  const info = await stat(dir).catch((error: unknown) => {
    throw new PareError(`build context: ${describeSystemError(error)}`, { subject: directory ?? '.' });
  });
  if (!info.isDirectory())
    throw new PareError('expected a project directory (the build context)', { subject: directory ?? '.' });
  const format = options.format ?? 'text';
  if (format !== 'text' && format !== 'json' && format !== 'html') {
    throw new PareError(`unknown format "${format}" (expected text, json, html)`, { subject: '--format' });
  }
  const report = format === 'html' ? resolve(options.report ?? DEFAULT_HTML_REPORT) : undefined;
  const {
    config,
    settings,
    path: configPath,
  } = await loadProjectConfig({ explicitPath: options.config, startDirectory: dir });
  const probe = await resolveProbe(options, config.optimize?.probe);
  const engine = await findEngine();
  // What an earlier run could not remove because its engine died (labelled with a process now gone).
  // Best effort: a failure here is not this run's problem (an unreachable engine is reported next).
  const stale = await engine.removeStale().catch(() => [] as string[]);
  if (stale.length > 0) logger.info(`pare: removed what an earlier run left behind: ${stale.join(', ')}`);

  const tty = Boolean(process.stderr.isTTY);
  const onBuildLine =
    options.verbose || tty
      ? (line: string) => (options.verbose ? logger.info(`  │ ${line}`) : statusLine(line))
      : undefined;
  // What both the loop and --check are told: which files, how to probe, how to report progress.
  const shared = {
    directory: dir,
    ...(options.file ? { dockerfile: resolve(options.file) } : {}),
    ...(options.output
      ? { output: resolve(options.output) }
      : config.optimize?.output
        ? { output: resolve(dir, config.optimize.output) }
        : {}),
    probe,
    ...(options.probeTimeout !== undefined
      ? { probeTimeoutMs: positiveSeconds(options.probeTimeout, '--probe-timeout') * 1000 }
      : {}),
    engine,
    onStep: (message: string) => logger.info(`pare: ${message}…`),
    ...(onBuildLine ? { onBuildLine } : {}),
  };
  if (options.check) {
    if (format === 'html')
      throw new PareError('--check writes no report: use text or json', { subject: '--format' });
    const { checkOptimized } = await import('../optimize/check.js');
    const checked = await checkOptimized(shared);
    if (tty && !options.verbose) process.stderr.write('\r\x1b[K');
    const { renderCheckText } = await import('../report/optimize-check-text.js');
    process.stdout.write(
      format === 'json'
        ? `${JSON.stringify(checked, null, 2)}\n`
        : renderCheckText(checked, { color: colorEnabled(process.stdout) }),
    );
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

  if (report !== undefined) {
    const image = await inspectKeptImage(result);
    await writeFileAtomic(report, renderOptimizeHtml(result, image ? { image } : {})).catch(
      (error: unknown) => {
        throw new PareError(`cannot write the report: ${describeSystemError(error)}`, { subject: report });
      },
    );
    logger.info(`pare: wrote ${report}`);
  }
  process.stdout.write(
    format === 'json'
      ? `${JSON.stringify(result, null, 2)}\n`
      : renderOptimizeText(result, { color: colorEnabled(process.stdout) }),
  );
  return result.chosen === 'original' ? EXIT_FINDINGS : EXIT_OK;
}

function statusLine(line: string): void {
  const width = (process.stderr.columns ?? 80) - 4;
  process.stderr.write(`\r\x1b[K  ${terminalLine(line).slice(0, width)}`);
}

/**
 * The image optimize kept (the winner, or the original when nothing won), read back from the
 * engine with its whole tree for the report's treemap. Still in the engine: temporary images
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
        tree: { depth: HTML_TREE_DEPTH },
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
