/**
 * Where a command's report goes, the same way for every command: in
 * `--format` on stdout, or with `--report FILE` into FILE while stdout keeps
 * the text output. A report file's format is `--format` when that names one,
 * else what FILE's extension says, else JSON.
 */
import { extname } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { describeSystemError, PareError } from '../util/errors.js';

export interface ReportPlan {
  /** The report's format. */
  format: string;
  /** The file it goes to; undefined: stdout. */
  file?: string;
}

const EXTENSION_FORMATS: Record<string, string> = {
  '.json': 'json',
  '.sarif': 'sarif',
  '.html': 'html',
  '.htm': 'html',
};

/**
 * @param formats the command's formats, text first; its machine formats are the rest.
 */
export function planReport(
  options: { format?: string | undefined; report?: string | undefined },
  formats: readonly string[],
): ReportPlan {
  const format = options.format ?? 'text';
  if (!formats.includes(format)) {
    throw new PareError(`unknown format "${format}" (expected ${formats.join(', ')})`, {
      subject: '--format',
    });
  }
  if (options.report === undefined) return { format };
  if (format !== 'text') return { format, file: options.report };
  const machine = formats.filter((candidate) => candidate !== 'text');
  const byExtension = EXTENSION_FORMATS[extname(options.report).toLowerCase()];
  const chosen = byExtension && machine.includes(byExtension) ? byExtension : (machine[0] ?? 'text');
  return { format: chosen, file: options.report };
}

/**
 * A whole HTML page on a terminal is of no use to anyone: there it goes to
 * DEFAULT in the current directory instead, where `--format html` wrote it
 * before `--report` existed. A pipe or a redirect still gets the page.
 */
export function htmlPageOnTerminal(
  plan: ReportPlan,
  stdout: { isTTY?: boolean },
  defaultFile: string,
): ReportPlan {
  if (plan.format === 'html' && plan.file === undefined && stdout.isTTY) {
    return { format: 'html', file: defaultFile };
  }
  return plan;
}

/** Writes a report file atomically; a failure is one line naming the file. */
export async function writeReportFile(file: string, text: string): Promise<void> {
  try {
    await writeFileAtomic(file, text);
  } catch (error) {
    throw new PareError(`cannot write the report: ${describeSystemError(error)}`, {
      subject: file,
      cause: error,
    });
  }
}
