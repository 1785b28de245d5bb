/**
 * The articles pare's techniques come from are cited by title wherever a user
 * reads them: a number such as "seed 004" names nothing a reader can look up.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runRules } from '../../src/cli/rules.js';
import { ARTICLES, type ArticleKey, citeArticle } from '../../src/knowledge/articles.js';
import { lintSarif } from '../../src/report/lint-sarif.js';
import { allRules } from '../../src/rules/index.js';

const ROOT = join(import.meta.dirname, '..', '..');

/** "seed 004", "Seeds 001 and 004", "seed articles", also across a comment's line break. */
const BY_NUMBER = /\bseeds?[\s:(*#]+(0\d|articles?\b)/i;

function files(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : files(path, keep);
    return keep(entry.name) ? [path] : [];
  });
}

function citationsByNumber(paths: string[]): string[] {
  return paths.flatMap((path) => {
    const text = readFileSync(path, 'utf8');
    const match = BY_NUMBER.exec(text);
    return match ? [`${relative(ROOT, path)}: ${match[0].replace(/\s+/g, ' ')}`] : [];
  });
}

async function printedByRules(id?: string, format?: string): Promise<string> {
  const chunks: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    await runRules(id, { format });
  } finally {
    write.mockRestore();
  }
  return chunks.join('');
}

describe('article citations', () => {
  afterEach(() => vi.restoreAllMocks());

  it('formats a first mention with the English gloss and a later one by the short title', () => {
    expect(citeArticle(ARTICLES.slimming)).toBe('《精简 Docker 镜像》 ("Slimming Docker images")');
    expect(citeArticle(ARTICLES.minimize)).toBe('《Minimize Container Image Size》');
    expect(citeArticle(ARTICLES.cutBy90, { short: true })).toBe('《容器化：如何将镜像体积缩减 90%？》');
    for (const [key, article] of Object.entries(ARTICLES)) expect(article.key).toBe(key as ArticleKey);
  });

  it('has no citation by number in the docs, the README, the examples or the sources', () => {
    const paths = [
      join(ROOT, 'README.md'),
      ...files(join(ROOT, 'docs'), (name) => name.endsWith('.md')),
      ...files(join(ROOT, 'examples'), (name) => name.endsWith('.md') || name.startsWith('Dockerfile')),
      ...files(join(ROOT, 'src'), (name) => name.endsWith('.ts')),
    ];
    expect(citationsByNumber(paths)).toEqual([]);
  });

  it('has no citation by number in what "pare rules" prints, as text or JSON', async () => {
    const printed = [await printedByRules(), await printedByRules(undefined, 'json')];
    for (const rule of allRules) printed.push(await printedByRules(rule.meta.id));
    expect(printed.filter((text) => BY_NUMBER.test(text))).toEqual([]);
    const meta = JSON.parse(printed[1] ?? '[]') as { id: string; articles: { title: string }[] }[];
    expect(meta.find((rule) => rule.id === 'apk-cache')?.articles.map((article) => article.title)).toEqual([
      ARTICLES.slimming.title,
      ARTICLES.bestPractices.title,
    ]);
  });

  it('cites the articles by title in the SARIF rule descriptors', () => {
    const log = lintSarif({ files: [] }, allRules);
    const text = JSON.stringify(log);
    expect(text).not.toMatch(BY_NUMBER);
    const descriptor = log.runs[0]?.tool.driver.rules?.find((rule) => rule.id === 'apt-cache-not-cleaned');
    expect(descriptor?.properties?.articles).toEqual([citeArticle(ARTICLES.slimming)]);
  });
});
