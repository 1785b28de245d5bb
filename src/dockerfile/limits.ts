/**
 * The bounds a Dockerfile cannot push pare past (README, "Limits"). Each is far
 * above what a real Dockerfile needs and low enough that pare answers in time
 * and memory proportional to the file. Crossing one is bad input: the parser
 * reports it on the instruction's line.
 */
import { PareError } from '../util/errors.js';

/**
 * Command substitutions, parameter expansions, `sh -c` strings and wrappers
 * (`sudo …`) inside each other. Real scripts nest a handful; each level costs
 * stack, and a few thousand would overflow it.
 */
export const MAX_SHELL_NESTING = 100;

/**
 * Characters one expanded value (a word, an ENV value) may have. A Dockerfile
 * is at most 1 MiB, so only a variable that feeds on itself (`ENV A=$A$A`)
 * gets past this, doubling per line.
 */
export const MAX_EXPANDED_LENGTH = 1024 * 1024;

/**
 * Characters that expanding variables may produce in one Dockerfile in all:
 * bounds the time and memory of many instructions each expanding a large value.
 */
export const MAX_EXPANSION_TOTAL = 16 * 1024 * 1024;

/** Counts what variable expansion produces in one Dockerfile and stops it at the limits above. */
export class ExpansionBudget {
  private spent = 0;

  /** Accounts for `length` characters copied from a variable's value. */
  charge(length: number): void {
    this.spent += length;
    if (this.spent > MAX_EXPANSION_TOTAL) {
      throw new InputLimitError(
        `expanding variables produces more than ${MAX_EXPANSION_TOTAL} characters in this Dockerfile`,
      );
    }
  }

  /** Fails when one expanded value is longer than MAX_EXPANDED_LENGTH. */
  checkLength(length: number): void {
    if (length > MAX_EXPANDED_LENGTH) {
      throw new InputLimitError(
        `expanding variables makes a value longer than ${MAX_EXPANDED_LENGTH} characters (does a variable include itself, as in ENV A=$A$A?)`,
      );
    }
  }
}

/** A limit crossed while reading one instruction; the parser adds the file and line. */
export class InputLimitError extends PareError {
  constructor(message: string) {
    super(message);
    this.name = 'InputLimitError';
  }
}
