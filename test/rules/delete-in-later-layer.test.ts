import { deleteInLaterLayer } from '../../src/rules/layers/delete-in-later-layer.js';
import { testRule } from '../helpers/rule-tester.js';

testRule(deleteInLaterLayer, {
  valid: [
    {
      name: 'download, unpack and delete in one RUN',
      code: [
        'FROM debian:12-slim',
        'RUN wget -q https://nodejs.org/dist/v20.11.0/node-v20.11.0-linux-x64.tar.xz \\',
        '    && tar -xJf node-v20.11.0-linux-x64.tar.xz -C /usr/local --strip-components=1 \\',
        '    && rm node-v20.11.0-linux-x64.tar.xz',
        'CMD ["node"]',
        '',
      ].join('\n'),
    },
    {
      name: 'a builder stage may delete in a later layer: only the final image counts',
      code: [
        'FROM golang:1.22 AS build',
        'WORKDIR /src',
        'RUN curl -fsSLO https://example.com/protoc-25.1-linux-x86_64.zip',
        'RUN unzip protoc-25.1-linux-x86_64.zip -d /usr/local && rm protoc-25.1-linux-x86_64.zip',
        'COPY . .',
        'RUN CGO_ENABLED=0 go build -o /out/app .',
        'FROM gcr.io/distroless/static-debian12',
        'COPY --from=build /out/app /app',
        'ENTRYPOINT ["/app"]',
        '',
      ].join('\n'),
    },
    {
      name: 'downloads into a cache mount never reach a layer',
      code: [
        'FROM python:3.12-slim',
        'RUN --mount=type=cache,target=/var/cache/wheels pip download -d /var/cache/wheels numpy \\',
        '    && wget -P /var/cache/wheels https://example.com/extra-1.0-py3-none-any.whl',
        'RUN rm -rf /var/cache/wheels/extra-1.0-py3-none-any.whl',
        '',
      ].join('\n'),
    },
    {
      name: 'build dependencies installed and purged in the same RUN (apk --virtual)',
      code: [
        'FROM python:3.12-alpine',
        'ENV PIP_NO_CACHE_DIR=1',
        'COPY requirements.txt /tmp/requirements.txt',
        'RUN apk add --no-cache --virtual .build-deps gcc musl-dev \\',
        '    && pip install -r /tmp/requirements.txt \\',
        '    && apk del .build-deps',
        '',
      ].join('\n'),
    },
    {
      name: 'deleting files of the base image is not this rule',
      code: 'FROM ubuntu:24.04\nRUN rm -rf /usr/share/doc/* /usr/share/man/*\n',
    },
    {
      name: 'a path under COPY . is only attributed to it when the context confirms it',
      code: 'FROM node:20-slim\nWORKDIR /app\nCOPY . .\nRUN rm -rf /app/test\n',
    },
    {
      name: 'the context shows .dockerignore already excluded it',
      code: 'FROM node:20-slim\nWORKDIR /app\nCOPY . .\nRUN rm -rf /app/test\n',
      context: {
        '.dockerignore': 'test\n',
        'package.json': '{}',
        'index.js': '',
        'test/a.test.js': { size: 5000 },
      },
    },
    {
      name: 'heredoc RUN that creates and deletes',
      code: [
        '# syntax=docker/dockerfile:1',
        'FROM debian:12-slim',
        'RUN <<EOF',
        'set -e',
        'curl -fsSLo /tmp/tool.tgz https://example.com/tool.tgz',
        'tar -xzf /tmp/tool.tgz -C /usr/local/bin',
        'rm /tmp/tool.tgz',
        'EOF',
        '',
      ].join('\n'),
    },
    {
      name: 'npm ci and npm prune in one RUN',
      code: 'FROM node:20-slim\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci && npm run build && npm prune --omit=dev\n',
    },
    {
      name: 'a deletion whose path is a variable is not guessed',
      code: 'FROM debian:12-slim\nRUN curl -fsSLo /tmp/a.tgz https://example.com/a.tgz\nRUN rm -f "$TMPDIR/a.tgz"\n',
    },
    {
      name: 'a temporary directory made and removed in the same RUN',
      code: 'FROM debian:12-slim\nRUN mkdir -p /tmp/build && cd /tmp/build && cmake /src && make install && rm -rf /tmp/build\nRUN rm -rf /tmp/*\n',
    },
  ],
  invalid: [
    {
      name: 'download in one RUN, delete in the next (comment kept, RUNs merged)',
      code: [
        'FROM debian:12-slim',
        'WORKDIR /opt',
        'RUN wget -q https://nodejs.org/dist/v20.11.0/node-v20.11.0-linux-x64.tar.xz \\',
        '    && tar -xJf node-v20.11.0-linux-x64.tar.xz',
        '# unpacked: clean up',
        'RUN rm -f node-v20.11.0-linux-x64.tar.xz',
        '',
      ].join('\n'),
      findings: [{ line: 6, message: 'downloaded by wget at line 3', severity: 'warning', fixable: true }],
      output: [
        'FROM debian:12-slim',
        'WORKDIR /opt',
        'RUN wget -q https://nodejs.org/dist/v20.11.0/node-v20.11.0-linux-x64.tar.xz \\',
        '    && tar -xJf node-v20.11.0-linux-x64.tar.xz && \\',
        '# unpacked: clean up',
        '    rm -f node-v20.11.0-linux-x64.tar.xz',
        '',
      ].join('\n'),
    },
    {
      name: 'packages installed earlier and purged later (a COPY in between: no merge)',
      code: [
        'FROM debian:12-slim',
        'RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/*',
        'COPY src/ /src/',
        'RUN make -C /src',
        'RUN apt-get purge -y --auto-remove gcc libc6-dev',
        '',
      ].join('\n'),
      findings: [
        { line: 5, message: 'package gcc (and 1 more), installed by apt-get at line 2', fixable: false },
      ],
    },
    {
      name: 'apk --virtual group deleted in the next RUN: merged',
      code: [
        'FROM python:3.12-alpine',
        'RUN apk add --no-cache --virtual .build-deps gcc musl-dev && pip install --no-cache-dir uwsgi',
        'RUN apk del .build-deps',
        '',
      ].join('\n'),
      findings: [{ line: 3, message: 'package .build-deps', fixable: true }],
      output: [
        'FROM python:3.12-alpine',
        'RUN apk add --no-cache --virtual .build-deps gcc musl-dev && pip install --no-cache-dir uwsgi && \\',
        '    apk del .build-deps',
        '',
      ].join('\n'),
    },
    {
      name: 'a file copied from the context and deleted later: measured',
      code: 'FROM debian:12-slim\nCOPY vendor.tar.gz /tmp/\nRUN tar -xzf /tmp/vendor.tar.gz -C /opt && rm /tmp/vendor.tar.gz\n',
      context: { 'vendor.tar.gz': { size: 3_000_000 }, Dockerfile: '' },
      findings: [{ line: 3, message: 'copied by COPY at line 2', severity: 'warning', minSaving: 3_000_000 }],
    },
    {
      name: 'part of COPY . deleted later, confirmed by the context',
      code: 'FROM node:20-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci --omit=dev && rm -rf /app/docs\n',
      context: { 'package.json': '{}', 'docs/manual.pdf': { size: 2_000_000 }, 'index.js': 'x' },
      findings: [{ line: 4, message: '/app/docs (2.00 MB)', minSaving: 2_000_000 }],
    },
    {
      name: 'a small copied file deleted later is info',
      code: 'FROM python:3.12-slim\nCOPY requirements.txt /tmp/\nRUN pip install --no-cache-dir -r /tmp/requirements.txt\nRUN rm /tmp/requirements.txt\n',
      context: { 'requirements.txt': 'flask==3.0.0\n' },
      findings: [{ line: 4, severity: 'info' }],
    },
    {
      name: 'deletion inside sh -c',
      code: 'FROM debian:12-slim\nRUN curl -fsSL -o /tmp/go.tgz https://go.dev/dl/go1.22.0.linux-amd64.tar.gz && tar -C /usr/local -xzf /tmp/go.tgz\nRUN sh -c "rm -f /tmp/go.tgz"\n',
      findings: [{ line: 3, message: '/tmp/go.tgz' }],
      output:
        'FROM debian:12-slim\nRUN curl -fsSL -o /tmp/go.tgz https://go.dev/dl/go1.22.0.linux-amd64.tar.gz && tar -C /usr/local -xzf /tmp/go.tgz && \\\n    sh -c "rm -f /tmp/go.tgz"\n',
    },
    {
      name: 'heredoc deletion: reported, not merged',
      code: [
        '# syntax=docker/dockerfile:1',
        'FROM debian:12-slim',
        'RUN curl -fsSLO https://example.com/tool.tgz',
        'RUN <<EOF',
        'tar -xzf tool.tgz -C /usr/local/bin',
        'rm tool.tgz',
        'EOF',
        '',
      ].join('\n'),
      findings: [{ line: 6, message: 'downloaded by curl at line 3', fixable: false }],
    },
    {
      name: 'the final stage builds FROM a stage that downloaded the file',
      code: 'FROM debian:12-slim AS base\nRUN wget -P /opt https://example.com/jdk.tar.gz && tar -xzf /opt/jdk.tar.gz -C /opt\nFROM base\nRUN rm /opt/jdk.tar.gz\n',
      findings: [{ line: 4, message: 'line 2' }],
    },
    {
      name: 'conditional deletion still runs in a later layer',
      code: 'FROM debian:12-slim\nRUN git clone --depth 1 https://github.com/acme/tool.git /opt/tool\nRUN if [ -d /opt/tool/.git ]; then rm -rf /opt/tool/.git; fi\n',
      findings: [{ line: 3, message: 'cloned by git at line 2' }],
      output:
        'FROM debian:12-slim\nRUN git clone --depth 1 https://github.com/acme/tool.git /opt/tool && \\\n    if [ -d /opt/tool/.git ]; then rm -rf /opt/tool/.git; fi\n',
    },
    {
      name: 'pip uninstall of a package an earlier RUN installed',
      code: 'FROM python:3.12-slim\nENV PIP_NO_CACHE_DIR=1\nRUN pip install cython setuptools\nCOPY . /app\nRUN pip install /app\nRUN pip uninstall -y Cython\n',
      findings: [{ line: 6, message: 'package cython' }],
    },
    {
      name: 'npm prune after npm ci in an earlier RUN',
      code: 'FROM node:20-slim\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\nRUN npm prune --omit=dev\n',
      findings: [{ line: 7, message: 'node_modules (devDependencies)' }],
    },
    {
      name: 'escape directive: the merge uses the backtick continuation',
      code: '# escape=`\nFROM debian:12-slim\nRUN curl -fsSLo /tmp/x.deb https://example.com/x.deb && dpkg -i /tmp/x.deb\nRUN rm /tmp/x.deb\n',
      findings: [{ line: 4, fixable: true }],
      output:
        '# escape=`\nFROM debian:12-slim\nRUN curl -fsSLo /tmp/x.deb https://example.com/x.deb && dpkg -i /tmp/x.deb && `\n    rm /tmp/x.deb\n',
    },
    {
      name: 'different mounts: reported but not merged',
      code: 'FROM debian:12-slim\nRUN --network=none wget -O /tmp/a.tgz https://example.com/a.tgz\nRUN rm /tmp/a.tgz\n',
      findings: [{ line: 3, fixable: false }],
    },
    {
      name: 'a cd in the creating RUN blocks the merge',
      code: 'FROM debian:12-slim\nRUN cd /tmp && wget https://example.com/a.tgz && tar xzf a.tgz\nRUN rm /tmp/a.tgz\n',
      findings: [{ line: 3, message: 'downloaded by wget at line 2', fixable: false }],
    },
  ],
});
