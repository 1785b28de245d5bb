import { aptListsNotRemoved } from '../../src/rules/packages/apt-lists-not-removed.js';
import { testRule } from '../helpers/rule-tester.js';

testRule(aptListsNotRemoved, {
  valid: [
    {
      name: 'the list files removed by a glob (the Phoenix template: every list file has an underscore)',
      code: 'FROM debian:bookworm-slim\nRUN apt-get update -y && apt-get install -y --no-install-recommends openssl && apt-get clean && rm -f /var/lib/apt/lists/*_*\n',
    },
    {
      name: 'seed 003: update, install and cleanup in one RUN',
      code: 'FROM python:3.12-slim\nRUN apt update -y && apt install -y curl && rm -rf /var/lib/apt/lists/*\n',
    },
    {
      name: 'builder stage: its lists never reach the final image',
      code: [
        'FROM golang:1.22 AS build',
        'RUN apt-get update && apt-get install -y --no-install-recommends libsqlite3-dev',
        'RUN CGO_ENABLED=0 go build -o /app .',
        'FROM gcr.io/distroless/static-debian12',
        'COPY --from=build /app /app',
        'ENTRYPOINT ["/app"]',
        '',
      ].join('\n'),
    },
    {
      name: 'lists on a cache mount',
      code: [
        '# syntax=docker/dockerfile:1',
        'FROM debian:bookworm-slim',
        'RUN --mount=type=cache,target=/var/lib/apt/lists,sharing=locked \\',
        '    --mount=type=cache,target=/var/cache/apt,sharing=locked \\',
        '    apt-get update && apt-get install -y --no-install-recommends ca-certificates',
        '',
      ].join('\n'),
    },
    {
      name: 'heredoc with the cleanup on its own line',
      code: [
        '# syntax=docker/dockerfile:1',
        'FROM ubuntu:24.04',
        'RUN <<EOF',
        'set -eux',
        'apt-get update',
        'apt-get install -y --no-install-recommends tzdata',
        'rm -rf /var/lib/apt/lists/*',
        'EOF',
        '',
      ].join('\n'),
    },
    {
      name: 'sh -c string with the cleanup inside',
      code: 'FROM debian:12\nRUN sh -c "apt-get update && apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists"\n',
    },
    {
      name: 'install only (lists came from elsewhere): reported by apt-update-alone, not here',
      code: 'FROM debian:12\nRUN apt-get update\nRUN apt-get install -y --no-install-recommends curl\n',
    },
    {
      name: 'brace pattern of seed 001 covers the lists',
      code: 'FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y curl && apt-get clean && rm -rf /var/lib/{apt,dpkg,cache,log}/\n',
    },
    {
      name: 'continuation lines with comments and find -delete',
      code: [
        'FROM debian:bookworm',
        'RUN apt-get update \\',
        '    # runtime libraries only',
        '    && apt-get install -y --no-install-recommends libpq5 \\',
        '    && find /var/lib/apt/lists -type f -delete',
        '',
      ].join('\n'),
    },
  ],
  invalid: [
    {
      name: 'seed 001: cleanup in a later RUN saves nothing',
      code: [
        'FROM ubuntu:latest',
        'RUN apt-get update -y && apt-get install -y curl',
        'RUN apt-get clean autoclean && \\',
        '  apt-get autoremove --yes && \\',
        '  rm -rf /var/lib/{apt,dpkg,cache,log}/',
        '',
      ].join('\n'),
      findings: [
        {
          line: 2,
          message: 'the rm at line 3 runs in a later layer',
          severity: 'warning',
          minSaving: 40_000_000,
        },
      ],
      output: [
        'FROM ubuntu:latest',
        'RUN apt-get update -y && apt-get install -y curl && rm -rf /var/lib/apt/lists/*',
        'RUN apt-get clean autoclean && \\',
        '  apt-get autoremove --yes && \\',
        '  rm -rf /var/lib/{apt,dpkg,cache,log}/',
        '',
      ].join('\n'),
    },
    {
      name: 'debian: ~20 MB, fix after the last apt command, keeping continuations and comments',
      code: [
        'FROM debian:bookworm-slim',
        'RUN apt-get update \\',
        '    # the only runtime dependency',
        '    && apt-get install -y --no-install-recommends libpq5 \\',
        '    && echo done',
        '',
      ].join('\n'),
      findings: [{ line: 2, minSaving: 20_000_000, fixable: true }],
      output: [
        'FROM debian:bookworm-slim',
        'RUN apt-get update \\',
        '    # the only runtime dependency',
        '    && apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/* \\',
        '    && echo done',
        '',
      ].join('\n'),
    },
    {
      name: 'heredoc: the fix adds a line',
      code: [
        '# syntax=docker/dockerfile:1',
        'FROM debian:12-slim',
        'RUN <<EOF',
        'set -e',
        'apt-get update',
        '  apt-get install -y --no-install-recommends \\',
        '      ca-certificates',
        'echo ok',
        'EOF',
        '',
      ].join('\n'),
      findings: [{ line: 5 }],
      output: [
        '# syntax=docker/dockerfile:1',
        'FROM debian:12-slim',
        'RUN <<EOF',
        'set -e',
        'apt-get update',
        '  apt-get install -y --no-install-recommends \\',
        '      ca-certificates',
        '  rm -rf /var/lib/apt/lists/*',
        'echo ok',
        'EOF',
        '',
      ].join('\n'),
    },
    {
      name: 'install inside an if: the cleanup goes at the end of the RUN',
      code: 'FROM debian:12\nRUN apt-get update && if [ -n "$EXTRA" ]; then apt-get install -y --no-install-recommends "$EXTRA"; fi\n',
      findings: [{ line: 2 }],
      output:
        'FROM debian:12\nRUN apt-get update && if [ -n "$EXTRA" ]; then apt-get install -y --no-install-recommends "$EXTRA"; fi && rm -rf /var/lib/apt/lists/*\n',
    },
    {
      name: 'sh -c string: cleanup appended after it',
      code: 'FROM ubuntu:22.04\nRUN sh -c "apt-get update && apt-get install -y --no-install-recommends git"\n',
      findings: [{ line: 2, minSaving: 45_000_000 }],
      output:
        'FROM ubuntu:22.04\nRUN sh -c "apt-get update && apt-get install -y --no-install-recommends git" && rm -rf /var/lib/apt/lists/*\n',
    },
    {
      name: 'FROM an earlier stage: its layers are in the final image',
      code: [
        'FROM python:3.12-slim AS base',
        'RUN apt-get update && apt-get install -y --no-install-recommends libxml2',
        'FROM base',
        'COPY app.py /app.py',
        '',
      ].join('\n'),
      findings: [{ line: 2 }],
      output: [
        'FROM python:3.12-slim AS base',
        'RUN apt-get update && apt-get install -y --no-install-recommends libxml2 && rm -rf /var/lib/apt/lists/*',
        'FROM base',
        'COPY app.py /app.py',
        '',
      ].join('\n'),
    },
    {
      name: 'escape directive and sudo',
      code: [
        '# escape=`',
        'FROM ubuntu:24.04',
        'RUN sudo apt-get update && `',
        '    sudo apt-get install -y --no-install-recommends jq',
        '',
      ].join('\n'),
      findings: [{ line: 3 }],
      output: [
        '# escape=`',
        'FROM ubuntu:24.04',
        'RUN sudo apt-get update && `',
        '    sudo apt-get install -y --no-install-recommends jq && rm -rf /var/lib/apt/lists/*',
        '',
      ].join('\n'),
    },
    {
      name: 'cache mount on another directory does not help',
      code: 'FROM debian:12\nRUN --mount=type=cache,target=/var/cache/apt apt-get update && apt-get install -y --no-install-recommends curl\n',
      findings: [{ line: 2 }],
      output:
        'FROM debian:12\nRUN --mount=type=cache,target=/var/cache/apt apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n',
    },
  ],
});
