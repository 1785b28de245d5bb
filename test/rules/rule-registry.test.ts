/**
 * Every registered rule comes with its table test (its page is checked in
 * docs.test.ts), and every table test belongs to a registered rule.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { allRules } from '../../src/rules/index.js';

const tests = fileURLToPath(new URL('./', import.meta.url));
const docs = fileURLToPath(new URL('../../docs/rules/', import.meta.url));

const IMPORTS_TEST_RULE = /import\s*\{[^}]*\btestRule\b[^}]*\}\s*from\s*'\.\.\/helpers\/rule-tester\.js'/;

/** The names a test file imports from the rule's own module, `src/rules/<family>/<id>.js`. */
function importedFromRuleModule(text: string, id: string): string[] {
  const pattern = new RegExp(
    String.raw`import\s*\{([^}]*)\}\s*from\s*'\.\./\.\./src/rules/[a-z]+/${id}\.js'`,
    'g',
  );
  return [...text.matchAll(pattern)].flatMap((match) =>
    match[1]!
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== ''),
  );
}

describe('rule registry', () => {
  it.each(allRules.map((rule) => [rule.meta.id] as const))(
    '%s has a page and a table test that runs the rule itself',
    (id) => {
      expect(existsSync(`${docs}${id}.md`), `docs/rules/${id}.md`).toBe(true);
      const path = `${tests}${id}.test.ts`;
      expect(existsSync(path), `test/rules/${id}.test.ts`).toBe(true);
      const text = readFileSync(path, 'utf8');
      const names = importedFromRuleModule(text, id);
      expect(
        names.some((name) => text.includes(`testRule(${name},`)),
        `test/rules/${id}.test.ts passes the rule from src/rules/<family>/${id}.ts to testRule`,
      ).toBe(true);
    },
  );

  it('has no table test for a rule that is not registered', () => {
    const ids = new Set(allRules.map((rule) => rule.meta.id));
    const orphans = readdirSync(tests)
      .filter((name) => name.endsWith('.test.ts'))
      .filter((name) => IMPORTS_TEST_RULE.test(readFileSync(`${tests}${name}`, 'utf8')))
      .filter((name) => !ids.has(name.slice(0, -'.test.ts'.length)));
    expect(orphans).toEqual([]);
  });
});
