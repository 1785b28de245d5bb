import { describe, expect, it } from 'vitest';
import { parseDockerfile } from '../../src/dockerfile/parse.js';
import {
  isBuilt,
  isDevelopmentStageName,
  isDevelopmentTarget,
  rootImage,
  shippedStages,
  stageChain,
} from '../../src/dockerfile/stages.js';

const MULTI_TARGET = [
  'FROM golang:1.22 AS base',
  'RUN go mod download',
  'FROM base AS build',
  'RUN go build -o /out/app .',
  'FROM gcr.io/distroless/static-debian12 AS prod',
  'COPY --from=build /out/app /app',
  'FROM base AS dev',
  'RUN go install github.com/air-verse/air@latest',
  '',
].join('\n');

describe('stages', () => {
  it('ships the last stage and the stages it is built FROM, as BuildKit builds it', async () => {
    const model = await parseDockerfile(MULTI_TARGET);
    expect(shippedStages(model).map((stage) => stage.name)).toEqual(['base', 'dev']);
    expect(isDevelopmentTarget(model)).toBe(true);
    expect([...model.graph.reachable].sort()).toEqual([0, 3]);
  });

  it('ships the --target stage; stages the target does not read are not built', async () => {
    const model = await parseDockerfile(MULTI_TARGET, 'Dockerfile', { target: 'prod' });
    expect(model.finalStage.name).toBe('prod');
    expect(model.stages.filter((stage) => stage.isFinal).map((stage) => stage.name)).toEqual(['prod']);
    expect(shippedStages(model).map((stage) => stage.name)).toEqual(['prod']);
    expect(isDevelopmentTarget(model)).toBe(false);
    expect(model.stages.map((stage) => isBuilt(model, stage))).toEqual([true, true, true, false]);
  });

  it('matches --target case-insensitively and names the stages when none matches', async () => {
    expect((await parseDockerfile(MULTI_TARGET, 'Dockerfile', { target: 'PROD' })).finalStage.name).toBe(
      'prod',
    );
    await expect(parseDockerfile(MULTI_TARGET, 'Dockerfile', { target: 'release' })).rejects.toThrow(
      /--target release: no stage of that name \(stages: base, build, prod, dev\)/,
    );
  });

  it('follows FROM <stage> chains to the image at their root', async () => {
    const model = await parseDockerfile(MULTI_TARGET);
    const dev = model.stages[3]!;
    expect(stageChain(model, dev).map((stage) => stage.index)).toEqual([0, 3]);
    expect(rootImage(model, dev).resolved).toBe('golang:1.22');
  });

  it('takes a devcontainer Dockerfile for a development image', async () => {
    const model = await parseDockerfile(
      'FROM python:3.12\nRUN pip install black\n',
      '.devcontainer/Dockerfile',
    );
    expect(isDevelopmentTarget(model)).toBe(true);
  });

  it.each([
    ['dev', true],
    ['development', true],
    ['dev-envs', true],
    ['dev-systemd-false', true],
    ['test', true],
    ['unit_tests', true],
    ['lint', true],
    ['validate-vendor', true],
    ['ci', true],
    ['prod', false],
    ['production', false],
    ['runtime', false],
    ['devices', false],
    ['gotestsum', false],
    ['latest', false],
  ])('stage name %s is a development name: %s', (name, expected) => {
    expect(isDevelopmentStageName(name)).toBe(expected);
  });
});
