import { bytesSent } from '../../dockerfile/build-context.js';
import { ARTICLES } from '../../knowledge/articles.js';
import { JUNK_CATEGORIES } from '../../knowledge/ecosystems.js';
import { formatBytes } from '../../util/bytes.js';
import type { Rule, RuleFinding } from '../types.js';
import { biggestFirst, contextCopies, copyShips, offendersToReport } from './context-offenders.js';

/** How many offenders a message names. */
const LISTED = 4;

/**
 * `COPY . .` with no .dockerignore sends and ships everything in the build
 * context: .git, node_modules, virtualenvs, build outputs, secrets.
 * Measured from the context; silent when no context directory is known.
 */
export const copyWithoutDockerignore: Rule = {
  meta: {
    id: 'copy-without-dockerignore',
    title: 'COPY/ADD of the build context with no .dockerignore ships files the image does not need',
    severity: 'warning',
    fixable: false,
    articles: [ARTICLES.rightWay, ARTICLES.minimize],
    judges: 'build',
  },
  needsContext: true,
  check({ model, buildContext, contextFiles }) {
    if (!buildContext || !contextFiles || buildContext.dockerignore !== undefined) return [];
    const offenders = offendersToReport(model, contextFiles);
    if (offenders.length === 0) return [];
    const sent = bytesSent(contextFiles);
    const findings: RuleFinding[] = [];
    for (const copy of contextCopies(model)) {
      const shipped = biggestFirst(offenders.filter((offender) => copyShips(copy, offender)));
      if (shipped.length === 0) continue;
      const bytes = shipped.reduce((sum, offender) => sum + offender.bytes, 0);
      const listed = shipped
        .slice(0, LISTED)
        .map(
          (offender) => `${offender.path}${offender.isDirectory ? '/' : ''} (${formatBytes(offender.bytes)})`,
        );
      const more = shipped.length > LISTED ? ` and ${shipped.length - LISTED} more` : '';
      const what = copy.shipped ? 'ships' : 'copies into a build stage';
      const secrets = shipped.some((offender) => offender.category === 'secrets')
        ? ', including secret-looking files'
        : '';
      const finding: RuleFinding = {
        message:
          `there is no .dockerignore: the build context (${formatBytes(sent)}) is sent whole and this ${copy.instruction.keyword} ${what} ` +
          `${listed.join(', ')}${more}${secrets}`,
        range: copy.instruction.range,
        hint: `add a .dockerignore listing ${[...new Set(shipped.map((offender) => offender.pattern))].slice(0, 8).join(', ')} (pare fix will be able to write it)`,
      };
      if (copy.shipped) {
        finding.saving = {
          bytes,
          basis: `measured in the build context: ${[...new Set(shipped.map((o) => JUNK_CATEGORIES[o.category].label))].join(', ')}`,
        };
      } else finding.severity = 'info';
      findings.push(finding);
    }
    return findings;
  },
};
