import { shippedStages } from '../../dockerfile/stages.js';
import type { RunInstruction } from '../../dockerfile/types.js';
import { isRun } from '../../dockerfile/types.js';
import { ARTICLES } from '../../knowledge/articles.js';
import type { Rule, RuleFinding } from '../types.js';
import { findLaterDeletions } from './delete-in-later-layer.js';
import { isMergeableForm, mergeBlocker, mergeRunsEdits, sameFlags } from './merge-runs.js';

/** Fewer consecutive RUNs than this are left alone: splitting two steps for the build cache is reasonable. */
const MIN_CONSECUTIVE_RUNS = 3;

/**
 * Three or more RUNs in a row in the final image, with the same flags: each is
 * a layer of its own (《Minimize Container Image Size》: "合并 RUN
 * 步骤是有益无害的"). Byte-saving merges, where a later RUN deletes what an
 * earlier one made, belong to delete-in-later-layer; this rule leaves those
 * groups to it.
 */
export const consecutiveRuns: Rule = {
  meta: {
    id: 'consecutive-runs',
    title: 'Consecutive RUN instructions that could be one layer',
    severity: 'info',
    fixable: true,
    articles: [ARTICLES.minimize],
    judges: 'image',
    hadolint: ['DL3059'],
  },
  check({ model, contextFiles }) {
    const findings: RuleFinding[] = [];
    const deletions = findLaterDeletions(model, contextFiles);
    for (const stage of shippedStages(model)) {
      const groups: RunInstruction[][] = [];
      let current: RunInstruction[] = [];
      for (const instruction of stage.instructions) {
        const joins =
          isRun(instruction) &&
          isMergeableForm(instruction) &&
          (current.length === 0 || sameFlags(current[0]!, instruction));
        if (joins) {
          current.push(instruction);
          continue;
        }
        groups.push(current);
        current = isRun(instruction) && isMergeableForm(instruction) ? [instruction] : [];
      }
      groups.push(current);

      for (const group of groups) {
        if (group.length < MIN_CONSECUTIVE_RUNS) continue;
        // A RUN deleting what another RUN of the group made: delete-in-later-layer reports it (with the merge).
        const owned = deletions.some(
          (deletion) =>
            group.includes(deletion.run) &&
            deletion.targets.some((target) => group.includes(target.creator as RunInstruction)),
        );
        if (owned) continue;
        const first = group[0]!;
        const last = group[group.length - 1]!;
        const lines = `lines ${first.range.start.line + 1}-${last.range.start.line + 1}`;
        const finding: RuleFinding = {
          message: `${group.length} consecutive RUN instructions (${lines}) make ${group.length} layers; one RUN joined with && makes one`,
          range: { start: first.range.start, end: last.range.end },
        };
        const fix = mergeRunsEdits(model, group);
        if (fix) finding.fix = fix;
        else finding.hint = `merge them by hand: ${mergeBlocker(model, group)}`;
        findings.push(finding);
      }
    }
    return findings;
  },
};
