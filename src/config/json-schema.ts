/**
 * The JSON Schema of the config file, derived from the zod schema that
 * validates it, so editors check and complete `.pare.json` by the same rules
 * pare applies. scripts/config-schema.ts writes it to schemas/pare-config.json;
 * a test fails when that file is stale.
 */
import { z } from 'zod';
import { configSchema } from './schema.js';

const CONFIG_SCHEMA_ID = 'https://github.com/pare-dev/pare/schemas/pare-config.json';

export function configJsonSchemaText(): string {
  // io "input": the schema of what people write, before any defaults apply.
  const generated = z.toJSONSchema(configSchema, { target: 'draft-2020-12', io: 'input' });
  const { $schema, ...rest } = generated;
  const schema = {
    $schema,
    $id: CONFIG_SCHEMA_ID,
    title: 'pare configuration',
    description:
      'The .pare.json or .pare.yaml file, or the "pare" key of package.json. Unknown keys are errors. See the Configuration section of the README.',
    ...rest,
  };
  return `${JSON.stringify(schema, null, 2)}\n`;
}
