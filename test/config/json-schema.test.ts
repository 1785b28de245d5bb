/**
 * schemas/pare-config.json is generated from the zod schema: it must be the
 * generator's output (else run `npm run schema:config`), and it must accept
 * and reject the same files pare does.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { configJsonSchemaText } from '../../src/config/json-schema.js';
import { configSchema } from '../../src/config/schema.js';

const ROOT = join(import.meta.dirname, '..', '..');
const committed = readFileSync(join(ROOT, 'schemas', 'pare-config.json'), 'utf8');
const validate = new Ajv2020({ strict: false }).compile(JSON.parse(committed));

const examples = readdirSync(join(ROOT, 'examples'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .flatMap((entry) => {
    try {
      return [
        [entry.name, JSON.parse(readFileSync(join(ROOT, 'examples', entry.name, '.pare.json'), 'utf8'))],
      ];
    } catch {
      return [];
    }
  }) as Array<[string, unknown]>;

const samples: Array<[string, unknown]> = [
  ['an empty config', {}],
  ['rules and failOn', { rules: { 'unpinned-base-image': 'off' }, lint: { failOn: 'error' } }],
  ['an unknown top-level key', { rulez: {} }],
  ['an unknown severity', { rules: { 'unpinned-base-image': 'loud' } }],
  ['a bad probe address', { optimize: { probe: { http: '8080/health' } } }],
  ['a budget as a size string', { inspect: { budgets: { maxSize: '300MB', minEfficiency: 95 } } }],
  ['an efficiency above 100', { inspect: { budgets: { minEfficiency: 120 } } }],
  [
    'a base image without its size',
    { baseImages: [{ name: 'x', libc: 'musl', hasShell: true, packageManager: 'apk' }] },
  ],
];

describe('schemas/pare-config.json', () => {
  it('is what the generator writes from src/config/schema.ts (npm run schema:config)', () => {
    expect(committed).toBe(configJsonSchemaText());
  });

  it('the examples have configs to check', () => {
    expect(examples.length).toBeGreaterThan(3);
  });

  it.each([...samples, ...examples])('agrees with pare on %s', (_name, config) => {
    expect(validate(config)).toBe(configSchema.safeParse(config).success);
  });
});
