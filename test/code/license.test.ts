/** The license package.json declares is the one the repository ships. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

it('LICENSE is the MIT license package.json names, copyright the pare authors', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
  expect(pkg.license).toBe('MIT');
  expect(license.split('\n')[0]).toBe('MIT License');
  expect(license).toMatch(/^Copyright \(c\) \d{4} the pare authors$/m);
  expect(license).toContain('Permission is hereby granted, free of charge');
});
