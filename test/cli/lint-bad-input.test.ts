import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectOneErrorLine, runPare } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'pare-bad-'));
const file = (name: string, content: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
mkdirSync(join(dir, 'empty-dir'));

const cases: Array<[string, () => string, RegExp]> = [
  ['a missing file', () => join(dir, 'nope/Dockerfile'), /no such file or directory/],
  ['a directory with no Dockerfile', () => join(dir, 'empty-dir'), /directory has no Dockerfile/],
  ['an empty file', () => file('empty', '  \n\n'), /file is empty/],
  ['a binary file', () => file('binary', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2])), /binary file/],
  [
    'invalid UTF-8',
    () => file('latin1', Buffer.from('FROM debian\nLABEL author="Ren\xe9"\n', 'latin1')),
    /invalid UTF-8 at byte 29/,
  ],
  [
    'an unterminated heredoc',
    () => file('heredoc', 'FROM debian:12\nRUN <<EOF\napt-get update\n'),
    /:2: unterminated heredoc/,
  ],
  [
    'a malformed JSON array',
    () => file('json', 'FROM scratch\nCMD ["/app", "--port"\n'),
    /:2: CMD looks like a JSON array but is not valid JSON/,
  ],
  [
    'a non-string JSON array',
    () => file('json2', 'FROM scratch\nENTRYPOINT ["/app", 8080]\n'),
    /:2: ENTRYPOINT exec form must be an array of strings/,
  ],
  [
    'a 10 MB Dockerfile',
    () => file('huge', `FROM debian:12\n${'RUN true\n'.repeat(1_200_000)}`),
    /larger than the 1048576 byte limit/,
  ],
  [
    'an unknown instruction',
    () => file('typo', 'FROM debian:12\nRUNN apt-get update\n'),
    /:2: unknown instruction "RUNN"/,
  ],
  ['no FROM', () => file('nofrom', 'ARG X=1\n'), /no FROM instruction/],
  [
    'an instruction before FROM',
    () => file('before', 'RUN true\nFROM debian:12\n'),
    /:1: RUN before the first FROM/,
  ],
];

describe('pare lint on bad input', () => {
  it.each(cases)('%s: one line naming the file, exit 2, no stack', (_name, make, pattern) => {
    const path = make();
    const result = runPare(['lint', path]);
    expect(expectOneErrorLine(result, pattern)).toContain(path);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('builds what docker builds: a continuation on the last line is no error', () => {
    const path = file('last-line', 'FROM debian:12-slim\nRUN echo done \\\n');
    const result = runPare(['lint', path, '--format', 'json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('lints the other files when one is bad', () => {
    const good = file('good', 'FROM ubuntu:latest\nRUN true\n');
    const result = runPare(['lint', join(dir, 'missing'), good, '--format', 'json']);
    expect(result.code).toBe(2);
    const json = JSON.parse(result.stdout);
    expect(json.files.map((f: { path: string }) => f.path)).toEqual([join(dir, 'missing'), good]);
    expect(json.files[0].error).toMatch(/no such file/);
    expect(json.files[1].findings.map((f: { ruleId: string }) => f.ruleId)).toContain('unpinned-base-image');
  });

  it('rejects unknown options and formats with exit 2', () => {
    expect(runPare(['lint', '--format', 'xml', dir]).code).toBe(2);
    expect(runPare(['lint', '--fail-on', 'critical', dir]).stderr).toMatch(/unknown severity "critical"/);
    expect(runPare(['lint', '--disable', 'no-such-rule', dir]).stderr).toMatch(/unknown rule "no-such-rule"/);
    expect(runPare(['frobnicate']).code).toBe(2);
  });

  it('rejects a config file with unknown keys, naming the file and key', () => {
    const project = mkdtempSync(join(tmpdir(), 'pare-config-'));
    writeFileSync(join(project, 'Dockerfile'), 'FROM debian:12\n');
    writeFileSync(join(project, '.pare.json'), JSON.stringify({ rules: {}, rulez: {} }));
    const result = runPare(['lint', project]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      `pare: error: ${join(project, '.pare.json')}: unknown key "rulez" in (top level)`,
    );
    writeFileSync(join(project, '.pare.json'), JSON.stringify({ rules: { 'unpinned-base-image': 'loud' } }));
    expect(runPare(['lint', project]).stderr).toMatch(/rules\.unpinned-base-image: Invalid/);
  });
});
