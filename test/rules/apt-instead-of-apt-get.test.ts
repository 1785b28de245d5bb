import { aptInsteadOfAptGet } from '../../src/rules/packages/apt-instead-of-apt-get.js';
import { testRule } from '../helpers/rule-tester.js';

testRule(aptInsteadOfAptGet, {
  valid: [
    'FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n',
    {
      name: 'apt-cache and apt-mark are different programs',
      code: 'FROM debian:12\nRUN apt-cache policy curl && apt-mark hold curl\n',
    },
    {
      name: 'apt as a package name',
      code: 'FROM debian:12\nRUN apt-get install -y --no-install-recommends apt apt-utils\n',
    },
    { name: 'apt in an echo', code: 'FROM debian:12\nRUN echo "use apt install to add packages"\n' },
    { name: 'apt with no subcommand (version)', code: 'FROM debian:12\nRUN apt --version\n' },
    { name: 'CMD is not a RUN', code: 'FROM debian:12\nCMD ["apt", "list", "--installed"]\n' },
  ],
  invalid: [
    {
      name: 'seed 001: apt update and apt install',
      code: 'FROM ubuntu:latest\nRUN apt update -y && apt install -y curl\n',
      findings: [
        { line: 2, message: 'use `apt-get update`', severity: 'info', fixable: true },
        { line: 2, message: 'use `apt-get install`' },
      ],
      output: 'FROM ubuntu:latest\nRUN apt-get update -y && apt-get install -y curl\n',
    },
    {
      name: 'every stage is checked (a script interface problem, not a size one)',
      code: 'FROM debian:12 AS build\nRUN apt upgrade -y\nFROM scratch\nCOPY --from=build /etc/os-release /\n',
      findings: [{ line: 2 }],
      output:
        'FROM debian:12 AS build\nRUN apt-get upgrade -y\nFROM scratch\nCOPY --from=build /etc/os-release /\n',
    },
    {
      name: 'full path in a heredoc, continued line',
      code: [
        '# syntax=docker/dockerfile:1',
        'FROM debian:12',
        'RUN <<EOF',
        '/usr/bin/apt purge -y \\',
        '  vim',
        'EOF',
        '',
      ].join('\n'),
      findings: [{ line: 4 }],
      output: [
        '# syntax=docker/dockerfile:1',
        'FROM debian:12',
        'RUN <<EOF',
        '/usr/bin/apt-get purge -y \\',
        '  vim',
        'EOF',
        '',
      ].join('\n'),
    },
    {
      name: 'apt search has no apt-get twin: reported without a fix',
      code: 'FROM debian:12\nRUN apt search libssl\n',
      findings: [{ line: 2, message: 'apt-cache search', fixable: false }],
    },
    {
      name: 'apt full-upgrade: apt-get calls it dist-upgrade',
      code: 'FROM debian:12\nRUN apt full-upgrade -y\n',
      findings: [{ line: 2, message: 'apt-get dist-upgrade', fixable: false }],
    },
    {
      name: 'inside sh -c: reported, not fixed',
      code: 'FROM debian:12\nRUN sh -c "apt install -y curl"\n',
      findings: [{ line: 2, fixable: false }],
    },
    {
      name: 'escape directive and sudo wrapper',
      code: '# escape=`\nFROM ubuntu:22.04\nRUN sudo apt install -y `\n    curl\n',
      findings: [{ line: 3 }],
      output: '# escape=`\nFROM ubuntu:22.04\nRUN sudo apt-get install -y `\n    curl\n',
    },
  ],
});
