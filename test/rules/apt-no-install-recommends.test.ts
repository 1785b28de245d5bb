import { aptNoInstallRecommends } from '../../src/rules/packages/apt-no-install-recommends.js';
import { testRule } from '../helpers/rule-tester.js';

testRule(aptNoInstallRecommends, {
  valid: [
    'FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n',
    {
      name: 'the -o option form',
      code: 'FROM ubuntu:24.04\nRUN apt-get update && apt-get -o APT::Install-Recommends=false install -y tzdata\n',
    },
    {
      name: 'an apt config written in an earlier RUN',
      code: [
        'FROM debian:12',
        `RUN echo 'APT::Install-Recommends "false";' > /etc/apt/apt.conf.d/01norecommends`,
        'RUN apt-get update && apt-get install -y git',
        '',
      ].join('\n'),
    },
    {
      name: 'an apt config copied in',
      code: 'FROM debian:12\nCOPY 99norecommends /etc/apt/apt.conf.d/\nRUN apt-get update && apt-get install -y git\n',
    },
    {
      name: 'builder stage only: recommends cost build time, not image size',
      code: [
        'FROM debian:12 AS build',
        'RUN apt-get update && apt-get install -y build-essential',
        'RUN make',
        'FROM debian:12-slim',
        'COPY --from=build /src/app /usr/local/bin/app',
        '',
      ].join('\n'),
    },
    {
      name: 'an explicit --install-recommends is respected',
      code: 'FROM debian:12\nRUN apt-get update && apt-get install -y --install-recommends texlive\n',
    },
    {
      name: 'no package names (apt-get install -f)',
      code: 'FROM debian:12\nRUN dpkg -i /tmp/x.deb || apt-get install -f -y --no-remove\n',
    },
    {
      name: 'config in a base stage applies to the stage built FROM it',
      code: [
        'FROM debian:12 AS base',
        `RUN printf 'APT::Install-Recommends "0";\\n' > /etc/apt/apt.conf.d/norec`,
        'FROM base',
        'RUN apt-get update && apt-get install -y curl',
        '',
      ].join('\n'),
    },
  ],
  invalid: [
    {
      name: 'seed 003 example, fix inserted right after install',
      code: 'FROM python:3.12-slim\nRUN apt update -y && apt install -y curl && rm -rf /var/lib/apt/lists/*\n',
      findings: [{ line: 2, message: '`apt install curl`', severity: 'warning', fixable: true }],
      output:
        'FROM python:3.12-slim\nRUN apt update -y && apt install --no-install-recommends -y curl && rm -rf /var/lib/apt/lists/*\n',
    },
    {
      name: 'continuation lines and comments are kept',
      code: [
        'FROM debian:bookworm-slim',
        'RUN apt-get update \\',
        '    # tools',
        '    && apt-get -qq install -y \\',
        '       git \\',
        '       openssh-client \\',
        '    && rm -rf /var/lib/apt/lists/*',
        '',
      ].join('\n'),
      findings: [{ line: 4, message: 'git openssh-client' }],
      output: [
        'FROM debian:bookworm-slim',
        'RUN apt-get update \\',
        '    # tools',
        '    && apt-get -qq install --no-install-recommends -y \\',
        '       git \\',
        '       openssh-client \\',
        '    && rm -rf /var/lib/apt/lists/*',
        '',
      ].join('\n'),
    },
    {
      name: 'heredoc and a conditional install: each install is reported',
      code: [
        '# syntax=docker/dockerfile:1',
        'FROM ubuntu:22.04',
        'RUN <<EOF',
        'apt-get update',
        'apt-get install -y python3',
        'if [ "$DEV" = 1 ]; then apt-get install -y vim; fi',
        'rm -rf /var/lib/apt/lists/*',
        'EOF',
        '',
      ].join('\n'),
      findings: [{ line: 5 }, { line: 6 }],
      output: [
        '# syntax=docker/dockerfile:1',
        'FROM ubuntu:22.04',
        'RUN <<EOF',
        'apt-get update',
        'apt-get install --no-install-recommends -y python3',
        'if [ "$DEV" = 1 ]; then apt-get install --no-install-recommends -y vim; fi',
        'rm -rf /var/lib/apt/lists/*',
        'EOF',
        '',
      ].join('\n'),
    },
    {
      name: 'inside sh -c: reported without a fix',
      code: 'FROM debian:12\nRUN sh -c "apt-get update && apt-get install -y curl"\n',
      findings: [{ line: 2, fixable: false }],
    },
    {
      name: 'a config with recommends on does not count; option values are skipped',
      code: [
        'FROM debian:12',
        `RUN echo 'APT::Install-Recommends "true";' > /etc/apt/apt.conf.d/rec`,
        'RUN apt-get update && apt-get -o Dpkg::Options::=--force-confold install -y nginx',
        '',
      ].join('\n'),
      findings: [{ line: 3, message: 'install nginx' }],
      output: [
        'FROM debian:12',
        `RUN echo 'APT::Install-Recommends "true";' > /etc/apt/apt.conf.d/rec`,
        'RUN apt-get update && apt-get -o Dpkg::Options::=--force-confold install --no-install-recommends -y nginx',
        '',
      ].join('\n'),
    },
    {
      name: 'escape directive, sudo and a prefix assignment',
      code: [
        '# escape=`',
        'FROM ubuntu:24.04',
        'RUN apt-get update && `',
        '    DEBIAN_FRONTEND=noninteractive sudo apt-get install -y tzdata',
        '',
      ].join('\n'),
      findings: [{ line: 4 }],
      output: [
        '# escape=`',
        'FROM ubuntu:24.04',
        'RUN apt-get update && `',
        '    DEBIAN_FRONTEND=noninteractive sudo apt-get install --no-install-recommends -y tzdata',
        '',
      ].join('\n'),
    },
  ],
});
