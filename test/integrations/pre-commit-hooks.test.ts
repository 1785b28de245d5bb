import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runPare } from '../helpers/cli.js';

interface Hook {
  id: string;
  name: string;
  entry: string;
  language: string;
  files: string;
  exclude?: string;
  pass_filenames?: boolean;
}

const hooks = parse(readFileSync(new URL('../../.pre-commit-hooks.yaml', import.meta.url), 'utf8')) as Hook[];
const dir = mkdtempSync(join(tmpdir(), 'pare-pre-commit-'));
const clean = join(dir, 'Dockerfile');
writeFileSync(clean, 'FROM alpine:3.20@sha256:' + 'a'.repeat(64) + '\nCMD ["/bin/true"]\n');
const unpinned = join(dir, 'api.Dockerfile');
const UNPINNED = 'FROM ubuntu:latest\nRUN apt-get update && apt-get install -y curl\n';
writeFileSync(unpinned, UNPINNED);
const broken = join(dir, 'Containerfile');
writeFileSync(broken, 'FROM debian:12\nRUN <<EOF\n');

describe('.pre-commit-hooks.yaml', () => {
  it('declares the fields pre-commit requires', () => {
    expect(hooks.map((hook) => hook.id)).toEqual(['pare-lint', 'pare-fix-check']);
    for (const hook of hooks) {
      for (const key of ['id', 'name', 'entry', 'language'] as const) expect(typeof hook[key]).toBe('string');
      expect(hook.language).toBe('node');
      expect(hook.entry.startsWith('pare ')).toBe(true);
    }
  });

  it('pare-fix-check runs on the files pare-lint runs on', () => {
    const [lint, fixCheck] = ['pare-lint', 'pare-fix-check'].map((id) => hooks.find((h) => h.id === id)!);
    expect(fixCheck!.files).toBe(lint!.files);
    expect(fixCheck!.exclude).toBe(lint!.exclude);
    expect(fixCheck!.pass_filenames).toBe(true);
  });

  it.each([
    ['Dockerfile', true],
    ['services/api/Dockerfile', true],
    ['Dockerfile.prod', true],
    ['Containerfile', true],
    ['api.Dockerfile', true],
    ['build/web.dockerfile', true],
    ['docs/Dockerfile.md', false],
    ['api.Dockerfile.dockerignore', false],
    ['src/dockerfile.ts', false],
    ['README.md', false],
    ['NotADockerfile', false],
  ])('pare-lint files pattern: %s → %s', (path, matches) => {
    // pre-commit matches `files` with Python's re.search; these patterns mean the same in JS.
    const hook = hooks.find((h) => h.id === 'pare-lint')!;
    const excluded = hook.exclude !== undefined && new RegExp(hook.exclude).test(path);
    expect(new RegExp(hook.files).test(path) && !excluded).toBe(matches);
  });

  // The entry as pre-commit runs it: split on spaces, the staged files appended.
  const runHook = (id: string, files: string[]) => {
    const hook = hooks.find((h) => h.id === id)!;
    const [command, ...args] = hook.entry.split(' ');
    expect(command).toBe('pare');
    return runPare([...args, ...files]);
  };

  it.each([
    ['a clean Dockerfile', 0, [clean]],
    ['a finding', 1, [clean, unpinned]],
    ['a file that does not parse', 2, [clean, broken]],
  ])('pare-lint with %s exits %i', (_name, code, files) => {
    expect(runHook('pare-lint', files).code).toBe(code);
  });

  it.each([
    ['a clean Dockerfile', 0, [clean], ''],
    ['a Dockerfile pare fix would change', 1, [clean, unpinned], '+RUN apt-get update && apt-get install'],
    ['a file that does not parse', 2, [clean, broken], ''],
  ])('pare-fix-check with %s exits %i', (_name, code, files, diffLine) => {
    const result = runHook('pare-fix-check', files);
    expect(result.code).toBe(code);
    if (diffLine) {
      expect(result.stdout).toContain(`--- a/${unpinned.slice(1)}`);
      expect(result.stdout).toContain(diffLine);
    } else {
      expect(result.stdout).toBe('');
    }
    if (code === 2) expect(result.stderr).toContain(broken);
    // A check never writes.
    expect(readFileSync(unpinned, 'utf8')).toBe(UNPINNED);
  });
});
