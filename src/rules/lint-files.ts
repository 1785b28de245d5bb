/**
 * Lints a list of Dockerfile paths (or stdin): reads, parses and runs rules on
 * each, keeping going when one file is bad so the others are still reported.
 */
import { basename } from 'node:path';
import { openBuildContext } from '../dockerfile/build-context.js';
import { parseDockerfile } from '../dockerfile/parse.js';
import { type DockerfileSource, readDockerfile, readDockerfileFromStream } from '../dockerfile/source.js';
import { isPareError } from '../util/errors.js';
import { lintModel, type RuleSettings } from './run.js';
import type { BaseImagePolicy, Finding, Rule } from './types.js';

export interface LintedFile {
  path: string;
  /** Source text, kept for showing lines in reports. Absent when unreadable. */
  text?: string;
  findings: Finding[];
  /** One line naming the file (and line) and why it could not be linted. */
  error?: string;
}

export interface LintResult {
  files: LintedFile[];
}

export interface LintFilesOptions {
  rules: readonly Rule[];
  settings: RuleSettings;
  policy: BaseImagePolicy;
  /** Build context directory overriding each Dockerfile's own directory. */
  context?: string;
  /** The stage to lint as the shipped image (`--target`); default: the last stage. */
  target?: string;
  stdin?: NodeJS.ReadableStream;
}

export async function lintFiles(paths: readonly string[], options: LintFilesOptions): Promise<LintResult> {
  // One after another: reads and context walks are synchronous (see source.ts), parsing is CPU.
  const files: LintedFile[] = [];
  for (const path of paths.length > 0 ? paths : ['.']) files.push(await lintOne(path, options));
  return { files };
}

async function lintOne(path: string, options: LintFilesOptions): Promise<LintedFile> {
  let source: DockerfileSource | undefined;
  try {
    source =
      path === '-'
        ? await readDockerfileFromStream(options.stdin ?? process.stdin)
        : await readDockerfile(path);
    const model = await parseDockerfile(source.text, source.displayPath, { target: options.target });
    const contextDirectory = options.context ?? source.directory;
    const buildContext = contextDirectory
      ? await openBuildContext(contextDirectory, source.filePath ? basename(source.filePath) : undefined)
      : undefined;
    const findings = await lintModel(model, {
      rules: options.rules,
      settings: options.settings,
      policy: options.policy,
      ...(buildContext ? { buildContext } : {}),
    });
    return { path: source.displayPath, text: source.text, findings };
  } catch (error) {
    if (!isPareError(error)) throw error;
    return {
      path: source?.displayPath ?? path,
      ...(source ? { text: source.text } : {}),
      findings: [],
      error: error.subject ? error.line : `${source?.displayPath ?? path}: ${error.message}`,
    };
  }
}
