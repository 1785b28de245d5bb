import { aptUpdateAlone } from '../../src/rules/packages/apt-update-alone.js';
import { testRule } from '../helpers/rule-tester.js';

testRule(aptUpdateAlone, {
  valid: [
    'FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n',
    {
      name: 'update then upgrade',
      code: 'FROM debian:12\nRUN apt-get update && apt-get upgrade -y && rm -rf /var/lib/apt/lists/*\n',
    },
    {
      name: 'a script may install: not reported',
      code: 'FROM debian:12\nCOPY install-deps.sh /tmp/\nRUN apt-get update && /tmp/install-deps.sh\n',
    },
    {
      name: 'xargs apt-get install reads a list',
      code: 'FROM debian:12\nCOPY packages.txt /tmp/\nRUN apt-get update && xargs apt-get install -y < /tmp/packages.txt\n',
    },
    {
      name: 'heredoc with the install',
      code: [
        '# syntax=docker/dockerfile:1',
        'FROM debian:12',
        'RUN <<EOF',
        'apt-get update',
        'apt-get install -y curl',
        'EOF',
        '',
      ].join('\n'),
    },
    {
      name: 'lists on a cache mount',
      code: 'FROM debian:12\nRUN --mount=type=cache,target=/var/lib/apt apt-get update\nRUN --mount=type=cache,target=/var/lib/apt apt-get install -y curl\n',
    },
    {
      name: 'install inside sh -c counts',
      code: 'FROM debian:12\nRUN apt-get update && sh -c "apt-get install -y curl"\n',
    },
  ],
  invalid: [
    {
      name: 'separate update and install RUNs in the final stage',
      code: 'FROM ubuntu:22.04\nRUN apt-get update\nRUN apt-get install -y --no-install-recommends curl\n',
      findings: [
        {
          line: 2,
          message: 'merge it into the install at line 3',
          severity: 'warning',
          minSaving: 40_000_000,
          fixable: true,
        },
      ],
      output: 'FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n',
    },
    {
      name: 'the update moves to the install across other instructions, before the install command itself',
      code: [
        'FROM ubuntu:22.04',
        'RUN apt-get -qq update',
        'COPY sources.list /etc/apt/',
        'RUN set -eux; \\',
        '    apt-get install -y --no-install-recommends nginx; \\',
        '    rm -rf /var/lib/apt/lists/*',
        '',
      ].join('\n'),
      findings: [{ line: 2, fixable: true }],
      output: [
        'FROM ubuntu:22.04',
        'COPY sources.list /etc/apt/',
        'RUN set -eux; \\',
        '    apt-get -qq update && apt-get install -y --no-install-recommends nginx; \\',
        '    rm -rf /var/lib/apt/lists/*',
        '',
      ].join('\n'),
    },
    {
      name: 'builder stage: stale cache still matters, no size',
      code: 'FROM debian:12 AS build\nRUN apt-get update -qq\nRUN apt-get install -y gcc\nFROM scratch\nCOPY --from=build /x /x\n',
      findings: [{ line: 2, message: 'stale index' }],
      output:
        'FROM debian:12 AS build\nRUN apt-get update -qq && apt-get install -y gcc\nFROM scratch\nCOPY --from=build /x /x\n',
    },
    {
      name: 'update with only harmless commands',
      code: 'FROM debian:12\nRUN set -eux; apt-get update; apt-get clean; echo done\n',
      findings: [{ line: 2, message: 'run it in the same RUN as the install', fixable: false }],
    },
    {
      name: '`apt update` and sudo',
      code: 'FROM ubuntu:24.04\nRUN sudo apt update -y\n',
      findings: [{ line: 2, message: '`apt update`' }],
    },
    {
      name: 'heredoc with only the update',
      code: [
        '# syntax=docker/dockerfile:1',
        'FROM debian:12',
        'RUN <<EOF',
        'set -e',
        'apt-get update',
        'EOF',
        'RUN apt-get install -y curl',
        '',
      ].join('\n'),
      findings: [{ line: 5, message: 'line 7', fixable: false }],
    },
    {
      name: 'continuation with a comment and the escape directive',
      code: '# escape=`\nFROM debian:12\nRUN apt-get update `\n    # refresh only\n    && echo ok\n',
      findings: [{ line: 3 }],
    },
  ],
});
