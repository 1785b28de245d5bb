/**
 * dockerfile-ast repeats work parse.ts would pay for on every instruction;
 * importing this module makes it do that work once, process-wide, and a parse
 * ends with forgetLastSplit().
 *
 * - It splits an instruction's arguments again on every call of
 *   getArguments(), and calls it itself: each RUN, CMD, COPY or ADD is split
 *   three times by its own constructor, and parse.ts asks again once the
 *   parser has built them all. That splitting, a binary search for every
 *   position it makes included, was the largest cost of parsing a
 *   Dockerfile. An instance's text never changes, so its split is reused;
 *   each call still gets its own array because dockerfile-ast's callers
 *   shift flags off it.
 * - Its parser builds every instruction twice: once to look for heredocs,
 *   then again for the Dockerfile, with the same arguments unless a heredoc
 *   body moved the instruction's end. The second build reuses the first.
 */
import { type Argument, Instruction } from 'dockerfile-ast';
import { Parser } from 'dockerfile-ast/lib/parser.js';

/** The method is private in dockerfile-ast's typings; every argument getter goes through it. */
interface Splitting {
  getRawArguments(this: Instruction): Argument[];
}

const prototype = Instruction.prototype as unknown as Splitting;
const split = prototype.getRawArguments;

/**
 * The splits of the instances built last, oldest first. Bounded, so a
 * Dockerfile of tens of thousands of instructions never holds all its splits
 * at once; real ones have far fewer instructions, and parse.ts finds each
 * split the parser made.
 */
const splits = new Map<Instruction, Argument[]>();
const KEPT_SPLITS = 512;

prototype.getRawArguments = function getRawArguments(this: Instruction): Argument[] {
  let args = splits.get(this);
  if (!args) {
    args = split.call(this);
    if (splits.size >= KEPT_SPLITS) splits.delete(splits.keys().next().value!);
    splits.set(this, args);
  }
  return args.slice();
};

/** Also private in the typings: the parser's one way to make an instruction. */
interface Creating {
  createInstruction(
    this: Parser,
    dockerfile: unknown,
    keyword: string,
    start: number,
    keywordEnd: number,
    end: number,
  ): Instruction;
}

const parserPrototype = Parser.prototype as unknown as Creating;
const create = parserPrototype.createInstruction;

/** The instruction built last and what it was built from. */
let lastBuilt:
  | { parser: Parser; dockerfile: unknown; keyword: string; start: number; keywordEnd: number; end: number }
  | undefined;
let lastBuiltInstruction: Instruction | undefined;

parserPrototype.createInstruction = function createInstruction(
  this: Parser,
  dockerfile: unknown,
  keyword: string,
  start: number,
  keywordEnd: number,
  end: number,
): Instruction {
  const last = lastBuilt;
  if (
    last !== undefined &&
    lastBuiltInstruction !== undefined &&
    last.parser === this &&
    last.dockerfile === dockerfile &&
    last.keyword === keyword &&
    last.start === start &&
    last.keywordEnd === keywordEnd &&
    last.end === end
  ) {
    const built = lastBuiltInstruction;
    // Handed out twice at most: the heredoc look-up's copy, then the Dockerfile's.
    lastBuilt = undefined;
    lastBuiltInstruction = undefined;
    return built;
  }
  const built = create.call(this, dockerfile, keyword, start, keywordEnd, end);
  lastBuilt = { parser: this, dockerfile, keyword, start, keywordEnd, end };
  lastBuiltInstruction = built;
  return built;
};

/** Lets go of the last instances: they hold their whole syntax tree, which must not outlive the parse. */
export function forgetLastSplit(): void {
  splits.clear();
  lastBuilt = undefined;
  lastBuiltInstruction = undefined;
}
