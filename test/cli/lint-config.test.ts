import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPare } from '../helpers/cli.js';

/** A project whose Dockerfile has one warning (apt lists left in the layer). */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pare-lint-config-'));
  writeFileSync(
    join(dir, 'Dockerfile'),
    'FROM debian:12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl\nCMD ["curl"]\n',
  );
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('pare lint and its config', () => {
  it('takes lint.failOn from .pare.json when no --fail-on is given; the flag wins when it is', () => {
    const dir = project({ '.pare.json': JSON.stringify({ lint: { failOn: 'none' } }) });
    const quiet = runPare(['lint', dir]);
    expect(quiet.stdout).toMatch(/apt-lists-not-removed/);
    expect(quiet.code).toBe(0);
    expect(runPare(['lint', dir, '--fail-on', 'warning']).code).toBe(1);
  });

  it.each([
    ['.pare.yaml', 'lint:\n  failOn: none  # a comment\n'],
    ['.pare.yml', '# block style\nlint: { failOn: none }\n'],
  ])('reads %s the same as .pare.json', (name, text) => {
    const result = runPare(['lint', project({ [name]: text })]);
    expect(result.stdout).toMatch(/apt-lists-not-removed/);
    expect(result.code).toBe(0);
  });

  it('reads a YAML --config by its extension, and names the file, line and problem of bad YAML', () => {
    const dir = project({
      'pare-ci.yaml': 'lint:\n  failOn: none\n',
      'broken.yml': 'lint:\n  failOn: none\n  failOn: error\n',
    });
    expect(runPare(['lint', dir, '--config', join(dir, 'pare-ci.yaml')]).code).toBe(0);
    const broken = runPare(['lint', dir, '--config', join(dir, 'broken.yml')]);
    expect(broken.code).toBe(2);
    expect(broken.stderr.trim().split('\n')).toHaveLength(1);
    expect(broken.stderr).toMatch(
      new RegExp(`${join(dir, 'broken.yml')}: invalid YAML: .*unique.*line 3, column 3$`, 'm'),
    );
  });

  it('validates YAML as it validates JSON: an unknown key is an error naming it', () => {
    const result = runPare(['lint', project({ '.pare.yaml': 'lint:\n  failon: none\n' })]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/\.pare\.yaml.*unknown key "failon" in lint/);
  });

  it('fails on warnings by default', () => {
    expect(runPare(['lint', project({})]).code).toBe(1);
  });

  it('warns about a package.json that is not JSON and goes on linting', () => {
    const dir = project({ 'package.json': '{ "name": "app", <<<<<<< HEAD\n' });
    const result = runPare(['lint', dir, '--fail-on', 'none']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/apt-lists-not-removed/);
    expect(result.stderr.trim()).toMatch(
      new RegExp(`^pare: warning: ${join(dir, 'package.json')}: not read for a "pare" config: invalid JSON`),
    );
  });

  it('reads .hadolint.yaml when there is no pare config: ignored codes and failure-threshold', () => {
    const dir = project({ '.hadolint.yaml': 'ignored:\n  - DL3009\nfailure-threshold: error\n' });
    const result = runPare(['lint', dir, '--format', 'json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).files[0].findings).toEqual([]);
  });

  it('a pare config wins over .hadolint.yaml', () => {
    const dir = project({
      '.hadolint.yaml': 'ignored: [DL3009]\n',
      '.pare.json': JSON.stringify({ lint: { failOn: 'warning' } }),
    });
    const result = runPare(['lint', dir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/apt-lists-not-removed/);
  });
});
