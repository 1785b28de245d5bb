import { afterEach, describe, expect, it } from 'vitest';
import { extend, resetCatalogue } from '../../src/catalog/index.js';
import { parseDockerfile } from '../../src/dockerfile/parse.js';
import {
  BASE_WORKDIR,
  homeOf,
  knownWorkdir,
  scopeAt,
  scopeAtEnd,
  workdirOrRoot,
} from '../../src/dockerfile/scope.js';

async function scopeOfLast(text: string) {
  const model = await parseDockerfile(text);
  return scopeAt(model, model.instructions[model.instructions.length - 1]!);
}

afterEach(() => resetCatalogue());

describe('instruction scope', () => {
  it('starts from the ENV and WORKDIR the catalogue knows the base image sets', async () => {
    const scope = await scopeOfLast('FROM golang:1.22\nRUN go install ./cmd/app\n');
    expect(scope.env.GOPATH).toBe('/go');
    expect(scope.workdir).toBe('/go');
    expect(scope.base.resolved).toBe('golang:1.22');
  });

  it("takes ENV a config baseImages entry declares for the team's base", async () => {
    extend([
      {
        name: 'registry.corp/python:3.12',
        size: 150e6,
        libc: 'glibc',
        hasShell: true,
        packageManager: 'apt',
        env: { PIP_NO_CACHE_DIR: '1' },
      },
    ]);
    const scope = await scopeOfLast('FROM registry.corp/python:3.12\nRUN pip install flask\n');
    expect(scope.env.PIP_NO_CACHE_DIR).toBe('1');
  });

  it('carries ENV, ARG (with the global default), USER and WORKDIR through FROM <stage>', async () => {
    const text = [
      'ARG VERSION=1.2',
      'FROM debian:12 AS base',
      'ARG VERSION',
      'ENV HOME=/srv/home',
      'WORKDIR /app',
      'USER app:app',
      'FROM base AS final',
      'WORKDIR src',
      'RUN make',
      '',
    ].join('\n');
    const scope = await scopeOfLast(text);
    expect(scope.env).toMatchObject({ VERSION: '1.2', HOME: '/srv/home' });
    expect(scope.user).toBe('app');
    expect(scope.workdir).toBe('/app/src');
    expect(homeOf(scope)).toBe('/srv/home');
    expect(scope.base.resolved).toBe('debian:12');
  });

  it('takes / for a catalogue image that sets no WORKDIR, and the document root of php servers', async () => {
    expect((await scopeOfLast('FROM node:20\nWORKDIR app\nRUN npm ci\n')).workdir).toBe('/app');
    expect((await scopeOfLast('FROM php:8.3-apache\nRUN true\n')).workdir).toBe('/var/www/html');
    expect((await scopeOfLast('FROM php:8.3-cli\nRUN true\n')).workdir).toBe('/');
  });

  it("keeps a relative WORKDIR relative to an unknown base image's, and says what each reader assumes", async () => {
    const scope = await scopeOfLast('FROM registry.corp/node-base:20\nWORKDIR app\nRUN npm ci\n');
    expect(scope.workdir).toBe(`${BASE_WORKDIR}/app`);
    expect(workdirOrRoot(scope)).toBe('/app');
    expect(knownWorkdir(scope)).toBeUndefined();
    const scratch = await scopeOfLast('FROM scratch\nWORKDIR app\nCOPY x .\n');
    expect(knownWorkdir(scratch)).toBe('/app');
  });

  it('gives up on WORKDIRs it cannot resolve: variables the build does not know, Windows paths', async () => {
    expect((await scopeOfLast('FROM debian:12\nWORKDIR $APP_HOME\nRUN true\n')).workdir).toBeUndefined();
    expect((await scopeOfLast('# escape=`\nFROM golang:1.22\nWORKDIR C:\\src\nRUN go build\n')).workdir).toBe(
      undefined,
    );
  });

  it('records SHELL, and the home of a non-root user', async () => {
    const scope = await scopeOfLast(
      'FROM debian:12\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nUSER 1001\nRUN true\n',
    );
    expect(scope.shell).toEqual(['/bin/bash', '-o', 'pipefail', '-c']);
    expect(homeOf(scope)).toBe('/home/1001');
  });

  it('sees every ENV and ARG before an instruction, however many, and none after it', async () => {
    // 300 ENVs, each RUN between them: far more than one layer of the chained environment holds.
    const lines = ['ARG MODE=debug', 'FROM golang:1.22 AS base'];
    for (let i = 0; i < 300; i++) lines.push(`ENV V${i}=first${i} SHARED=${i}`, `RUN echo ${i}`);
    lines.push('ENV V7=changed', 'ARG MODE', 'FROM base AS next', 'ENV LATE=1', 'RUN true');
    const model = await parseDockerfile(`${lines.join('\n')}\n`);
    const runs = model.instructions.filter((instruction) => instruction.keyword === 'RUN');
    for (const [n, run] of runs.slice(0, 300).entries()) {
      const env = scopeAt(model, run).env;
      expect(env[`V${n}`]).toBe(`first${n}`);
      expect(env.SHARED).toBe(String(n));
      expect(`V${n + 1}` in env).toBe(false);
      expect(env.GOPATH).toBe('/go');
    }
    const last = scopeAt(model, runs.at(-1)!).env;
    expect([last.V7, last.V299, last.SHARED, last.LATE, last.GOPATH]).toEqual([
      'changed',
      'first299',
      '299',
      '1',
      '/go',
    ]);
    expect(last.MODE).toBe('debug');
    expect(scopeAt(model, runs[0]!).env.MODE).toBeUndefined();
    // Names of Object.prototype are no variables.
    expect(last.constructor).toBeUndefined();
    expect('toString' in last).toBe(false);
  });

  it('gives the scope a stage ends with', async () => {
    const model = await parseDockerfile('FROM alpine:3.20\nENV A=1\nUSER nobody\n');
    expect(scopeAtEnd(model, model.stages[0]!)).toMatchObject({ env: { A: '1' }, user: 'nobody' });
  });
});
