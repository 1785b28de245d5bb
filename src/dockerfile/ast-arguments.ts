/**
 * dockerfile-ast splits an instruction's arguments again on every call of
 * getArguments(), and calls it itself: each RUN, CMD, COPY or ADD is split
 * three times by its own constructor and the parser builds every instruction
 * twice (once to look for heredocs). That splitting, a binary search for every
 * position it makes included, was the largest cost of parsing a Dockerfile.
 * An instance's text never changes, so its split is kept with it; each call
 * still gets its own array because dockerfile-ast's callers shift flags off it.
 * Importing this module installs the cache, once per process.
 */
import { type Argument, Instruction } from 'dockerfile-ast';

/** The method is private in dockerfile-ast's typings; every argument getter goes through it. */
interface Splitting {
  getRawArguments(this: Instruction): Argument[];
}

const SPLIT = Symbol('pare.split');
type WithSplit = Instruction & { [SPLIT]?: Argument[] };

const prototype = Instruction.prototype as unknown as Splitting;
const split = prototype.getRawArguments;

prototype.getRawArguments = function getRawArguments(this: WithSplit): Argument[] {
  this[SPLIT] ??= split.call(this);
  return this[SPLIT].slice();
};
