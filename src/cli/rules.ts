import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { allRules, findRule } from '../rules/index.js';
import { PareError } from '../util/errors.js';

export interface RulesCliOptions {
  format?: string;
}

export async function runRules(id?: string, options: RulesCliOptions = {}): Promise<number> {
  const format = options.format ?? 'text';
  if (format !== 'text' && format !== 'json') {
    throw new PareError(`unknown format "${format}" (expected text, json)`, { subject: '--format' });
  }
  if (format === 'json') {
    const rules = id ? [findRuleOrFail(id)] : allRules;
    process.stdout.write(
      `${JSON.stringify(
        rules.map((rule) => rule.meta),
        null,
        2,
      )}\n`,
    );
    return 0;
  }
  if (id) {
    const rule = findRuleOrFail(id);
    const docsPath = fileURLToPath(new URL(`../../docs/rules/${rule.meta.id}.md`, import.meta.url));
    const text = await readFile(docsPath, 'utf8').catch(() => `${rule.meta.id}: ${rule.meta.title}\n`);
    process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    return 0;
  }
  const width = Math.max(...allRules.map((rule) => rule.meta.id.length));
  const codes = (rule: (typeof allRules)[number]) => (rule.meta.hadolint ?? []).join(',');
  const codeWidth = Math.max(8, ...allRules.map((rule) => codes(rule).length));
  process.stdout.write(
    `${'rule'.padEnd(width)}  ${'severity'.padEnd(8)} ${'fixable'}  ${'hadolint'.padEnd(codeWidth)}  title\n`,
  );
  for (const rule of allRules) {
    const flags = `${rule.meta.severity.padEnd(8)} ${rule.meta.fixable ? 'fixable' : '       '}`;
    process.stdout.write(
      `${rule.meta.id.padEnd(width)}  ${flags}  ${codes(rule).padEnd(codeWidth)}  ${rule.meta.title}\n`,
    );
  }
  process.stdout.write(
    `\n${allRules.length} rules. "pare rules ID" shows why, a bad and a good example. The hadolint codes of a rule turn it off where "# hadolint ignore=" or .hadolint.yaml names them (docs/hadolint.md).\n`,
  );
  return 0;
}

function findRuleOrFail(id: string) {
  const rule = findRule(id);
  if (!rule) throw new PareError(`unknown rule "${id}"; run "pare rules" for the list`);
  return rule;
}
