// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here are Dockerfile variables
import { useraddWithoutL } from '../../src/rules/layers/useradd-without-l.js';
import { testRule } from '../helpers/rule-tester.js';

testRule(useraddWithoutL, {
  valid: [
    { name: 'with -l', code: 'FROM debian:12-slim\nRUN useradd -l -u 1000000 -m app\n' },
    {
      name: 'with --no-log-init',
      code: 'FROM debian:12-slim\nRUN groupadd -g 99999 app && useradd --no-log-init -u 99999 -g app app\n',
    },
    {
      name: 'combined short options including l',
      code: 'FROM debian:12-slim\nRUN useradd -lmu 200000 app\n',
    },
    {
      name: 'no UID: the next free one (~1000) costs ~300 kB',
      code: 'FROM debian:12-slim\nRUN useradd -m app\n',
    },
    { name: 'small UID', code: 'FROM debian:12-slim\nRUN useradd -u 1001 -m app\n' },
    { name: 'system user', code: 'FROM debian:12-slim\nRUN useradd -r -s /usr/sbin/nologin app\n' },
    {
      name: 'a build stage does not ship its lastlog',
      code: 'FROM debian:12 AS build\nRUN useradd -u 500000 builder\nFROM gcr.io/distroless/static-debian12\nCOPY --from=build /etc/passwd /etc/passwd\n',
    },
    { name: 'alpine adduser writes no lastlog', code: 'FROM alpine:3.20\nRUN adduser -D -u 100000 app\n' },
  ],
  invalid: [
    {
      name: 'large UID: warning with the size, -l inserted',
      code: 'FROM debian:12-slim\nRUN groupadd -g 1000000 app && useradd -u 1000000 -g app -m app\nUSER app\n',
      findings: [
        {
          line: 2,
          message: 'UID 1000000 makes /var/log/lastlog and faillog about 324 MB',
          severity: 'warning',
          fixable: true,
          minSaving: 300_000_000,
        },
      ],
      output:
        'FROM debian:12-slim\nRUN groupadd -g 1000000 app && useradd -l -u 1000000 -g app -m app\nUSER app\n',
    },
    {
      name: 'UID from a build argument: info',
      code: 'FROM python:3.12-slim\nARG UID\nRUN useradd --uid ${UID} --create-home app\n',
      findings: [{ line: 3, message: 'the UID comes from ${UID}', severity: 'info', fixable: true }],
      output: 'FROM python:3.12-slim\nARG UID\nRUN useradd -l --uid ${UID} --create-home app\n',
    },
    {
      name: 'UID from a build argument with a small default: still overridable',
      code: 'FROM node:20-slim\nARG APP_UID=1000\nRUN useradd -u $APP_UID -m appuser\n',
      findings: [{ line: 3, severity: 'info' }],
      output: 'FROM node:20-slim\nARG APP_UID=1000\nRUN useradd -l -u $APP_UID -m appuser\n',
    },
    {
      name: 'UID 10001 (common in hardening guides): info, ~3 MB',
      code: 'FROM debian:12-slim\nRUN useradd -u 10001 -r app\n',
      findings: [{ line: 2, severity: 'info', minSaving: 3_000_000 }],
      output: 'FROM debian:12-slim\nRUN useradd -l -u 10001 -r app\n',
    },
    {
      name: 'full path, sudo, continuation and comment',
      code: 'FROM ubuntu:24.04\nRUN apt-get update \\\n    # add the runtime user\n    && sudo /usr/sbin/useradd -u 70000 svc\n',
      findings: [{ line: 4, severity: 'warning' }],
      output:
        'FROM ubuntu:24.04\nRUN apt-get update \\\n    # add the runtime user\n    && sudo /usr/sbin/useradd -l -u 70000 svc\n',
    },
    {
      name: 'inside sh -c: reported with a hint',
      code: 'FROM debian:12-slim\nRUN sh -c "useradd -u 2000000 app"\n',
      findings: [{ line: 2, fixable: false }],
    },
    {
      name: 'heredoc RUN',
      code: '# syntax=docker/dockerfile:1\nFROM debian:12-slim\nRUN <<EOF\nset -e\nuseradd -u 123456 app\nEOF\n',
      findings: [{ line: 5, fixable: true }],
      output:
        '# syntax=docker/dockerfile:1\nFROM debian:12-slim\nRUN <<EOF\nset -e\nuseradd -l -u 123456 app\nEOF\n',
    },
    {
      name: 'the -u value attached (-u70000)',
      code: 'FROM debian:12-slim\nRUN useradd -mu70000 app\n',
      findings: [{ line: 2, message: 'UID 70000' }],
      output: 'FROM debian:12-slim\nRUN useradd -l -mu70000 app\n',
    },
  ],
});
