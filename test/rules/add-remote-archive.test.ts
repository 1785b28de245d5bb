import { addRemoteArchive } from '../../src/rules/layers/add-remote-archive.js';
import { testRule } from '../helpers/rule-tester.js';

testRule(addRemoteArchive, {
  valid: [
    {
      name: 'download and unpack in one RUN',
      code: 'FROM debian:12-slim\nRUN curl -fsSL https://go.dev/dl/go1.22.0.linux-amd64.tar.gz | tar -xz -C /usr/local\n',
    },
    {
      name: 'a remote binary used as it is',
      code: 'FROM debian:12-slim\nADD --chmod=755 https://github.com/krallin/tini/releases/download/v0.19.0/tini /tini\nENTRYPOINT ["/tini", "--"]\n',
    },
    {
      name: 'in a build stage the archive does not reach the final image',
      code: [
        'FROM debian:12-slim AS fetch',
        'ADD https://go.dev/dl/go1.22.0.linux-amd64.tar.gz /tmp/go.tgz',
        'RUN tar -xzf /tmp/go.tgz -C /usr/local',
        'FROM gcr.io/distroless/base-debian12',
        'COPY --from=fetch /usr/local/go/bin/gofmt /gofmt',
        '',
      ].join('\n'),
    },
    {
      name: 'a git repository',
      code: 'FROM alpine:3.20\nADD https://github.com/moby/buildkit.git#v0.14.0 /src\n',
    },
    { name: 'local archive (unpacked by ADD)', code: 'FROM scratch\nADD rootfs.tar.gz /\n' },
    {
      name: 'a remote config file',
      code: 'FROM nginx:1.27-alpine\nADD https://example.com/nginx.conf /etc/nginx/nginx.conf\n',
    },
  ],
  invalid: [
    {
      name: 'remote tarball in the final image',
      code: 'FROM debian:12-slim\nADD https://nodejs.org/dist/v20.11.0/node-v20.11.0-linux-x64.tar.gz /tmp/\nRUN tar -xzf /tmp/node-v20.11.0-linux-x64.tar.gz -C /usr/local --strip-components=1 && rm /tmp/node-v20.11.0-linux-x64.tar.gz\n',
      findings: [
        {
          line: 2,
          message: 'ADD downloads node-v20.11.0-linux-x64.tar.gz into a layer of its own',
          severity: 'warning',
          fixable: false,
        },
      ],
    },
    {
      name: 'zip with a query string',
      code: 'FROM eclipse-temurin:21-jre\nADD https://example.com/download/app.zip?version=3 /opt/\n',
      findings: [{ line: 2, message: 'app.zip' }],
    },
    {
      name: 'a .deb package',
      code: 'FROM ubuntu:24.04\nADD https://example.com/tool_1.0_amd64.deb /tmp/tool.deb\nRUN apt-get install -y /tmp/tool.deb\n',
      findings: [{ line: 2, message: 'tool_1.0_amd64.deb' }],
    },
    {
      name: 'no archive extension, but a later RUN unpacks it (sh -c)',
      code: 'FROM debian:12-slim\nADD https://example.com/download?id=42 /tmp/pkg\nRUN sh -c "tar -xf /tmp/pkg -C /opt && rm /tmp/pkg"\n',
      findings: [{ line: 2, message: 'tar -xf /tmp/pkg -C /opt' }],
    },
    {
      name: 'the final stage builds FROM the stage that ADDs',
      code: 'FROM debian:12-slim AS base\nADD https://example.com/jdk-21.tar.gz /opt/\nFROM base\nCMD ["java"]\n',
      findings: [{ line: 2 }],
    },
  ],
});
