import { packageUpgrade } from '../../src/rules/packages/package-upgrade.js';
import { testRule } from '../helpers/rule-tester.js';

testRule(packageUpgrade, {
  valid: [
    'FROM debian:12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n',
    {
      name: 'upgrading named packages is an install',
      code: 'FROM ubuntu:24.04\nRUN apt-get update && apt-get install --only-upgrade -y openssl && apt-get upgrade -y libssl3\n',
    },
    'FROM alpine:3.20\nRUN apk add --no-cache --upgrade openssl\n',
    'FROM rockylinux:9\nRUN dnf update -y openssl && dnf clean all\n',
    {
      name: 'a builder stage',
      code: 'FROM debian:12 AS build\nRUN apt-get update && apt-get upgrade -y\nFROM scratch\nCOPY --from=build /etc/os-release /\n',
    },
    {
      name: 'an opt-in',
      code: 'FROM debian:12\nARG UPGRADE=0\nRUN if [ "$UPGRADE" = 1 ]; then apt-get update && apt-get -y upgrade; fi\n',
    },
  ],
  invalid: [
    {
      name: 'apt-get upgrade in its own layer',
      code: 'FROM ubuntu:22.04\nRUN apt-get update && apt-get upgrade -y && rm -rf /var/lib/apt/lists/*\n',
      findings: [{ line: 2, message: '`apt-get upgrade` rewrites', severity: 'info' }],
    },
    {
      name: 'apt-get dist-upgrade',
      code: 'FROM debian:12\nRUN apt-get update && apt-get -y dist-upgrade\n',
      findings: [{ line: 2, message: '`apt-get dist-upgrade`' }],
    },
    {
      name: 'apk upgrade',
      code: 'FROM alpine:3.20\nRUN apk upgrade --no-cache\n',
      findings: [{ line: 2, message: '`apk upgrade`' }],
    },
    {
      name: 'yum update in a stage the final one is built FROM',
      code: 'FROM centos:7 AS base\nRUN yum update -y && yum clean all\nFROM base\nCMD ["httpd"]\n',
      findings: [{ line: 2, message: '`yum update`' }],
    },
    {
      name: 'zypper dup',
      code: 'FROM opensuse/leap:15.6\nRUN zypper --non-interactive dup && zypper clean -a\n',
      findings: [{ line: 2, message: '`zypper dup`' }],
    },
  ],
});
