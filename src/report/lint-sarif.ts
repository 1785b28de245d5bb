/**
 * SARIF 2.1.0 for GitHub code scanning and other SARIF viewers. Files that
 * could not be linted become tool execution notifications, not results.
 */
import { relative, sep } from 'node:path';
import type { Log, ReportingDescriptor, Result } from 'sarif';
import { citeArticle } from '../knowledge/articles.js';
import type { LintResult } from '../rules/lint-files.js';
import type { Rule, Severity } from '../rules/types.js';
import { VERSION } from '../version.js';

const LEVEL: Record<Severity, Result.level> = { error: 'error', warning: 'warning', info: 'note' };
const HOMEPAGE = 'https://github.com/pare-dev/pare';

function artifactUri(path: string): string {
  if (path === '<stdin>') return 'stdin';
  const rel = relative(process.cwd(), path);
  const normalised = (rel.startsWith('..') ? path : rel).split(sep).join('/');
  return encodeURI(normalised);
}

export function lintSarif(result: LintResult, rules: readonly Rule[]): Log {
  const descriptors: ReportingDescriptor[] = rules.map((rule) => ({
    id: rule.meta.id,
    name: rule.meta.id.replace(/(^|-)([a-z])/g, (_, __, letter: string) => letter.toUpperCase()),
    shortDescription: { text: rule.meta.title },
    helpUri: `${HOMEPAGE}/blob/main/docs/rules/${rule.meta.id}.md`,
    defaultConfiguration: { level: LEVEL[rule.meta.severity] },
    properties: {
      fixable: rule.meta.fixable,
      articles: rule.meta.articles.map((article) => citeArticle(article)),
      tags: ['container-image-size'],
    },
  }));
  const index = new Map(rules.map((rule, i) => [rule.meta.id, i]));
  const results: Result[] = [];
  const notifications: NonNullable<
    NonNullable<Log['runs'][number]['invocations']>[number]['toolExecutionNotifications']
  > = [];
  for (const file of result.files) {
    const uri = artifactUri(file.path);
    if (file.error) {
      notifications.push({
        level: 'error',
        message: { text: file.error },
        locations: [{ physicalLocation: { artifactLocation: { uri } } }],
      });
      continue;
    }
    for (const finding of file.findings) {
      const { start, end } = finding.range;
      results.push({
        ruleId: finding.ruleId,
        ...(index.has(finding.ruleId) ? { ruleIndex: index.get(finding.ruleId)! } : {}),
        level: LEVEL[finding.severity],
        message: { text: finding.hint ? `${finding.message} (${finding.hint})` : finding.message },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri },
              region: {
                startLine: start.line + 1,
                startColumn: start.character + 1,
                endLine: end.line + 1,
                endColumn: end.character + 1,
              },
            },
          },
        ],
        ...(finding.saving
          ? {
              properties: {
                estimatedSavingBytes: finding.saving.bytes,
                estimatedSavingBasis: finding.saving.basis,
              },
            }
          : {}),
      });
    }
  }
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'pare', version: VERSION, informationUri: HOMEPAGE, rules: descriptors } },
        invocations: [
          { executionSuccessful: notifications.length === 0, toolExecutionNotifications: notifications },
        ],
        results,
      },
    ],
  };
}

export function renderLintSarif(result: LintResult, rules: readonly Rule[]): string {
  return `${JSON.stringify(lintSarif(result, rules), null, 2)}\n`;
}
