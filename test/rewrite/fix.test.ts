/**
 * `pare fix` runs every rule's fixes together, pass after pass: the cases
 * where two fixes meet on one command or one fix leads to another.
 */
import { describe, expect, it } from 'vitest';
import { parseDockerfile } from '../../src/dockerfile/parse.js';
import { applyEdits, nonOverlapping } from '../../src/rewrite/apply-edits.js';
import { fixDockerfile } from '../../src/rewrite/fix.js';
import { allRules } from '../../src/rules/index.js';

async function fix(text: string): Promise<string> {
  return (await fixDockerfile(await parseDockerfile(text), { rules: allRules })).fixed;
}

describe('fixDockerfile', () => {
  it.each([
    [
      'a flag and a chained command after the same word do not interleave',
      'FROM node:20-slim\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm install\nCMD ["node", "index.js"]\n',
      'FROM node:20-slim\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm install --omit=dev && npm cache clean --force\nCMD ["node", "index.js"]\n',
    ],
    [
      'an apt-get update alone is merged into the install, which then removes the lists in the same RUN',
      'FROM debian:12-slim\nRUN apt-get update\nRUN apt-get install -y curl\nCMD ["curl", "--version"]\n',
      'FROM debian:12-slim\nRUN apt-get update && apt-get install --no-install-recommends -y curl && rm -rf /var/lib/apt/lists/*\nCMD ["curl", "--version"]\n',
    ],
    [
      'pip: a flag after `install` and nothing else',
      'FROM python:3.12-slim\nRUN pip install flask\nCMD ["flask", "run"]\n',
      'FROM python:3.12-slim\nRUN pip install --no-cache-dir flask\nCMD ["flask", "run"]\n',
    ],
  ])('%s', async (_name, before, after) => {
    expect(await fix(before)).toBe(after);
    // Fixing again changes nothing.
    expect(await fix(after)).toBe(after);
  });
});

describe('nonOverlapping', () => {
  it('keeps the first of two insertions at one offset; the fix loop applies the other next pass', () => {
    const edits = nonOverlapping([
      [{ start: 15, end: 15, newText: ' && npm cache clean --force' }],
      [{ start: 15, end: 15, newText: ' --omit=dev' }],
      [{ start: 3, end: 3, newText: 'x' }],
    ]);
    expect(applyEdits('RUN npm install\n', edits)).toBe('RUNx npm install && npm cache clean --force\n');
  });

  it('an insertion at the start of a replacement clashes; one at its end does not', () => {
    const replace = { start: 4, end: 7, newText: 'yarn' };
    expect(nonOverlapping([[replace], [{ start: 4, end: 4, newText: 'x' }]])).toEqual([replace]);
    expect(nonOverlapping([[replace], [{ start: 7, end: 7, newText: 'x' }]])).toHaveLength(2);
  });
});
