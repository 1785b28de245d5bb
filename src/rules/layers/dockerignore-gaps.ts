import { ARTICLES } from '../../knowledge/articles.js';
import { JUNK_CATEGORIES, type JunkCategory } from '../../knowledge/ecosystems.js';
import { formatBytes } from '../../util/bytes.js';
import type { Rule, RuleFinding, Severity } from '../types.js';
import {
  biggestFirst,
  type ContextCopy,
  contextCopies,
  copyShips,
  type Offender,
  offendersToReport,
} from './context-offenders.js';

const LISTED = 3;

/** Categories that cost little: reported as info. */
const MINOR: ReadonlySet<JunkCategory> = new Set(['cache', 'editor', 'logs']);

/**
 * A .dockerignore exists but lets through entries a broad COPY then ships:
 * one finding per category (.git, node_modules, virtualenvs, build outputs,
 * caches, secret-looking files), measured from the context.
 */
export const dockerignoreGaps: Rule = {
  meta: {
    id: 'dockerignore-gaps',
    title:
      '.dockerignore lets through files a broad COPY ships (.git, node_modules, virtualenvs, outputs, secrets)',
    severity: 'warning',
    fixable: false,
    articles: [ARTICLES.rightWay, ARTICLES.minimize],
    judges: 'build',
  },
  needsContext: true,
  check({ model, buildContext, contextFiles }) {
    if (!buildContext || !contextFiles || buildContext.dockerignore === undefined) return [];
    const offenders = offendersToReport(model, contextFiles);
    if (offenders.length === 0) return [];
    const copies = contextCopies(model);
    const byCategory = new Map<JunkCategory, { offenders: Offender[]; copy: ContextCopy }>();
    for (const offender of offenders) {
      // Prefer a COPY in the final image: that is where the bytes are shipped.
      const shipping = copies.filter((copy) => copyShips(copy, offender));
      const copy = shipping.find((item) => item.shipped) ?? shipping[0];
      if (!copy) continue;
      const entry = byCategory.get(offender.category);
      if (!entry) byCategory.set(offender.category, { offenders: [offender], copy });
      else {
        entry.offenders.push(offender);
        if (copy.shipped && !entry.copy.shipped) entry.copy = copy;
      }
    }
    const findings: RuleFinding[] = [];
    for (const [category, { offenders: found, copy }] of byCategory) {
      const sorted = biggestFirst(found);
      const bytes = sorted.reduce((sum, offender) => sum + offender.bytes, 0);
      const listed = sorted
        .slice(0, LISTED)
        .map(
          (offender) => `${offender.path}${offender.isDirectory ? '/' : ''} (${formatBytes(offender.bytes)})`,
        );
      const more = sorted.length > LISTED ? ` and ${sorted.length - LISTED} more` : '';
      const source = copy.instruction.source.split(/\r?\n/)[0]!.trim();
      const verb = copy.shipped ? 'ships' : 'copies into a build stage';
      const label = category === 'secrets' ? 'secret-looking files' : JUNK_CATEGORIES[category].label;
      const patterns = [...new Set(sorted.map((offender) => offender.pattern))].slice(0, 6);
      const finding: RuleFinding = {
        message: `.dockerignore lets through ${label}: \`${source.length > 50 ? `${source.slice(0, 47)}…` : source}\` ${verb} ${listed.join(', ')}${more}`,
        range: copy.instruction.range,
        hint:
          `add ${patterns.join(', ')} to .dockerignore` +
          (category === 'secrets'
            ? '; pass real secrets with RUN --mount=type=secret, and rotate any that reached a pushed image'
            : ''),
      };
      let severity: Severity | undefined;
      if (!copy.shipped || MINOR.has(category)) severity = 'info';
      if (severity) finding.severity = severity;
      if (copy.shipped && bytes > 0) {
        finding.saving = {
          bytes,
          basis: `measured in the build context: ${label} not excluded by .dockerignore`,
        };
      }
      findings.push(finding);
    }
    return findings;
  },
};
