import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { allRules } from '../../src/rules/index.js';

const docs = fileURLToPath(new URL('../../docs/rules/', import.meta.url));

describe('rule pages', () => {
  it.each(allRules.map((rule) => [rule.meta.id, rule] as const))(
    '%s has a page that states its severity, whether it fixes, and what it judges',
    (id, rule) => {
      const path = `${docs}${id}.md`;
      expect(existsSync(path), `docs/rules/${id}.md`).toBe(true);
      const [title, , header] = readFileSync(path, 'utf8').split('\n');
      expect(title).toBe(`# ${id}`);
      expect(header).toContain(`**Severity:** ${rule.meta.severity}`);
      expect(header).toContain(`**Fixable:** ${rule.meta.fixable ? 'yes' : 'no'}`);
      expect(header).toContain(
        `**Judges:** ${rule.meta.judges === 'image' ? 'the shipped image' : 'the build'}`,
      );
    },
  );

  it.each(allRules.map((rule) => [rule.meta.id, rule] as const))(
    '%s cites the articles it comes from by title in its Source line',
    (id, rule) => {
      const header = readFileSync(`${docs}${id}.md`, 'utf8').split('\n')[2] ?? '';
      const source = header.slice(header.indexOf('**Source:**'));
      expect(source, `docs/rules/${id}.md`).toContain('**Source:**');
      for (const article of rule.meta.articles) expect(source).toContain(`《${article.title}》`);
    },
  );

  it('has no page for a rule that does not exist', () => {
    const ids = new Set(allRules.map((rule) => rule.meta.id));
    const pages = readdirSync(docs).filter((name) => name.endsWith('.md') && name !== 'README.md');
    expect(pages.filter((name) => !ids.has(name.slice(0, -3)))).toEqual([]);
  });
});
