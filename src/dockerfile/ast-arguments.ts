/**
 * dockerfile-ast repeats work parse.ts would pay for on every instruction;
 * importing this module makes it do that work once, process-wide, and a parse
 * ends with forgetParseCaches().
 *
 * - It splits an instruction's arguments again on every call of
 *   getArguments(), and calls it itself: each RUN, CMD, COPY or ADD is split
 *   three times by its own constructor, and parse.ts asks again once the
 *   parser has built them all. That splitting, a binary search for every
 *   position it makes included, was the largest cost of parsing a
 *   Dockerfile. An instance's text never changes, so its split is reused;
 *   each call still gets its own array because dockerfile-ast's callers
 *   shift flags off it.
 * - The split itself is dockerfile-ast's own state machine, kept step for
 *   step, except that an argument's value is cut from the text in runs
 *   instead of grown one character at a time: on a 1 MB RUN the library's
 *   way made about a million short-lived strings per split, and those, not
 *   the model, set the peak memory of parsing it.
 *   test/dockerfile/ast-arguments.test.ts holds the two to the same output.
 * - Its parser builds every instruction twice: once to look for heredocs,
 *   then again for the Dockerfile, with the same arguments unless a heredoc
 *   body moved the instruction's end. The second build reuses the first.
 */
import { Argument, Instruction } from 'dockerfile-ast';
import { Parser } from 'dockerfile-ast/lib/parser.js';

/** dockerfile-ast's positions (LSP's). */
interface Position {
  line: number;
  character: number;
}

/** The private parts of dockerfile-ast's Instruction the split reads. */
interface Splitting {
  getRawArguments(this: Instruction): Argument[];
}
interface InstructionInternals {
  readonly document: { offsetAt(position: Position): number; positionAt(offset: number): Position };
  readonly escapeChar: string;
  getInstructionRange(): { start: Position; end: Position };
  getTextContent(): string;
}

const prototype = Instruction.prototype as unknown as Splitting;

/** dockerfile-ast's own split, kept for the equivalence test. */
export const librarySplit: (this: Instruction) => Argument[] = prototype.getRawArguments;

const isNewline = (char: string): boolean => char === '\r' || char === '\n';
const isWhitespace = (char: string): boolean => char === ' ' || char === '\t' || isNewline(char);

