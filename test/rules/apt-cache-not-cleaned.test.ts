import { aptCacheNotCleaned } from '../../src/rules/packages/apt-cache-not-cleaned.js';
import { testRule } from '../helpers/rule-tester.js';

const HOOK_OFF = 'RUN rm -f /etc/apt/apt.conf.d/docker-clean';

testRule(aptCacheNotCleaned, {
  valid: [
    {
      name: 'official Debian base: its docker-clean hook deletes the archives',
      code: 'FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n',
    },
    {
      name: 'an image built on Ubuntu (python, nvidia/cuda…): the hook is inherited',
      code: 'FROM nvidia/cuda:12.1.1-runtime-ubuntu22.04\nRUN apt-get update && apt-get install -y python3 && rm -rf /var/lib/apt/lists/*\n',
    },
    {
      name: 'a base pare does not know: most are built on the official images, nothing is known to be left',
      code: 'FROM registry.corp/base/debian-hardened:12\nRUN apt-get update && apt-get install -y libxml2\n',
    },
    {
      name: 'hook off, apt-get clean after the install',
      code: `FROM debian:12\n${HOOK_OFF}\nRUN apt-get update && apt-get install -y --no-install-recommends curl && apt-get clean && rm -rf /var/lib/apt/lists/*\n`,
    },
    {
      name: 'hook off, archives removed with rm',
      code: `FROM ubuntu:22.04\n${HOOK_OFF}\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb\n`,
    },
    {
      name: 'hook off, `apt install` deletes downloaded packages itself',
      code: `FROM ubuntu:22.04\n${HOOK_OFF}\nRUN apt update && apt install -y curl && rm -rf /var/lib/apt/lists/*\n`,
    },
    {
      name: 'hook off, but a local .deb downloads nothing',
      code: `FROM ubuntu:24.04\n${HOOK_OFF}\nCOPY agent.deb /tmp/\nRUN apt-get install -y /tmp/agent.deb ./other.deb\n`,
    },
    {
      name: 'hook off for a cache mount on the archives (the BuildKit recipe)',
      code: [
        '# syntax=docker/dockerfile:1',
        'FROM debian:12',
        HOOK_OFF,
        'RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\',
        '    --mount=type=cache,target=/var/lib/apt,sharing=locked \\',
        '    apt-get update && apt-get install -y --no-install-recommends gcc',
        '',
      ].join('\n'),
    },
    {
      name: 'hook off in a builder stage',
      code: `FROM debian:12 AS build\n${HOOK_OFF}\nRUN apt-get update && apt-get install -y gcc\nFROM scratch\nCOPY --from=build /bin/true /true\n`,
    },
    {
      name: 'hook off, heredoc with apt-get clean at the end',
      code: [
        '# syntax=docker/dockerfile:1',
        'FROM debian:12',
        'RUN <<EOF',
        'rm -f /etc/apt/apt.conf.d/docker-clean',
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
      name: 'docker-clean removed earlier',
      code: [
        'FROM ubuntu:24.04',
        HOOK_OFF,
        'RUN apt-get update && apt-get install -y --no-install-recommends nginx && rm -rf /var/lib/apt/lists/*',
        '',
      ].join('\n'),
      findings: [{ line: 3, message: 'off since line 2', severity: 'warning', fixable: true }],
      output: [
        'FROM ubuntu:24.04',
        HOOK_OFF,
        'RUN apt-get update && apt-get install -y --no-install-recommends nginx && apt-get clean && rm -rf /var/lib/apt/lists/*',
        '',
      ].join('\n'),
    },
    {
      name: 'Keep-Downloaded-Packages set, in a stage the final one is built FROM',
      code: [
        'FROM debian:12 AS base',
        `RUN echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' > /etc/apt/apt.conf.d/keep-cache`,
        'FROM base',
        'RUN apt-get update && apt-get install -y --no-install-recommends nginx && rm -rf /var/lib/apt/lists/*',
        '',
      ].join('\n'),
      findings: [{ line: 4, severity: 'warning' }],
      output: [
        'FROM debian:12 AS base',
        `RUN echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' > /etc/apt/apt.conf.d/keep-cache`,
        'FROM base',
        'RUN apt-get update && apt-get install -y --no-install-recommends nginx && apt-get clean && rm -rf /var/lib/apt/lists/*',
        '',
      ].join('\n'),
    },
    {
      name: 'apt-get upgrade downloads too',
      code: `FROM debian:12\n${HOOK_OFF}\nRUN apt-get update && apt-get upgrade -y && rm -rf /var/lib/apt/lists/*\n`,
      findings: [{ line: 3, message: 'apt-get upgrade' }],
      output: `FROM debian:12\n${HOOK_OFF}\nRUN apt-get update && apt-get upgrade -y && apt-get clean && rm -rf /var/lib/apt/lists/*\n`,
    },
    {
      name: 'clean before the install does not count',
      code: `FROM debian:12\n${HOOK_OFF}\nRUN apt-get clean && apt-get update && apt-get install -y --no-install-recommends curl\n`,
      findings: [{ line: 3 }],
      output: `FROM debian:12\n${HOOK_OFF}\nRUN apt-get clean && apt-get update && apt-get install -y --no-install-recommends curl && apt-get clean\n`,
    },
    {
      name: 'heredoc: a line is added',
      code: [
        '# syntax=docker/dockerfile:1',
        'FROM debian:12',
        'RUN <<EOF',
        'rm -f /etc/apt/apt.conf.d/docker-clean',
        'apt-get update',
        'apt-get install -y --no-install-recommends curl',
        'EOF',
        '',
      ].join('\n'),
      findings: [{ line: 6 }],
      output: [
        '# syntax=docker/dockerfile:1',
        'FROM debian:12',
        'RUN <<EOF',
        'rm -f /etc/apt/apt.conf.d/docker-clean',
        'apt-get update',
        'apt-get install -y --no-install-recommends curl',
        'apt-get clean',
        'EOF',
        '',
      ].join('\n'),
    },
    {
      name: 'sh -c string',
      code: `FROM debian:12\n${HOOK_OFF}\nRUN bash -c "apt-get update && apt-get install -y --no-install-recommends curl"\n`,
      findings: [{ line: 3 }],
      output: `FROM debian:12\n${HOOK_OFF}\nRUN bash -c "apt-get update && apt-get install -y --no-install-recommends curl" && apt-get clean\n`,
    },
  ],
});
