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
