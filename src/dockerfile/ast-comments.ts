/**
 * dockerfile-ast files each comment under its build stage by checking every
 * stage, so a Dockerfile of many stages and comments (a corpus repeated to
 * thousands of instructions) parsed in time growing with their product.
 * Stages follow one another without overlapping, so the one stage that can
 * hold a comment is found by a binary search; which stage gets which comment
 * is unchanged (test/dockerfile/ast-comments.test.ts holds the two equal).
 * Importing this module installs it, once per process.
 */
import { Dockerfile } from 'dockerfile-ast/lib/dockerfile.js';
import { Util } from 'dockerfile-ast/lib/util.js';

interface Position {
  line: number;
  character: number;
}
interface Range {
  start: Position;
  end: Position;
}
interface Ranged {
  getRange(): Range;
}
interface CommentHolder extends Ranged {
  addComment(comment: Ranged): void;
}
interface Organizing {
  getComments(): Ranged[];
  readonly initialInstructions: CommentHolder;
  readonly buildStages: CommentHolder[];
  organizeComments(this: Organizing): void;
}

const prototype = Dockerfile.prototype as unknown as Organizing;

/** dockerfile-ast's own filing, kept for the equivalence test. */
export const libraryOrganizeComments: (this: Organizing) => void = prototype.organizeComments;

const atOrBefore = (a: Position, b: Position): boolean =>
  a.line < b.line || (a.line === b.line && a.character <= b.character);

prototype.organizeComments = function organizeComments(this: Organizing): void {
  const initialRange = this.initialInstructions.getRange();
  const stages = this.buildStages;
  const ranges = stages.map((stage) => stage.getRange());
  for (const comment of this.getComments()) {
    const range = comment.getRange();
    if (Util.isInsideRange(range.end, initialRange)) {
      this.initialInstructions.addComment(comment);
      continue;
    }
    // The last stage starting at or before the comment is the only one that can hold it.
    let low = 0;
    let high = ranges.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (atOrBefore(ranges[middle]!.start, range.start)) {
        found = middle;
        low = middle + 1;
      } else high = middle - 1;
    }
    if (found !== -1 && Util.isInsideRange(range.start, ranges[found]!)) stages[found]!.addComment(comment);
  }
};
