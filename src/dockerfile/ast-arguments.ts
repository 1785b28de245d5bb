/**
 * dockerfile-ast splits an instruction's arguments again on every call of
 * getArguments(), and calls it itself: each RUN, CMD, COPY or ADD is split
 * three times by its own constructor and the parser builds every instruction
 * twice (once to look for heredocs). That splitting, a binary search for every
 * position it makes included, was the largest cost of parsing a Dockerfile.
 * An instance's text never changes, so its last split is reused; each call
 * still gets its own array because dockerfile-ast's callers shift flags off it.
 * Importing this module installs the cache, once per process; a parse ends
 * with forgetLastSplit().
 */
import { type Argument, Instruction } from 'dockerfile-ast';

/** The method is private in dockerfile-ast's typings; every argument getter goes through it. */
interface Splitting {
  getRawArguments(this: Instruction): Argument[];
}

const prototype = Instruction.prototype as unknown as Splitting;
const split = prototype.getRawArguments;

/**
 * The last instance split and its arguments: dockerfile-ast and parse.ts ask
 * one instruction several times in a row. One entry, not one per instance, so
 * a Dockerfile's worth of splits is never held at once.
 */
let lastInstance: Instruction | undefined;
let lastArguments: Argument[] = [];

prototype.getRawArguments = function getRawArguments(this: Instruction): Argument[] {
  if (lastInstance !== this) {
    lastArguments = split.call(this);
    lastInstance = this;
  }
  return lastArguments.slice();
};

/** Lets go of the last instance: it holds its whole syntax tree, which must not outlive the parse. */
export function forgetLastSplit(): void {
  lastInstance = undefined;
  lastArguments = [];
}
