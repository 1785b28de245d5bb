import { consecutiveRuns } from '../../src/rules/layers/consecutive-runs.js';
import { testRule } from '../helpers/rule-tester.js';

testRule(consecutiveRuns, {
  valid: [
    {
      name: 'two RUNs split for the build cache are left alone',
      code: 'FROM node:20-slim\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci --omit=dev\nCOPY . .\nRUN npm run build\n',
    },
    {
      name: 'RUNs separated by COPY are not consecutive',
      code: 'FROM debian:12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\nCOPY a /a\nRUN /a/setup\nCOPY b /b\nRUN /b/setup\n',
    },
    {
      name: 'a builder stage may have many layers: only the final image counts',
      code: [
        'FROM golang:1.22 AS build',
        'RUN go env -w GOPROXY=https://proxy.golang.org',
        'RUN go install github.com/a/b@v1.0.0',
        'RUN go install github.com/c/d@v1.0.0',
        'FROM gcr.io/distroless/static-debian12',
        'COPY --from=build /go/bin/b /b',
        '',
      ].join('\n'),
    },
    {
      name: 'different --mount flags must not be merged',
      code: [
        'FROM python:3.12-slim',
        'RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt',
        'RUN --mount=type=secret,id=netrc,target=/root/.netrc pip install private-pkg',
        'RUN --mount=type=cache,target=/root/.cache/pip pip install gunicorn',
        '',
      ].join('\n'),
    },
    {
      name: 'a heredoc RUN breaks the run of RUNs',
      code: '# syntax=docker/dockerfile:1\nFROM debian:12-slim\nRUN echo a > /a\nRUN <<EOF\necho b > /b\nEOF\nRUN echo c > /c\n',
    },
    {
      name: 'exec-form RUN breaks the run of RUNs',
      code: 'FROM debian:12-slim\nRUN echo a\nRUN ["/bin/setup", "--fast"]\nRUN echo c\n',
    },
    {
      name: 'a cleanup of what an earlier RUN made belongs to delete-in-later-layer',
      code: 'FROM debian:12-slim\nRUN wget -O /tmp/a.tgz https://example.com/a.tgz\nRUN tar -xzf /tmp/a.tgz -C /opt\nRUN rm /tmp/a.tgz\n',
    },
  ],
  invalid: [
    {
      name: 'seed 003: three echo RUNs, comments kept',
      code: [
        'FROM debian:12-slim',
        'RUN echo 1 # this is dummy command',
        'RUN echo 2 # this is dummy command',
        'RUN echo 3 # this is dummy command',
        '',
      ].join('\n'),
      findings: [
        { line: 2, message: '3 consecutive RUN instructions (lines 2-4)', severity: 'info', fixable: true },
      ],
      output: [
        'FROM debian:12-slim',
        'RUN echo 1 && \\',
        '    # this is dummy command',
        '    echo 2 && \\',
        '    # this is dummy command',
        '    echo 3 # this is dummy command',
        '',
      ].join('\n'),
    },
    {
      name: 'continuations, comment lines and blank lines between RUNs',
      code: [
        'FROM python:3.12-slim',
        'ENV PIP_NO_CACHE_DIR=1',
        'RUN apt-get update \\',
        '  && apt-get install -y --no-install-recommends libpq5 \\',
        '  && rm -rf /var/lib/apt/lists/*',
        '',
        '# python dependencies',
        'RUN pip install "psycopg[binary]==3.1.18"',
        'RUN useradd -r app',
        'USER app',
        '',
      ].join('\n'),
      findings: [{ line: 3, fixable: true }],
      output: [
        'FROM python:3.12-slim',
        'ENV PIP_NO_CACHE_DIR=1',
        'RUN apt-get update \\',
        '  && apt-get install -y --no-install-recommends libpq5 \\',
        '  && rm -rf /var/lib/apt/lists/* && \\',
        '# python dependencies',
        '  pip install "psycopg[binary]==3.1.18" && \\',
        '  useradd -r app',
        'USER app',
        '',
      ].join('\n'),
    },
    {
      name: 'same cache mount on every RUN: merged, the mount kept once',
      code: [
        'FROM python:3.12-slim',
        'RUN --mount=type=cache,target=/root/.cache/pip pip install -r /tmp/requirements.txt',
        'RUN --mount=type=cache,target=/root/.cache/pip pip install gunicorn',
        'RUN --mount=type=cache,target=/root/.cache/pip pip install uvicorn',
        '',
      ].join('\n'),
      findings: [{ line: 2, fixable: true }],
      output: [
        'FROM python:3.12-slim',
        'RUN --mount=type=cache,target=/root/.cache/pip pip install -r /tmp/requirements.txt && \\',
        '    pip install gunicorn && \\',
        '    pip install uvicorn',
        '',
      ].join('\n'),
    },
    {
      name: 'a cd would leak into the next command: reported without a fix',
      code: 'FROM debian:12-slim\nRUN cd /opt && ./configure\nRUN make -C /opt\nRUN make -C /opt install\n',
      findings: [{ line: 2, fixable: false }],
    },
    {
      name: 'a || in a later RUN would hide an earlier failure: no fix',
      code: 'FROM debian:12-slim\nRUN apt-get update\nRUN apt-get install -y curl\nRUN curl --version || true\n',
      findings: [{ line: 2, fixable: false }],
    },
    {
      name: 'sh -c and conditionals inside the RUNs are fine',
      code: [
        'FROM alpine:3.20',
        'RUN sh -c "echo one > /one"',
        'RUN if [ -f /one ]; then echo yes; fi',
        'RUN adduser -D app',
        '',
      ].join('\n'),
      findings: [{ line: 2, fixable: true }],
      output: [
        'FROM alpine:3.20',
        'RUN sh -c "echo one > /one" && \\',
        '    if [ -f /one ]; then echo yes; fi && \\',
        '    adduser -D app',
        '',
      ].join('\n'),
    },
    {
      name: 'escape directive: backtick continuations',
      code: '# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN mkdir C:\\app\nRUN mkdir C:\\data\nRUN mkdir C:\\logs\n',
      findings: [{ line: 3, fixable: true }],
      output:
        '# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN mkdir C:\\app && `\n    mkdir C:\\data && `\n    mkdir C:\\logs\n',
    },
    {
      name: 'SHELL switched to PowerShell: no && merge',
      code: '# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL ["powershell", "-Command"]\nRUN New-Item -ItemType Directory C:\\app\nRUN New-Item -ItemType Directory C:\\data\nRUN New-Item -ItemType Directory C:\\logs\n',
      findings: [{ line: 4, fixable: false }],
    },
    {
      name: 'the final stage FROM a base stage: each stage is its own group',
      code: 'FROM debian:12-slim AS base\nRUN echo a\nRUN echo b\nRUN echo c\nFROM base\nRUN echo d\n',
      findings: [{ line: 2, fixable: true }],
      output:
        'FROM debian:12-slim AS base\nRUN echo a && \\\n    echo b && \\\n    echo c\nFROM base\nRUN echo d\n',
    },
  ],
});
