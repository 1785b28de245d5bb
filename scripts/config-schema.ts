/**
 * Writes schemas/pare-config.json from the config's zod schema
 * (`npm run schema:config`); run it after changing src/config/schema.ts.
 */
import { writeFileSync } from 'node:fs';
import { configJsonSchemaText } from '../src/config/json-schema.js';

const target = new URL('../schemas/pare-config.json', import.meta.url);
writeFileSync(target, configJsonSchemaText());
process.stdout.write(`wrote ${target.pathname}\n`);
