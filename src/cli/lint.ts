import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { loadProjectConfig } from '../config/project.js';
import { renderLintJson } from '../report/lint-json.js';
import { renderLintSarif } from '../report/lint-sarif.js';
import { renderLintText } from '../report/lint-text.js';
import { allRules } from '../rules/index.js';
import { lintFiles } from '../rules/lint-files.js';
import { SEVERITY_ORDER, type Severity } from '../rules/types.js';
import { EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_OK, PareError } from '../util/errors.js';
import { colorEnabled, logger } from '../util/logger.js';
import { planReport, writeReportFile } from './report-output.js';
import { hintWhenTerminal, STDIN } from './stdin.js';

export interface LintCliOptions {
  format?: string;
  failOn?: string;
  context?: string;
  config?: string;
  disable?: string;
  target?: string;
  color?: boolean;
  /** File for the report in --format (or as its extension says); stdout keeps the text. */
  report?: string;
}

const FORMATS = ['text', 'json', 'sarif'] as const;
const FAIL_ON = ['error', 'warning', 'info', 'none'] as const;

export async function runLint(paths: string[], options: LintCliOptions): Promise<number> {
  const plan = planReport(options, FORMATS);
  const firstPath = paths.find((path) => path !== '-');
  const { config, settings } = await loadProjectConfig({
    explicitPath: options.config,
    startDirectory: firstPath ? await directoryOf(firstPath) : '.',
    disable: options.disable,
  });
  const failOn = options.failOn ?? config.lint?.failOn ?? 'warning';
  if (!(FAIL_ON as readonly string[]).includes(failOn)) {
    throw new PareError(`unknown severity "${failOn}" (expected ${FAIL_ON.join(', ')})`, {
      subject: '--fail-on',
    });
  }

  if (paths.includes(STDIN)) hintWhenTerminal();
  const result = await lintFiles(paths, {
    rules: allRules,
    settings,
    policy: { allowed: config.allowedBaseImages ?? [] },
    ...(options.context ? { context: options.context } : {}),
    ...(options.target ? { target: String(options.target) } : {}),
  });

  const render = (format: string) =>
    format === 'json'
      ? renderLintJson(result, allRules)
      : format === 'sarif'
        ? renderLintSarif(result, allRules)
        : renderLintText(result, { color: colorEnabled(process.stdout, options.color === false) });
  if (plan.file !== undefined) {
    await writeReportFile(plan.file, render(plan.format));
    logger.info(`pare: wrote ${plan.file}`);
  }
  process.stdout.write(render(plan.file === undefined ? plan.format : 'text'));
  for (const file of result.files) if (file.error) logger.error(file.error);

  if (result.files.some((file) => file.error)) return EXIT_BAD_INPUT;
  if (failOn === 'none') return EXIT_OK;
  const threshold = SEVERITY_ORDER[failOn as Severity];
  const failing = result.files.some((file) =>
    file.findings.some((finding) => SEVERITY_ORDER[finding.severity] >= threshold),
  );
  return failing ? EXIT_FINDINGS : EXIT_OK;
}

/** The config search starts where the Dockerfile is: the path itself when it is a directory. */
async function directoryOf(path: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  return info?.isDirectory() ? path : dirname(path);
}
