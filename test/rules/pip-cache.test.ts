import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extend, resetCatalogue } from '../../src/catalog/index.js';
import { pipCache } from '../../src/rules/packages/pip-cache.js';
import { lintWith, testRule } from '../helpers/rule-tester.js';

testRule(pipCache, {
  valid: [
    'FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\n',
    {
      name: 'ENV PIP_NO_CACHE_DIR=1',
      code: 'FROM python:3.12-slim\nENV PIP_NO_CACHE_DIR=1\nRUN pip install -r requirements.txt\n',
    },
    {
      name: 'PIP_NO_CACHE_DIR=off also disables the cache (pip quirk)',
      code: 'FROM python:3.12-slim\nENV PIP_NO_CACHE_DIR=off\nRUN pip install flask\n',
    },
    {
      name: 'ARG visible as env during RUN',
      code: 'FROM python:3.12-slim\nARG PIP_NO_CACHE_DIR=true\nRUN pip3 install flask\n',
    },
    {
      name: 'prefix assignment',
      code: 'FROM python:3.12-slim\nRUN PIP_NO_CACHE_DIR=1 python -m pip install flask\n',
    },
    {
      name: 'cache mount',
      code: '# syntax=docker/dockerfile:1\nFROM python:3.12-slim\nRUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n',
    },
    {
      name: 'cache mount on ~/.cache of another user',
      code: '# syntax=docker/dockerfile:1\nFROM python:3.12-slim\nUSER app\nRUN --mount=type=cache,target=/home/app/.cache,uid=1000 pip install --user flask\n',
    },
    {
      name: 'cache removed in the same RUN',
      code: 'FROM python:3.12\nRUN pip install flask && rm -rf ~/.cache/pip\n',
    },
    {
      name: 'seed 002: the venv is built in a builder stage',
      code: [
        'FROM python:3-alpine AS builder',
        'RUN apk add --no-cache g++ && python -m venv /opt/venv',
        'RUN /opt/venv/bin/pip install -r requirements.txt',
        'FROM python:3-alpine',
        'COPY --from=builder /opt/venv /opt/venv',
        '',
      ].join('\n'),
    },
    {
      name: 'pip config set in an earlier RUN',
      code: 'FROM python:3.12\nRUN pip config set global.no-cache-dir false\nRUN pip install flask\n',
    },
    { name: 'pip download is not an install', code: 'FROM python:3.12\nRUN pip download -d /wheels flask\n' },
  ],
  invalid: [
    {
      name: 'seed 000: pip install -r requirements.txt',
      code: 'FROM python:3.6.5-alpine\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n',
      findings: [{ line: 3, message: '/root/.cache/pip', severity: 'warning', fixable: true }],
      output:
        'FROM python:3.6.5-alpine\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\n',
    },
    {
      name: 'known heavy wheels give an estimate',
      code: 'FROM python:3.12-slim\nRUN pip install "numpy>=1.26" pandas[parquet]\n',
      findings: [{ line: 2, minSaving: 30_000_000 }],
      output: 'FROM python:3.12-slim\nRUN pip install --no-cache-dir "numpy>=1.26" pandas[parquet]\n',
    },
    {
      name: 'python -m pip, global option first, a non-root user',
      code: 'FROM python:3.12-slim\nUSER app\nRUN python3 -m pip -q install --user flask\n',
      findings: [{ line: 3, message: '/home/app/.cache/pip' }],
      output: 'FROM python:3.12-slim\nUSER app\nRUN python3 -m pip -q install --no-cache-dir --user flask\n',
    },
    {
      name: 'PIP_NO_CACHE_DIR set empty, cache mount on another path',
      code: '# syntax=docker/dockerfile:1\nFROM python:3.12-slim\nENV PIP_NO_CACHE_DIR=\nRUN --mount=type=cache,target=/tmp/cache pip install flask\n',
      findings: [{ line: 4 }],
      output:
        '# syntax=docker/dockerfile:1\nFROM python:3.12-slim\nENV PIP_NO_CACHE_DIR=\nRUN --mount=type=cache,target=/tmp/cache pip install --no-cache-dir flask\n',
    },
    {
      name: 'heredoc, conditional install and a later cleanup RUN',
      code: [
        '# syntax=docker/dockerfile:1',
        'FROM python:3.12-slim',
        'RUN <<EOF',
        'pip install gunicorn',
        'if [ "$EXTRAS" = 1 ]; then pip install sentry-sdk; fi',
        'EOF',
        'RUN rm -rf /root/.cache/pip',
        '',
      ].join('\n'),
      findings: [{ line: 4 }, { line: 5 }],
      output: [
        '# syntax=docker/dockerfile:1',
        'FROM python:3.12-slim',
        'RUN <<EOF',
        'pip install --no-cache-dir gunicorn',
        'if [ "$EXTRAS" = 1 ]; then pip install --no-cache-dir sentry-sdk; fi',
        'EOF',
        'RUN rm -rf /root/.cache/pip',
        '',
      ].join('\n'),
    },
    {
      name: 'escape directive, continuation with a comment; sh -c has no fix',
      code: [
        '# escape=`',
        'FROM python:3.12',
        'RUN pip install `',
        '    # web framework',
        '    flask && sh -c "pip install gunicorn"',
        '',
      ].join('\n'),
      findings: [
        { line: 3, fixable: true },
        { line: 5, fixable: false },
      ],
      output: [
        '# escape=`',
        'FROM python:3.12',
        'RUN pip install --no-cache-dir `',
        '    # web framework',
        '    flask && sh -c "pip install gunicorn"',
        '',
      ].join('\n'),
    },
    {
      name: 'FROM a stage that installs: those layers ship',
      code: 'FROM python:3.12-slim AS deps\nRUN pip install flask\nFROM deps\nCOPY . /app\n',
      findings: [{ line: 2 }],
      output: 'FROM python:3.12-slim AS deps\nRUN pip install --no-cache-dir flask\nFROM deps\nCOPY . /app\n',
    },
  ],
});

describe('pip-cache with ENV a base image sets', () => {
  beforeAll(() => {
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
  });
  afterAll(() => resetCatalogue());

  it('takes PIP_NO_CACHE_DIR from the config entry of the base, also through FROM <stage>', async () => {
    const code = 'FROM registry.corp/python:3.12 AS base\nFROM base\nRUN pip install flask\n';
    expect(await lintWith(pipCache, { code })).toEqual([]);
  });

  it('still reports on another base', async () => {
    const code = 'FROM python:3.12-slim\nRUN pip install flask\n';
    expect(await lintWith(pipCache, { code })).toHaveLength(1);
  });
});
