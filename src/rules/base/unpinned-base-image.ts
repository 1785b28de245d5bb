import { isBuilt } from '../../dockerfile/stages.js';
import { ARTICLES } from '../../knowledge/articles.js';
import type { Rule, RuleFinding } from '../types.js';

/**
 * `FROM node` or `FROM node:latest` silently changes under you: the image you
 * measured and slimmed today is not the one you build next month.
 */
export const unpinnedBaseImage: Rule = {
  meta: {
    id: 'unpinned-base-image',
    title: 'Base image is not pinned to a version tag or digest',
    severity: 'info',
    fixable: false,
    articles: [ARTICLES.cutBy90],
    judges: 'build',
    hadolint: ['DL3006', 'DL3007'],
  },
  check({ model }) {
    const findings: RuleFinding[] = [];
    for (const stage of model.stages) {
      const { base } = stage;
      if (base.isScratch || stage.baseStage !== undefined || base.digest || base.unresolved) continue;
      if (!isBuilt(model, stage)) continue;
      if (base.tag !== undefined && base.tag !== 'latest') continue;
      const what =
        base.tag === 'latest'
          ? `"${base.resolved}" uses the moving "latest" tag`
          : `"${base.resolved}" has no tag (means "latest")`;
      findings.push({
        message: `${what}; pin a version tag or a digest so sizes stay reproducible`,
        range: stage.from.range,
        hint: `e.g. FROM ${base.repository}:<version> or FROM ${base.repository}@sha256:<digest>`,
      });
    }
    return findings;
  },
};
