import { aptCacheNotCleaned } from '../../src/rules/packages/apt-cache-not-cleaned.js';
import { testRule } from '../helpers/rule-tester.js';

testRule(aptCacheNotCleaned, {
  valid: [
    'FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl && apt-get clean && rm -rf /var/lib/apt/lists/*\n',
    {
      name: 'archives removed with rm',
      code: 'FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb\n',
    },
    {
      name: '`apt install` deletes downloaded packages itself',
      code: 'FROM ubuntu:22.04\nRUN apt update && apt install -y curl && rm -rf /var/lib/apt/lists/*\n',
    },
    {
      name: 'archives on a cache mount',
      code: [
        '# syntax=docker/dockerfile:1',
        'FROM debian:12',
        'RUN rm -f /etc/apt/apt.conf.d/docker-clean',
        'RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\',
        '    --mount=type=cache,target=/var/lib/apt,sharing=locked \\',
        '    apt-get update && apt-get install -y --no-install-recommends gcc',
        '',
      ].join('\n'),
    },
    {
      name: 'builder stage',
      code: 'FROM debian:12 AS build\nRUN apt-get update && apt-get install -y gcc\nFROM scratch\nCOPY --from=build /bin/true /true\n',
    },
    {
      name: 'heredoc with apt-get clean at the end',
      code: [
        '# syntax=docker/dockerfile:1',
        'FROM debian:12',
        'RUN <<EOF',
        'apt-get update',
        'apt-get install -y --no-install-recommends curl',
        'apt-get clean',
        'EOF',
        '',
      ].join('\n'),
    },
  ],
  invalid: [
    {
      name: 'official base: info, docker-clean mentioned',
      code: 'FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n',
      findings: [{ line: 2, message: 'docker-clean', severity: 'info', fixable: true }],
      output:
        'FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl && apt-get clean && rm -rf /var/lib/apt/lists/*\n',
    },
    {
      name: 'docker-clean removed earlier: warning',
      code: [
        'FROM ubuntu:24.04',
        'RUN rm -f /etc/apt/apt.conf.d/docker-clean',
        'RUN apt-get update && apt-get install -y --no-install-recommends nginx && rm -rf /var/lib/apt/lists/*',
        '',
      ].join('\n'),
      findings: [{ line: 3, message: 'disabled at line 2', severity: 'warning' }],
    },
    {
      name: 'Keep-Downloaded-Packages set: warning',
      code: [
        'FROM debian:12',
        `RUN echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' > /etc/apt/apt.conf.d/keep-cache`,
        'RUN apt-get update && apt-get install -y --no-install-recommends nginx && rm -rf /var/lib/apt/lists/*',
        '',
      ].join('\n'),
      findings: [{ line: 3, severity: 'warning' }],
    },
    {
      name: 'clean before the install does not count',
      code: 'FROM debian:12\nRUN apt-get clean && apt-get update && apt-get install -y --no-install-recommends curl\n',
      findings: [{ line: 2 }],
      output:
        'FROM debian:12\nRUN apt-get clean && apt-get update && apt-get install -y --no-install-recommends curl && apt-get clean\n',
    },
    {
      name: 'heredoc: a line is added',
      code: [
        '# syntax=docker/dockerfile:1',
        'FROM debian:12',
        'RUN <<EOF',
        'apt-get update',
        'apt-get install -y --no-install-recommends curl',
        'EOF',
        '',
      ].join('\n'),
      findings: [{ line: 5 }],
      output: [
        '# syntax=docker/dockerfile:1',
        'FROM debian:12',
        'RUN <<EOF',
        'apt-get update',
        'apt-get install -y --no-install-recommends curl',
        'apt-get clean',
        'EOF',
        '',
      ].join('\n'),
    },
    {
      name: 'sh -c string',
      code: 'FROM debian:12\nRUN bash -c "apt-get update && apt-get install -y --no-install-recommends curl"\n',
      findings: [{ line: 2 }],
      output:
        'FROM debian:12\nRUN bash -c "apt-get update && apt-get install -y --no-install-recommends curl" && apt-get clean\n',
    },
  ],
});