/** dockerfile-ast's getRawArguments, building each value from slices of the text. */
export function splitArguments(instruction: Instruction): Argument[] {
  const self = instruction as unknown as InstructionInternals;
  const document = self.document;
  const args: Argument[] = [];
  const range = self.getInstructionRange();
  const extra = document.offsetAt(range.end) - document.offsetAt(range.start);
  const fullArgs = self.getTextContent().substring(extra);
  const offset = document.offsetAt(range.start) + extra;
  let start = false;
  let comment = false;
  let found = -1;
  // Whitespace seen while in an escaped newline sequence.
  let escapedWhitespaceDetected = false;
  // Inside an escaped newline sequence.
  let escaping = false;
  let escapeMarker = -1;

  // The value so far: `taken`, then the characters fullArgs[runStart, runEnd) not yet cut out.
  let taken = '';
  let runStart = -1;
  let runEnd = -1;
  const append = (at: number): void => {
    if (at === runEnd) {
      runEnd++;
      return;
    }
    if (runStart !== -1) taken += fullArgs.slice(runStart, runEnd);
    runStart = at;
    runEnd = at + 1;
  };
  const push = (from: number, to: number): void => {
    const value = runStart === -1 ? taken : taken + fullArgs.slice(runStart, runEnd);
    taken = '';
    runStart = -1;
    runEnd = -1;
    const argumentRange = {
      start: document.positionAt(offset + from),
      end: document.positionAt(offset + to),
    };
    args.push(new Argument(value, argumentRange));
  };

  for (let i = 0; i < fullArgs.length; i++) {
    const char = fullArgs.charAt(i);
    if (isWhitespace(char)) {
      if (escaping) {
        escapedWhitespaceDetected = true;
        if (isNewline(char)) {
          // A newline: whitespace before it does not count.
          escapedWhitespaceDetected = false;
          if (comment) {
            comment = false;
            start = true;
          }
        }
        continue;
      }
      if (found !== -1) {
        push(found, escapeMarker === -1 ? i : escapeMarker);
        escapeMarker = -1;
        found = -1;
      }
    } else if (char === self.escapeChar) {
      const next = fullArgs.charAt(i + 1);
      if (next === ' ' || next === '\t') {
        // Spaces after the escape: a continuation if a line break follows them.
        let j = i + 2;
        while (j < fullArgs.length && (fullArgs.charAt(j) === ' ' || fullArgs.charAt(j) === '\t')) j++;
        if (j < fullArgs.length) {
          const after = fullArgs.charAt(j);
          if (after === '\r' || after === '\n') {
            // `\r\n` ends the line as `\n` does.
            if (after === '\r') j++;
            comment = false;
            escaping = true;
            start = true;
            if (found !== -1) escapeMarker = i;
            i = j;
          } else {
            escapeMarker = i;
            if (found === -1) i = j - 1;
          }
        }
      } else if (next === '\r') {
        comment = false;
        escaping = true;
        start = true;
        if (found !== -1 && escapeMarker === -1) escapeMarker = i;
        i += 2;
      } else if (next === '\n') {
        comment = false;
        escaping = true;
        start = true;
        if (found !== -1 && escapeMarker === -1) escapeMarker = i;
        i++;
      } else {
        if (escapedWhitespaceDetected && escapeMarker !== -1) {
          push(found, escapeMarker);
          found = -1;
        }
        escapeMarker = -1;
        escapedWhitespaceDetected = false;
        escaping = false;
        if (next === '$') {
          append(i);
          append(i + 1);
        } else if (next === '') {
          // The end of the text.
          break;
        } else {
          append(i + 1);
        }
        if (found === -1) found = i;
        i++;
      }
    } else if (!comment) {
      if (start && char === '#') {
        comment = true;
      } else {
        if (escapedWhitespaceDetected && escapeMarker !== -1) {
          push(found, escapeMarker);
          found = -1;
        }
        escapedWhitespaceDetected = false;
        escaping = false;
        escapeMarker = -1;
        append(i);
        if (found === -1) found = i;
      }
      // A character that is not whitespace.
      start = false;
    }
  }
  if (found !== -1) push(found, escapeMarker === -1 ? fullArgs.length : escapeMarker);
  return args;
}

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
    args = splitArguments(this);
    if (splits.size >= KEPT_SPLITS) splits.delete(splits.keys().next().value!);
    splits.set(this, args);
  }
  return args.slice();
};

/** The parser's one way to make an instruction: its arguments, after `this`. */
type CreateArguments = [dockerfile: unknown, keyword: string, start: number, keywordEnd: number, end: number];

/** Also private in the typings. */
interface Creating {
  createInstruction(this: Parser, ...args: CreateArguments): Instruction;
}

const parserPrototype = Parser.prototype as unknown as Creating;
const create = parserPrototype.createInstruction;

/** The instruction built last, by which parser and from what. */
let lastBuilt: { parser: Parser; args: CreateArguments; instruction: Instruction } | undefined;

parserPrototype.createInstruction = function createInstruction(
  this: Parser,
  ...args: CreateArguments
): Instruction {
  const last = lastBuilt;
  if (last?.parser === this && last.args.every((value, i) => value === args[i])) {
    // Handed out twice at most: the heredoc look-up's copy, then the Dockerfile's.
    lastBuilt = undefined;
    return last.instruction;
  }
  const instruction = create.call(this, ...args);
  lastBuilt = { parser: this, args, instruction };
  return instruction;
};

/** Lets go of the parse's instances: they hold their whole syntax tree, which must not outlive the parse. */
export function forgetParseCaches(): void {
  splits.clear();
  lastBuilt = undefined;
}
