/**
 * Every Dockerfile under test/fixtures/corpus is linted with all rules; the
 * findings are checked in beside it (expected.txt), so a change in any rule
 * shows up as a diff. Regenerate with `npx vitest run test/rules/corpus -u`
 * and review the diff before committing.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openBuildContext } from '../../src/dockerfile/build-context.js';
import { parseDockerfile } from '../../src/dockerfile/parse.js';
import { allRules } from '../../src/rules/index.js';
import { lintModel } from '../../src/rules/run.js';
import { formatBytes } from '../../src/util/bytes.js';

const corpus = fileURLToPath(new URL('../fixtures/corpus/', import.meta.url));
const names = readdirSync(corpus, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();
const scratch = mkdtempSync(join(tmpdir(), 'pare-corpus-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Copies the fixture and creates the large or unversionable files (.git, node_modules) it describes. */
function materialise(name: string): string {
  const target = join(scratch, name);
  cpSync(join(corpus, name), target, { recursive: true });
  const spec = join(target, 'context.json');
  let generate: Record<string, number> = {};
  try {
    generate = JSON.parse(readFileSync(spec, 'utf8')).generate ?? {};
    rmSync(spec);
  } catch {
    // No context.json: the fixture directory is the whole context.
  }
  for (const [path, size] of Object.entries(generate)) {
    mkdirSync(dirname(join(target, path)), { recursive: true });
    writeFileSync(join(target, path), Buffer.alloc(size, 1));
  }
  rmSync(join(target, 'expected.txt'), { force: true });
  return target;
}

describe('corpus', () => {
  it('has at least 30 Dockerfiles', () => {
    expect(names.length).toBeGreaterThanOrEqual(30);
  });

  it.each(names)('%s', async (name) => {
    const directory = materialise(name);
    const text = readFileSync(join(directory, 'Dockerfile'), 'utf8');
    const model = await parseDockerfile(text, `${name}/Dockerfile`);
    const findings = await lintModel(model, {
      rules: allRules,
      buildContext: await openBuildContext(directory, 'Dockerfile'),
    });
    const lines = findings.map((f) => {
      const saving = f.saving ? ` (~${formatBytes(f.saving.bytes)} estimated)` : '';
      const fix = f.fix ? ' [fixable]' : '';
      return `${f.range.start.line + 1}:${f.range.start.character + 1} ${f.severity} ${f.ruleId}: ${f.message}${saving}${fix}`;
    });
    await expect(`${lines.join('\n')}\n`).toMatchFileSnapshot(join(corpus, name, 'expected.txt'));
  });
});
