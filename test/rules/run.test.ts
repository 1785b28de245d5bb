import { describe, expect, it } from 'vitest';
import { parseDockerfile } from '../../src/dockerfile/parse.js';
import { allRules } from '../../src/rules/index.js';
import { lintModel } from '../../src/rules/run.js';

const MULTI_TARGET = [
  'FROM node:20 AS dev',
  'WORKDIR /app',
  'COPY . .',
  'RUN npm install',
  'CMD ["npm", "run", "dev"]',
  '',
  'FROM node:20-slim AS prod',
  'WORKDIR /app',
  'COPY package.json package-lock.json ./',
  'RUN npm ci --omit=dev && npm cache clean --force',
  'COPY . .',
  'CMD ["node", "server.js"]',
  '',
  'FROM dev AS test',
  'RUN npm test',
  '',
].join('\n');

async function lint(text: string, path = 'Dockerfile', target?: string) {
  const model = await parseDockerfile(text, path, { target });
  return (await lintModel(model, { rules: allRules })).map((f) => `${f.range.start.line + 1} ${f.ruleId}`);
}

describe('lintModel', () => {
  it('judges the build, not the image, when the target is a development stage', async () => {
    // The last stage, `test`, is what `docker build` makes without --target: a test image.
    expect(await lint(MULTI_TARGET)).toEqual(['3 sources-before-manifests']);
  });

  it('judges the --target stage as the shipped image, and only the stages built for it', async () => {
    expect(await lint(MULTI_TARGET, 'Dockerfile', 'prod')).toEqual([]);
    expect(await lint(MULTI_TARGET, 'Dockerfile', 'dev')).toEqual(['3 sources-before-manifests']);
  });

  it('judges a devcontainer Dockerfile as a development image', async () => {
    const text =
      'FROM golang:1.22\nRUN apt-get update && apt-get install -y vim\nCOPY . .\nRUN go build ./...\n';
    expect(await lint(text, 'Dockerfile')).toContain('1 toolchain-base-in-final-image');
    expect(await lint(text, '.devcontainer/Dockerfile')).toEqual(['3 sources-before-manifests']);
  });

  it('declares for every rule whether it judges the shipped image or the build', () => {
    for (const rule of allRules) expect(['image', 'build']).toContain(rule.meta.judges);
  });
});
