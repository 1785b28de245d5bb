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

/** A limit crossed while reading one instruction; the parser adds the file and line. */
export class InputLimitError extends PareError {
  constructor(message: string) {
    super(message);
    this.name = 'InputLimitError';
  }
}
