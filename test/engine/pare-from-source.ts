/**
 * pare's CLI run from the sources (`node --import tsx pare-from-source.ts ARGS`),
 * for engine tests that must not depend on an up-to-date dist/.
 */
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
