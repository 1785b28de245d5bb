import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { loadProjectConfig } from '../config/project.js';
import { openBuildContext } from '../dockerfile/build-context.js';
import { parseDockerfile } from '../dockerfile/parse.js';
import { readDockerfile, readDockerfileFromStream } from '../dockerfile/source.js';
import { unifiedDiff } from '../rewrite/diff.js';
import { type FixPlan, planFixes } from '../rewrite/plan.js';
import { allRules } from '../rules/index.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { formatBytes } from '../util/bytes.js';
import { describeSystemError, EXIT_FINDINGS, EXIT_OK, isPareError, PareError } from '../util/errors.js';
import { logger } from '../util/logger.js';
import { hintWhenTerminal, STDIN } from './stdin.js';

export interface FixCliOptions {
  write?: boolean;
  output?: string;
  /** Change nothing; exit 1 when a fix is pending. */
  check?: boolean;
  context?: string;
  config?: string;
  disable?: string;
  /** --no-dockerignore sets false. */
  dockerignore?: boolean;
  multiStage?: boolean;
  target?: string;
}

/** `--output -`: the fixed Dockerfile goes to stdout, to use pare fix as a filter. */
const STDOUT = '-';

/** One input as read and planned: everything the fix would change, nothing written yet. */
interface PlannedFix {
  /** The path as given on the command line. */
  input: string;
  /** Where diffs and messages say the Dockerfile is (<stdin> for stdin). */
  filePath: string;
  fromStdin: boolean;
  plan: FixPlan;
  /** The fixed Dockerfile as written: with the byte-order mark the file started with. */
  fixedText: string;
}

interface Run {
  options: FixCliOptions;
  /** More than one input: each summary line names its file. */
  many: boolean;
  /**
   * .dockerignore proposals already printed. Dockerfiles sharing a build context
   * usually propose the same one; it is shown once.
   */
  shownDockerignores: Set<string>;
}

export async function runFix(paths: readonly string[], options: FixCliOptions): Promise<number> {
  const inputs = paths.length > 0 ? paths : ['.'];
  refuseMisuse(inputs, options);
  if (inputs[0] === STDIN) hintWhenTerminal();
  const run: Run = { options, many: inputs.length > 1, shownDockerignores: new Set() };
  // One after another, like lint: a bad file is reported and the others are still fixed.
  let failure: number | undefined;
  let checked = 0;
  let pending = 0;
  for (const input of inputs) {
    try {
      const fix = await planInput(input, options);
      if (options.check) {
        checked++;
        if (reportCheck(fix, run)) pending++;
      } else {
        await deliver(fix, run);
      }
    } catch (error) {
      if (!isPareError(error)) throw error;
      logger.error(error.subject ? error.line : `${input}: ${error.message}`);
      if (error.cause) logger.debugStack(error.cause);
      failure ??= error.exitCode;
    }
  }
  if (options.check) summarizeCheck(pending, checked);
  if (failure !== undefined) return failure;
  return pending > 0 ? EXIT_FINDINGS : EXIT_OK;
}

/** Combinations that cannot mean anything, refused before any file is read. */
function refuseMisuse(inputs: readonly string[], options: FixCliOptions): void {
  if (options.check && options.write) {
    throw new PareError('--check changes nothing and --write changes the Dockerfile: use one of them');
  }
  if (options.check && options.output) {
    throw new PareError('--check changes nothing and --output writes the fixed Dockerfile: use one of them');
  }
  if (inputs.length > 1 && inputs.includes(STDIN)) {
    throw new PareError('- reads one Dockerfile from stdin: give it alone, without other paths');
  }
  if (inputs.length > 1 && options.output) {
    throw new PareError(
      `--output writes one fixed Dockerfile and ${inputs.length} paths were given: use --write to fix each in place`,
    );
  }
  if (inputs[0] === STDIN && options.write) {
    throw new PareError(
      '--write changes the Dockerfile in place, and stdin is no file: use --output FILE (or - for stdout)',
      { subject: STDIN },
    );
  }
}

async function planInput(input: string, options: FixCliOptions): Promise<PlannedFix> {
  const fromStdin = input === STDIN;
  const source = fromStdin ? await readDockerfileFromStream(process.stdin) : await readDockerfile(input);
  // stdin has no file: diffs and messages name it as <stdin>, the config is searched from here.
  const filePath = source.filePath ?? source.displayPath;
  const directory = source.directory ?? (source.filePath ? dirname(source.filePath) : '.');
  const { config, settings } = await loadProjectConfig({
    explicitPath: options.config,
    startDirectory: directory,
    disable: options.disable,
  });
  // Without a file there is no build context to look at, unless --context names one.
  const contextDirectory = options.context ?? source.directory;
  const buildContext = contextDirectory
    ? await openBuildContext(contextDirectory, source.filePath ? basename(source.filePath) : undefined)
    : undefined;
  const model = await parseDockerfile(source.text, filePath, {
    target: options.target ? String(options.target) : undefined,
  });
  const plan = await planFixes(model, {
    rules: allRules,
    settings,
    ...(buildContext ? { buildContext } : {}),
    policy: { allowed: config.allowedBaseImages ?? [] },
    dockerfilePath: filePath,
    dockerignore: options.dockerignore !== false,
    multiStage: options.multiStage === true,
  });
  const fixedText = `${source.bom ? '\ufeff' : ''}${plan.dockerfile.after}`;
  return { input, filePath, fromStdin, plan, fixedText };
}

