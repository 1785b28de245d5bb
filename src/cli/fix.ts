import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { loadProjectConfig } from '../config/project.js';
import { openBuildContext } from '../dockerfile/build-context.js';
import { parseDockerfile } from '../dockerfile/parse.js';
import { readDockerfile, readDockerfileFromStream } from '../dockerfile/source.js';
import { unifiedDiff } from '../rewrite/diff.js';
import { planFixes } from '../rewrite/plan.js';
import { allRules } from '../rules/index.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { formatBytes } from '../util/bytes.js';
import { describeSystemError, PareError } from '../util/errors.js';
import { logger } from '../util/logger.js';
import { hintWhenTerminal, STDIN } from './stdin.js';

export interface FixCliOptions {
  write?: boolean;
  output?: string;
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

export async function runFix(path: string | undefined, options: FixCliOptions): Promise<number> {
  const fromStdin = path === STDIN;
  if (fromStdin && options.write) {
    throw new PareError(
      '--write changes the Dockerfile in place, and stdin is no file: use --output FILE (or - for stdout)',
      {
        subject: '-',
      },
    );
  }
  if (fromStdin) hintWhenTerminal();
  const source = fromStdin
    ? await readDockerfileFromStream(process.stdin)
    : await readDockerfile(path ?? '.');
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
  const { dockerfile, dockerignore } = plan;
  // What is written keeps the byte-order mark the file started with, whichever file it goes to.
  const fixedText = `${source.bom ? '\ufeff' : ''}${dockerfile.after}`;

  if (options.output === STDOUT) {
    process.stdout.write(fixedText);
    if (dockerignore)
      logger.info(
        `not written (use --write): ${dockerignore.path} would exclude ${dockerignore.added.join(', ')}`,
      );
  } else if (options.output) {
    if (source.filePath) await assertNotInput(options.output, source.filePath);
    await writeOrFail(options.output, fixedText);
    logger.info(`wrote ${options.output}`);
    if (dockerignore)
      logger.info(
        `not written (use --write): ${dockerignore.path} would exclude ${dockerignore.added.join(', ')}`,
      );
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
    process.stdout.write(unifiedDiff(filePath, dockerfile.before, dockerfile.after));
    if (dockerignore) {
      process.stdout.write(unifiedDiff(dockerignore.path, dockerignore.before, dockerignore.after));
    }
  }

  if (plan.conversion) {
    logger.info('multi-stage conversion (unverified: `pare optimize` builds and probes it):');
    for (const note of plan.conversion) logger.info(`  - ${note}`);
  } else if (options.multiStage) {
    logger.info(
      `multi-stage conversion: not applicable to this Dockerfile${plan.conversionSkipped ? `: ${plan.conversionSkipped}` : ''}`,
    );
  }
  const fixedCount = plan.applied.length + (dockerignore ? 1 : 0);
  const left = plan.remaining;
  logger.info(
    fixedCount === 0
      ? `nothing to fix automatically in ${filePath}`
      : `${fixedCount} fix${fixedCount === 1 ? '' : 'es'} ${options.write || options.output ? 'applied' : `to apply (run again with ${fromStdin ? '--output FILE' : '--write'})`}`,
  );
  if (left.length > 0) {
    logger.info(
      `${left.length} finding${left.length === 1 ? ' needs' : 's need'} a human; run "pare lint ${path ?? '.'}" for details${fromStdin ? ' (with the same stdin)' : ''}:`,
    );
    for (const finding of left.slice(0, 20)) {
      logger.info(
        `  ${finding.range.start.line + 1}:${finding.range.start.character + 1} ${finding.ruleId}: ${finding.message}`,
      );
    }
  }
  return 0;
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
