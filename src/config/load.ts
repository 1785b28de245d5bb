/**
 * Finds and validates the config: an explicit --config file, else the nearest
 * `.pare.json`, `.pare.yaml`, `.pare.yml` or package.json with a "pare" key,
 * searching up from a start directory. Every problem is one line naming the
 * file and the bad key (YAML and JSON say the line).
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { z } from 'zod';
import { describeSystemError, PareError } from '../util/errors.js';
import { logger } from '../util/logger.js';
import type { PareConfig } from './schema.js';

export interface LoadedConfig {
  config: PareConfig;
  /** Where it came from; undefined when no config file was found. */
  path?: string;
}

export async function loadConfig(options: {
  explicitPath?: string;
  startDirectory?: string;
}): Promise<LoadedConfig> {
  if (options.explicitPath) {
    const text = await readFile(options.explicitPath, 'utf8').catch((error: unknown) => {
      throw new PareError(describeSystemError(error), { subject: options.explicitPath });
    });
    const raw = await parseConfigText(text, options.explicitPath);
    const value = options.explicitPath.endsWith('package.json') ? (raw as Record<string, unknown>).pare : raw;
    return { config: await validate(value ?? {}, options.explicitPath), path: options.explicitPath };
  }
  let directory = resolve(options.startDirectory ?? '.');
  for (;;) {
    for (const name of CONFIG_FILES) {
      const dotfile = join(directory, name);
      const dotText = await readFile(dotfile, 'utf8').catch(() => undefined);
      if (dotText !== undefined)
        return { config: await validate(await parseConfigText(dotText, dotfile), dotfile), path: dotfile };
    }
    const packageFile = join(directory, 'package.json');
    const packageText = await readFile(packageFile, 'utf8').catch(() => undefined);
    if (packageText !== undefined) {
      const pkg = parsePackageJson(packageText, packageFile);
      if (pkg && typeof pkg === 'object' && 'pare' in pkg) {
        return { config: await validate(pkg.pare, `${packageFile} ("pare" key)`), path: packageFile };
      }
    }
    const parent = dirname(directory);
    if (parent === directory) return { config: {} };
    directory = parent;
  }
}

/**
 * A package.json is the app's file and only maybe a config source: when it
 * is not JSON (a template, a merge conflict), say so and look further up.
 */
function parsePackageJson(text: string, path: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch (error) {
    logger.warn(`${path}: not read for a "pare" config: invalid JSON: ${(error as Error).message}`);
    return undefined;
  }
}

/** The names a config file may have, in the order a directory is searched. */
const CONFIG_FILES = ['.pare.json', '.pare.yaml', '.pare.yml'] as const;

/** YAML by the file's extension (the parser is loaded only then), JSON otherwise. */
async function parseConfigText(text: string, path: string): Promise<unknown> {
  if (!/\.ya?ml$/i.test(path)) return parseJson(text, path);
  const { parse } = await import('yaml');
  try {
    // An empty YAML file is an empty config, as `{}` is in JSON.
    return parse(text, { prettyErrors: true, uniqueKeys: true }) ?? {};
  } catch (error) {
    // The first line says what and where; the lines after it quote the file.
    const message = (error as Error).message.split('\n')[0]!.replace(/:$/, '');
    throw new PareError(`invalid YAML: ${message}`, { subject: path });
  }
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PareError(`invalid JSON: ${(error as Error).message}`, { subject: path });
  }
}

/** Loaded only when a config file exists: zod costs a `pare lint` without one ~0.1 s of start-up. */
async function validate(value: unknown, path: string): Promise<PareConfig> {
  const { configSchema } = await import('./schema.js');
  const result = configSchema.safeParse(value);
  if (result.success) return result.data;
  throw new PareError(describeIssue(result.error.issues[0]!), { subject: path });
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length > 0 ? issue.path.map(String).join('.') : '(top level)';
  if (issue.code === 'unrecognized_keys') {
    const keys = (issue as { keys: string[] }).keys.map((key) => `"${key}"`).join(', ');
    return `unknown key ${keys} in ${where}`;
  }
  return `${where}: ${issue.message}`;
}
