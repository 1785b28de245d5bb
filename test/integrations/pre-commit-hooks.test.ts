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
writeFileSync(unpinned, 'FROM ubuntu:latest\nRUN apt-get update && apt-get install -y curl\n');
const broken = join(dir, 'Containerfile');
writeFileSync(broken, 'FROM debian:12\nRUN <<EOF\n');

describe('.pre-commit-hooks.yaml', () => {
  it('declares the fields pre-commit requires', () => {
    expect(hooks.map((hook) => hook.id)).toContain('pare-lint');
    for (const hook of hooks) {
      for (const key of ['id', 'name', 'entry', 'language'] as const) expect(typeof hook[key]).toBe('string');
      expect(hook.language).toBe('node');
      expect(hook.entry.startsWith('pare ')).toBe(true);
    }
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

  it.each([
    ['a clean Dockerfile', [clean], 0],
    ['a finding', [clean, unpinned], 1],
    ['a file that does not parse', [clean, broken], 2],
  ])('pare-lint with %s exits %i', (_name, files, code) => {
    const hook = hooks.find((h) => h.id === 'pare-lint')!;
    const [command, ...args] = hook.entry.split(' ');
    expect(command).toBe('pare');
    expect(runPare([...args, ...files]).code).toBe(code);
  });
});
