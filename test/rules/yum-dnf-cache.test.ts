import { yumDnfCache } from '../../src/rules/packages/yum-dnf-cache.js';
import { testRule } from '../helpers/rule-tester.js';

testRule(yumDnfCache, {
  valid: [
    'FROM rockylinux:9\nRUN dnf install -y python3 && dnf clean all\n',
    {
      name: 'rm of the cache directory',
      code: 'FROM centos:7\nRUN yum install -y httpd && yum clean all && rm -rf /var/cache/yum\n',
    },
    {
      name: 'microdnf',
      code: 'FROM registry.access.redhat.com/ubi9/ubi-minimal\nRUN microdnf install -y java-17-openjdk-headless && microdnf clean all\n',
    },
    {
      name: 'zypper clean -a',
      code: 'FROM opensuse/leap:15.6\nRUN zypper --non-interactive install curl && zypper clean -a\n',
    },
    {
      name: 'cache mount',
      code: '# syntax=docker/dockerfile:1\nFROM fedora:40\nRUN --mount=type=cache,target=/var/cache/dnf dnf install -y gcc\n',
    },
    {
      name: 'builder stage',
      code: 'FROM fedora:40 AS build\nRUN dnf install -y gcc make\nRUN make\nFROM registry.access.redhat.com/ubi9/ubi-micro\nCOPY --from=build /src/app /app\n',
    },
    {
      name: 'heredoc with clean',
      code: '# syntax=docker/dockerfile:1\nFROM rockylinux:9\nRUN <<EOF\ndnf -y install nginx\ndnf clean all\nEOF\n',
    },
  ],
  invalid: [
    {
      name: 'dnf without clean',
      code: 'FROM rockylinux:9\nRUN dnf install -y python3 && echo ok\n',
      findings: [
        { line: 2, message: '`dnf clean all`', severity: 'warning', minSaving: 10_000_000, fixable: true },
      ],
      output: 'FROM rockylinux:9\nRUN dnf install -y python3 && dnf clean all && echo ok\n',
    },
    {
      name: 'yum with options before the subcommand, continuation and comment',
      code: 'FROM centos:7\nRUN yum -y --setopt=tsflags=nodocs install \\\n    # web server\n    httpd\n',
      findings: [{ line: 2, message: '`yum clean all`' }],
      output:
        'FROM centos:7\nRUN yum -y --setopt=tsflags=nodocs install \\\n    # web server\n    httpd && yum clean all\n',
    },
    {
      name: '`clean packages` keeps the metadata',
      code: 'FROM fedora:40\nRUN dnf install -y git && dnf clean packages\n',
      findings: [{ line: 2, minSaving: 80_000_000 }],
      output: 'FROM fedora:40\nRUN dnf install -y git && dnf clean packages && dnf clean all\n',
    },
    {
      name: 'zypper: `zypper clean` without -a keeps the metadata',
      code: 'FROM opensuse/leap:15.6\nRUN zypper -n in curl && zypper clean\n',
      findings: [{ line: 2, message: '`zypper clean -a`' }],
      output: 'FROM opensuse/leap:15.6\nRUN zypper -n in curl && zypper clean && zypper clean -a\n',
    },
    {
      name: 'microdnf in a heredoc',
      code: '# syntax=docker/dockerfile:1\nFROM registry.access.redhat.com/ubi9/ubi-minimal\nRUN <<EOF\nmicrodnf install -y tar gzip\nEOF\n',
      findings: [{ line: 4, message: '`microdnf clean all`' }],
      output:
        '# syntax=docker/dockerfile:1\nFROM registry.access.redhat.com/ubi9/ubi-minimal\nRUN <<EOF\nmicrodnf install -y tar gzip\nmicrodnf clean all\nEOF\n',
    },
    {
      name: 'clean in a later RUN is too late; escape directive',
      code: '# escape=`\nFROM amazonlinux:2023\nRUN dnf install -y `\n    shadow-utils\nRUN dnf clean all\n',
      findings: [{ line: 3 }],
      output:
        '# escape=`\nFROM amazonlinux:2023\nRUN dnf install -y `\n    shadow-utils && dnf clean all\nRUN dnf clean all\n',
    },
  ],
});
