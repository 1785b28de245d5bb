import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020Module from 'ajv/dist/2020.js';
import AjvDraft04Module from 'ajv-draft-04';
import { describe, expect, it } from 'vitest';
import { runPare } from '../helpers/cli.js';

const require = createRequire(import.meta.url);
// Both packages are CommonJS with a `default` export that NodeNext types do not see as constructable.
const AjvDraft04 = AjvDraft04Module as unknown as typeof AjvDraft04Module.default;
const Ajv2020 = Ajv2020Module as unknown as typeof Ajv2020Module.default;
const dir = mkdtempSync(join(tmpdir(), 'pare-formats-'));
const dockerfile = join(dir, 'Dockerfile');
writeFileSync(
  dockerfile,
  'FROM ubuntu:latest AS base\nRUN true\nFROM alpine\nCOPY --from=base /etc/os-release /\nCMD ["/app"]\n',
);
const broken = join(dir, 'Broken.Dockerfile');
writeFileSync(broken, 'FROM debian:12\nRUN <<EOF\n');

describe('SARIF output', () => {
  it('validates against the official SARIF 2.1.0 schema', () => {
    const schema = JSON.parse(
      readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'),
    );
    const ajv = new AjvDraft04({
      allErrors: true,
      strict: false,
      validateFormats: false,
      unicodeRegExp: false,
    });
    const validate = ajv.compile(schema);
    const result = runPare(['lint', dockerfile, broken, '--format', 'sarif']);
    expect(result.code).toBe(2);
    const log = JSON.parse(result.stdout);
    expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);
    const run = log.runs[0];
    expect(run.results.map((r: { ruleId: string }) => r.ruleId)).toEqual([
      'unpinned-base-image',
      'unpinned-base-image',
    ]);
    expect(run.results[1].locations[0].physicalLocation.region).toEqual({
      startLine: 3,
      startColumn: 1,
      endLine: 3,
      endColumn: 12,
    });
    expect(run.results[0].level).toBe('note');
    expect(run.invocations[0].executionSuccessful).toBe(false);
    expect(run.invocations[0].toolExecutionNotifications[0].message.text).toMatch(/unterminated heredoc/);
    // Every result points at a rule the driver describes.
    for (const item of run.results) expect(run.tool.driver.rules[item.ruleIndex].id).toBe(item.ruleId);
    // Code scanning tracks alerts by fingerprint and shows `help` in the alert.
    for (const item of run.results)
      expect(item.partialFingerprints.primaryLocationLineHash).toMatch(/^[0-9a-f]{32}:\d+$/);
    for (const rule of run.tool.driver.rules) expect(rule.help.markdown).toContain(rule.helpUri);
  });
});

describe('JSON output', () => {
  it('validates against schemas/lint-v1.json', () => {
    const schema = JSON.parse(readFileSync(new URL('../../schemas/lint-v1.json', import.meta.url), 'utf8'));
    const validate = new Ajv2020({ allErrors: true }).compile(schema);
    const result = runPare(['lint', dockerfile, broken, '--format', 'json']);
    const json = JSON.parse(result.stdout);
    expect(validate(json), JSON.stringify(validate.errors, null, 2)).toBe(true);
    expect(json.summary).toMatchObject({ files: 2, filesWithErrors: 1, infos: 2 });
  });
});

describe('text output', () => {
  it('shows the source line with a marker under the range, grouped by file', () => {
    const result = runPare(['lint', dockerfile]);
    expect(result.stdout).toContain(`${dockerfile}\n`);
    expect(result.stdout).toContain('      3 │ FROM alpine\n        │ ^^^^^^^^^^^\n');
    expect(result.stdout).toMatch(/2 findings \(0 error, 0 warning, 2 info\)/);
  });

  it('colours only when asked on a non-TTY, and never with NO_COLOR', () => {
    const plain = runPare(['lint', dockerfile], { env: { NO_COLOR: '', FORCE_COLOR: undefined } });
    expect(plain.stdout).not.toMatch(/\x1b\[/);
    const forced = runPare(['lint', dockerfile], { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    expect(forced.stdout).toMatch(/\x1b\[/);
    const noColor = runPare(['lint', dockerfile], { env: { NO_COLOR: '1', FORCE_COLOR: '1' } });
    expect(noColor.stdout).not.toMatch(/\x1b\[/);
    const flag = runPare(['lint', dockerfile, '--no-color'], { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    expect(flag.stdout).not.toMatch(/\x1b\[/);
  });

  it('exit code follows --fail-on', () => {
    expect(runPare(['lint', dockerfile]).code).toBe(0);
    expect(runPare(['lint', dockerfile, '--fail-on', 'info']).code).toBe(1);
    expect(runPare(['lint', dockerfile, '--fail-on', 'info', '--disable', 'unpinned-base-image']).code).toBe(
      0,
    );
  });

  it('reads stdin with -', () => {
    const result = runPare(['lint', '-', '--format', 'json'], { input: 'FROM node\n' });
    expect(JSON.parse(result.stdout).files[0].path).toBe('<stdin>');
  });
});