/** The diff, --write or --output of one input, and its notes. */
async function deliver(fix: PlannedFix, run: Run): Promise<void> {
  const { options } = run;
  const { filePath, plan, fixedText } = fix;
  const { dockerfile, dockerignore } = plan;
  const notWritten = dockerignore
    ? `not written (use --write): ${dockerignore.path} would exclude ${dockerignore.added.join(', ')}`
    : undefined;

  if (options.output === STDOUT) {
    process.stdout.write(fixedText);
    if (notWritten) logger.info(notWritten);
  } else if (options.output) {
    if (!fix.fromStdin) await assertNotInput(options.output, filePath);
    await writeOrFail(options.output, fixedText);
    logger.info(`wrote ${options.output}`);
    if (notWritten) logger.info(notWritten);
  } else if (options.write) {
    if (dockerfile.after !== dockerfile.before) {
      await writeOrFail(filePath, fixedText);
      logger.info(`wrote ${filePath}`);
    }
    if (dockerignore) {
      await writeOrFail(dockerignore.path, dockerignore.after);
      logger.info(
        `wrote ${dockerignore.path} (excludes ${formatBytes(dockerignore.bytesExcluded)} of the build context)`,
      );
    }
  } else {
    printDiffs(plan, run);
  }

  reportConversion(plan, options);
  const fixedCount = plan.applied.length + (dockerignore ? 1 : 0);
  const where = run.many ? ` in ${filePath}` : '';
  const applied = options.write || options.output;
  const rerun = fix.fromStdin ? '--output FILE' : '--write';
  logger.info(
    fixedCount === 0
      ? `nothing to fix automatically in ${filePath}`
      : `${plural(fixedCount, 'fix')} ${applied ? `applied${where}` : `to apply${where} (run again with ${rerun})`}`,
  );
  const left = plan.remaining;
  if (left.length > 0) {
    logger.info(
      `${left.length} finding${left.length === 1 ? ' needs' : 's need'} a human; run "pare lint ${fix.input}" for details${fix.fromStdin ? ' (with the same stdin)' : ''}:`,
    );
    for (const finding of left.slice(0, 20)) {
      logger.info(
        `  ${finding.range.start.line + 1}:${finding.range.start.character + 1} ${finding.ruleId}: ${finding.message}`,
      );
    }
  }
}

/**
 * --check of one input: the same diffs as the default mode, and a line per
 * change on stderr. A .dockerignore the fix would add or extend is a change
 * too. Findings a human must fix are lint's to report. True when it would change.
 */
function reportCheck(fix: PlannedFix, run: Run): boolean {
  const { plan, filePath } = fix;
  const { dockerfile, dockerignore } = plan;
  const dockerfileChanges = dockerfile.after !== dockerfile.before;
  if (!dockerfileChanges && !dockerignore) return false;
  printDiffs(plan, run);
  reportConversion(plan, run.options);
  if (dockerfileChanges) logger.info(`${filePath}: ${plural(plan.applied.length, 'fix')} to apply`);
  if (dockerignore) {
    logger.info(
      `${filePath}: ${dockerignore.path} would ${dockerignore.before === undefined ? 'be created to' : 'also'} exclude ${dockerignore.added.join(', ')} (--no-dockerignore leaves it alone)`,
    );
  }
  return true;
}

/** Counts the Dockerfiles that were read and planned: the others had their error line. */
function summarizeCheck(pending: number, checked: number): void {
  if (pending > 0) {
    logger.info(
      `${pending} of ${plural(checked, 'Dockerfile')} checked would change; "pare fix --write" applies the fixes`,
    );
  } else if (checked > 0) {
    // A clean check is silent, as a pre-commit hook should be.
    logger.verbose(`${plural(checked, 'Dockerfile')} checked: nothing to fix`);
  }
}

function printDiffs(plan: FixPlan, run: Run): void {
  const { dockerfile, dockerignore } = plan;
  process.stdout.write(unifiedDiff(dockerfile.path, dockerfile.before, dockerfile.after));
  if (!dockerignore) return;
  const key = `${dockerignore.path}\0${dockerignore.after}`;
  if (run.shownDockerignores.has(key)) return;
  run.shownDockerignores.add(key);
  process.stdout.write(unifiedDiff(dockerignore.path, dockerignore.before, dockerignore.after));
}

function reportConversion(plan: FixPlan, options: FixCliOptions): void {
  if (plan.conversion) {
    logger.info('multi-stage conversion (unverified: `pare optimize` builds and probes it):');
    for (const note of plan.conversion) logger.info(`  - ${note}`);
  } else if (options.multiStage) {
    logger.info(
      `multi-stage conversion: not applicable to this Dockerfile${plan.conversionSkipped ? `: ${plan.conversionSkipped}` : ''}`,
    );
  }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : noun.endsWith('x') ? 'es' : 's'}`;
}

async function assertNotInput(output: string, input: string): Promise<void> {
  const outputReal = await realpath(output).catch(() => resolve(output));
  const inputReal = await realpath(input).catch(() => resolve(input));
  if (outputReal === inputReal) {
    throw new PareError('--output names the input Dockerfile; use --write to change it in place', {
      subject: output,
    });
  }
  const info = await stat(output).catch(() => undefined);
  if (info?.isDirectory()) throw new PareError('--output is a directory; name a file', { subject: output });
}

async function writeOrFail(path: string, text: string): Promise<void> {
  try {
    await writeFileAtomic(path, text);
  } catch (error) {
    throw new PareError(`cannot write: ${describeSystemError(error)}`, { subject: path });
  }
}
