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

function helpUri(rule: Rule): string {
  return `${HOMEPAGE}/blob/main/docs/rules/${rule.meta.id}.md`;
}

function describe(rule: Rule): string {
  const title = rule.meta.title.endsWith('.') ? rule.meta.title : `${rule.meta.title}.`;
  const fixable = rule.meta.fixable ? ' `pare fix` can fix some occurrences automatically.' : '';
  const hadolint = rule.meta.hadolint?.length
    ? ` Same problem as hadolint ${rule.meta.hadolint.join(', ')}.`
    : '';
  return `${title}${fixable}${hadolint}`;
}

function artifactUri(path: string): string {
  if (path === '<stdin>') return 'stdin';
  const rel = relative(process.cwd(), path);
  const normalised = (rel.startsWith('..') ? path : rel).split(sep).join('/');
  return encodeURI(normalised);
}

/**
 * The key GitHub code scanning matches an alert by from one commit to the
 * next. It hashes what the finding is about (rule, file, the flagged lines'
 * text with whitespace collapsed) and leaves the line number out, so lines
 * inserted above a finding do not turn it into a new alert while editing the
 * flagged instruction does. Identical flagged text in one file is told apart by
 * its occurrence number, as GitHub's own primaryLocationLineHash does.
 */
function fingerprint(
  ruleId: string,
  uri: string,
  text: string | undefined,
  startLine: number,
  endLine: number,
  seen: Map<string, number>,
): string {
  const lines = (text ?? '').split(/\r?\n/).slice(startLine, endLine + 1);
  const normalised = lines.map((line) => line.trim().replace(/\s+/g, ' ')).join('\n');
  // Fetched here, not imported: the text and JSON reports, most runs, never load crypto.
  const { createHash } = process.getBuiltinModule('node:crypto');
  const hash = createHash('sha256').update(`${ruleId}\0${uri}\0${normalised}`).digest('hex').slice(0, 32);
  const occurrence = (seen.get(hash) ?? 0) + 1;
  seen.set(hash, occurrence);
  return `${hash}:${occurrence}`;
}

export function lintSarif(result: LintResult, rules: readonly Rule[]): Log {
  const descriptors: ReportingDescriptor[] = rules.map((rule) => ({
    id: rule.meta.id,
    name: rule.meta.id.replace(/(^|-)([a-z])/g, (_, __, letter: string) => letter.toUpperCase()),
    shortDescription: { text: rule.meta.title },
    fullDescription: { text: describe(rule) },
    helpUri: helpUri(rule),
    // Code scanning shows `help` in the alert's panel; helpUri alone is only a link.
    help: {
      text: `${describe(rule)} See ${helpUri(rule)}`,
      markdown: `${describe(rule)}\n\n[Rule documentation](${helpUri(rule)})`,
    },
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
    const seen = new Map<string, number>();
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
        partialFingerprints: {
          primaryLocationLineHash: fingerprint(finding.ruleId, uri, file.text, start.line, end.line, seen),
        },
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
