/**
 * The detector registry is the one list of detectors: the inspect report
 * schema's enum is generated from it, and what slim removes by default or on
 * request is what each detector declares.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DETECTORS } from '../../src/analyze/detectors/index.js';
import { buildProgram } from '../../src/cli/commands.js';
import { withDetectorEnum } from '../../src/report/detector-schema.js';
import { CATEGORIES, DEFAULT_REMOVE, OPTIONAL_REMOVE, parseCategories } from '../../src/slim/leftovers.js';

const committed = readFileSync(new URL('../../schemas/inspect-v1.json', import.meta.url), 'utf8');

describe('schemas/inspect-v1.json', () => {
  it('lists every detector, as the generator writes it (npm run schema:config)', () => {
    expect(committed).toBe(withDetectorEnum(committed));
    const schema = JSON.parse(committed);
    const findings = JSON.stringify(schema);
    for (const detector of DETECTORS) expect(findings).toContain(JSON.stringify(detector.id));
  });

  it('rewrites a stale enum and nothing else', () => {
    const stale = '{\n  "a": 1,\n  "detector": {\n    "enum": [\n      "docs"\n    ]\n  },\n  "b": 2\n}\n';
    const fresh = withDetectorEnum(stale);
    const parsed = JSON.parse(fresh);
    expect(parsed.detector.enum).toEqual(DETECTORS.map((detector) => detector.id));
    expect(parsed.a).toBe(1);
    expect(parsed.b).toBe(2);
    expect(fresh).toContain('    "enum": [\n      "package-cache",\n');
  });
});

describe('what slim removes, as detectors declare it', () => {
  it.each([
    ['package-cache', 'default'],
    ['docs', 'default'],
    ['package-tests', 'default'],
    ['vcs-metadata', 'default'],
    ['orphan-bytecode', 'default'],
    ['dev-files', 'default'],
    ['toolchain', 'optional'],
    ['compiled-sources', 'optional'],
    ['unstripped-binaries', 'never'],
  ])('%s: %s', (id, removal) => {
    expect(DETECTORS.find((detector) => detector.id === id)?.removal).toBe(removal);
    expect(DEFAULT_REMOVE.includes(id)).toBe(removal === 'default');
    expect(OPTIONAL_REMOVE.includes(id)).toBe(removal === 'optional');
    expect(CATEGORIES.includes(id)).toBe(removal !== 'never');
  });

  it('refuses a detector that is never removed, and an unknown name', () => {
    expect(() => parseCategories('unstripped-binaries', '--remove')).toThrow(/cannot be removed/);
    expect(() => parseCategories('nope', '--keep')).toThrow(/unknown category "nope"/);
  });
});

describe("slim's help, which names the categories without loading the detectors at start", () => {
  it('--remove names exactly the categories removed only on request', () => {
    const slim = buildProgram(() => undefined).commands.find((command) => command.name() === 'slim')!;
    const remove = slim.options.find((option) => option.long === '--remove')!;
    const named = /: (.*) \(or all, none\)$/.exec(remove.description)?.[1]?.split(', ');
    expect(named).toEqual([...OPTIONAL_REMOVE]);
  });
});
