/**
 * Writes the generated schemas (`npm run schema:config`): schemas/pare-config.json
 * from the config's zod schema, and the detector enum of schemas/inspect-v1.json
 * from the detector registry. Run it after changing src/config/schema.ts or
 * adding a detector.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { configJsonSchemaText } from '../src/config/json-schema.js';
import { withDetectorEnum } from '../src/report/detector-schema.js';

const target = new URL('../schemas/pare-config.json', import.meta.url);
writeFileSync(target, configJsonSchemaText());
process.stdout.write(`wrote ${target.pathname}\n`);

const inspect = new URL('../schemas/inspect-v1.json', import.meta.url);
writeFileSync(inspect, withDetectorEnum(readFileSync(inspect, 'utf8')));
process.stdout.write(`wrote ${inspect.pathname}\n`);
