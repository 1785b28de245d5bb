// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here are Dockerfile variables
import { addLocalFiles } from '../../src/rules/layers/add-local-files.js';
import { testRule } from '../helpers/rule-tester.js';

testRule(addLocalFiles, {
  valid: [
    {
      name: 'a stage the target does not build',
      code: 'FROM alpine:3.20 AS old\nADD app.js /app/\nFROM alpine:3.20\nCOPY app.js /app/\n',
    },
    'FROM alpine:3.20\nCOPY . /app\n',
    {
      name: 'a local tar archive is unpacked by ADD on purpose',
      code: 'FROM scratch\nADD rootfs.tar.xz /\nCMD ["/bin/sh"]\n',
    },
    { name: 'remote URL', code: 'FROM alpine:3.20\nADD https://example.com/tini /tini\n' },
    { name: 'git source', code: 'FROM alpine:3.20\nADD git@github.com:acme/app.git /src\n' },
    {
      name: 'ADD --checksum is deliberate',
      code: 'FROM alpine:3.20\nADD --checksum=sha256:0123 https://example.com/a.bin /a.bin\n',
    },
    {
      name: 'a source from a variable may be an archive',
      code: 'FROM alpine:3.20\nARG PKG\nADD ${PKG} /opt/\n',
    },
    {
      name: 'heredoc ADD',
      code: '# syntax=docker/dockerfile:1\nFROM alpine:3.20\nADD <<EOF /etc/motd\nhello\nEOF\n',
    },
  ],
  invalid: [
    {
      name: 'seed 000: ADD . /app',
      code: 'FROM golang:alpine\nWORKDIR /app\nADD . /app\nRUN cd /app && go build -o goapp\n',
      findings: [{ line: 3, message: 'ADD copies local `.`', severity: 'info', fixable: true }],
      output: 'FROM golang:alpine\nWORKDIR /app\nCOPY . /app\nRUN cd /app && go build -o goapp\n',
    },
    {
      name: 'flags kept, lower-case keyword kept lower-case',
      code: 'from python:3.12-slim\nadd --chown=app:app requirements.txt app.py /srv/\n',
      findings: [{ line: 2, message: 'files (requirements.txt, app.py)' }],
      output: 'from python:3.12-slim\ncopy --chown=app:app requirements.txt app.py /srv/\n',
    },
    {
      name: 'builder stages too (it is about clarity, not size)',
      code: 'FROM node:20 AS build\nADD package.json /app/\nFROM nginx:1.27-alpine\nCOPY --from=build /app /usr/share/nginx/html\n',
      findings: [{ line: 2 }],
      output:
        'FROM node:20 AS build\nCOPY package.json /app/\nFROM nginx:1.27-alpine\nCOPY --from=build /app /usr/share/nginx/html\n',
    },
    {
      name: 'continuation lines',
      code: 'FROM debian:12-slim\nADD config/ \\\n    /etc/app/\n',
      findings: [{ line: 2 }],
      output: 'FROM debian:12-slim\nCOPY config/ \\\n    /etc/app/\n',
    },
    {
      name: 'JSON form',
      code: 'FROM debian:12-slim\nADD ["my file.txt", "/data/"]\n',
      findings: [{ line: 2, message: '`my file.txt`' }],
      output: 'FROM debian:12-slim\nCOPY ["my file.txt", "/data/"]\n',
    },
    {
      name: 'escape directive',
      code: '# escape=`\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nADD app.exe C:\\app\\\n',
      findings: [{ line: 3 }],
      output: '# escape=`\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nCOPY app.exe C:\\app\\\n',
    },
  ],
});
