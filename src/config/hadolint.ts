/**
 * hadolint's configuration, read for the two keys pare shares with it when a
 * project has no pare config: `ignored` (rule codes) and `failure-threshold`.
 * A small reader for that flat YAML, not a YAML parser: lists in block
 * (`- DL3008`) or flow (`[DL3008, DL3009]`) style, scalars, comments.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Rule } from '../rules/types.js';
import type { PareConfig } from './schema.js';

const HADOLINT_FILES = ['.hadolint.yaml', '.hadolint.yml'];

export interface HadolintConfig {
  ignored: string[];
  failureThreshold?: string;
  /** What pare could not read, one line each, for warnings. */
  problems: string[];
}

function scalar(text: string): string {
  return text
    .replace(/\s+#.*$/, '')
    .trim()
    .replace(/^(['"])(.*)\1$/, '$2');
}

export function readHadolintConfig(text: string): HadolintConfig {
  const result: HadolintConfig = { ignored: [], problems: [] };
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const key = /^([A-Za-z][\w-]*)\s*:(.*)$/.exec(line);
    if (!key) continue;
    const [, name, rest] = key;
    const value = scalar(rest!);
    if (name === 'failure-threshold') {
      result.failureThreshold = value.toLowerCase();
    } else if (name === 'ignored') {
      if (value.startsWith('[')) {
        if (!value.endsWith(']')) result.problems.push('"ignored" is not a list pare can read');
        else
          result.ignored.push(
            ...value
              .slice(1, -1)
              .split(',')
              .map(scalar)
              .filter((code) => code !== ''),
          );
      } else if (value !== '') {
        result.problems.push('"ignored" is not a list pare can read');
      } else {
        for (let j = i + 1; j < lines.length; j++) {
          const item = /^\s+-\s*(.*)$/.exec(lines[j]!);
          if (item) result.ignored.push(scalar(item[1]!));
          else if (/^\s*(?:#.*)?$/.test(lines[j]!)) continue;
          else break;
        }
      }
    }
  }
  result.ignored = result.ignored.map((code) => code.toUpperCase());
  return result;
}

const THRESHOLDS: Readonly<Record<string, 'error' | 'warning' | 'info' | 'none'>> = {
  error: 'error',
  warning: 'warning',
  info: 'info',
  style: 'info',
  ignore: 'none',
  none: 'none',
};

/**
 * The pare config a hadolint config amounts to: the rules whose hadolint
 * codes it ignores are off, and its failure threshold is lint.failOn.
 * Codes pare has no rule for are left alone.
 */
export function configFromHadolint(hadolint: HadolintConfig, rules: readonly Rule[]): PareConfig {
  const ignored = new Set(hadolint.ignored);
  const off = rules.filter((rule) => rule.meta.hadolint?.some((code) => ignored.has(code)));
  const failOn = hadolint.failureThreshold ? THRESHOLDS[hadolint.failureThreshold] : undefined;
  return {
    ...(off.length > 0
      ? { rules: Object.fromEntries(off.map((rule) => [rule.meta.id, 'off' as const])) }
      : {}),
    ...(failOn ? { lint: { failOn } } : {}),
  };
}

/** The nearest .hadolint.yaml (or .yml), searching up from a directory. */
export async function findHadolintConfig(
  startDirectory: string,
): Promise<{ path: string; text: string } | undefined> {
  let directory = resolve(startDirectory);
  for (;;) {
    for (const name of HADOLINT_FILES) {
      const path = join(directory, name);
      const text = await readFile(path, 'utf8').catch(() => undefined);
      if (text !== undefined) return { path, text };
    }
    const parent = dirname(directory);
    if (parent === directory) return undefined;
    directory = parent;
  }
}
