// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here are Dockerfile variables
import { recursiveChownChmod } from '../../src/rules/layers/recursive-chown-chmod.js';
import { testRule } from '../helpers/rule-tester.js';

testRule(recursiveChownChmod, {
  valid: [
    {
      name: 'ownership set while copying',
      code: 'FROM node:20-slim\nWORKDIR /app\nCOPY --chown=node:node . .\nUSER node\nCMD ["node", "index.js"]\n',
    },
    {
      name: 'chown -R in a builder stage does not reach the final image',
      code: [
        'FROM node:20 AS build',
        'WORKDIR /app',
        'COPY . .',
        'RUN chown -R node:node /app && npm ci && npm run build',
        'FROM nginx:1.27-alpine',
        'COPY --from=build /app/dist /usr/share/nginx/html',
        '',
      ].join('\n'),
    },
    {
      name: 'a directory the RUN made itself',
      code: 'FROM debian:12-slim\nRUN useradd -r app\nRUN mkdir -p /var/lib/app && chown -R app:app /var/lib/app\n',
    },
    {
      name: 'non-recursive chown of the destination directory only touches the directory entry',
      code: 'FROM python:3.12-slim\nWORKDIR /app\nCOPY --chown=app:app . .\nRUN chown app:app /app\n',
    },
    {
      name: 'the path is a cache mount, not a layer',
      code: 'FROM python:3.12-slim\nCOPY . /app\nRUN --mount=type=cache,target=/app/.cache chown -R app /app/.cache\n',
    },
    {
      name: 'a subdirectory of COPY . is only attributed when the context confirms it',
      code: 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN chown -R app:app /app/data\n',
    },
    {
      name: 'the subdirectory is not in the context (made later by the app)',
      code: 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN mkdir -p /app/data && chown -R app:app /app/data\n',
      context: { 'main.py': 'print(1)\n', 'requirements.txt': 'flask\n' },
    },
    {
      name: 'chmod of a file that was not copied',
      code: 'FROM alpine:3.20\nCOPY app /usr/local/bin/app\nRUN chmod +x /docker-entrypoint.sh\n',
    },
    {
      name: 'a variable path is not guessed',
      code: 'FROM debian:12-slim\nCOPY . /srv/app\nRUN chown -R app "$APP_HOME"\n',
    },
  ],
  invalid: [
    {
      name: 'ADD of a download then chmod +x: ADD --chmod',
      code: 'FROM debian:bookworm-slim\nADD https://github.com/krallin/tini/releases/download/v0.19.0/tini /tini\nRUN chmod +x /tini\nENTRYPOINT ["/tini", "--"]\n',
      findings: [{ line: 3, message: 'rewrites what ADD at line 2 put in /tini', severity: 'info' }],
    },
    {
      name: 'ADD into a directory, octal mode: moved onto the ADD, RUN removed',
      code: 'FROM debian:bookworm-slim\nADD https://example.com/bin/tool /usr/local/bin/\nRUN chmod 755 /usr/local/bin/tool\nCMD ["tool"]\n',
      findings: [{ line: 3, fixable: true }],
      output:
        'FROM debian:bookworm-slim\nADD --chmod=755 https://example.com/bin/tool /usr/local/bin/\nCMD ["tool"]\n',
    },
    {
      name: 'chmod +x of a copied program pare cannot type without a context: a file',
      code: 'FROM debian:bookworm-slim\nCOPY app /usr/local/bin/app\nRUN chmod +x /usr/local/bin/app\nCMD ["app"]\n',
      findings: [{ line: 3, message: 'COPY at line 2' }],
    },
    {
      name: 'touch of the copied jar (the old Spring Boot recipe), inside bash -c',
      code: 'FROM eclipse-temurin:17-jre\nADD target/app.jar app.jar\nRUN bash -c \'touch /app.jar\'\nENTRYPOINT ["java", "-jar", "/app.jar"]\n',
      findings: [{ line: 3, message: 'app.jar' }],
    },
    {
      name: 'COPY . . then chown -R of the WORKDIR: flag moved onto COPY, directory itself kept',
      code: 'FROM node:20-slim\nWORKDIR /app\nCOPY . .\nRUN chown -R node:node /app\nUSER node\n',
      context: { 'package.json': '{}', 'index.js': { size: 400_000 } },
      findings: [
        {
          line: 4,
          message: 'rewrites what COPY at line 3 put in /app',
          severity: 'warning',
          fixable: true,
          minSaving: 400_000,
        },
      ],
      output:
        'FROM node:20-slim\nWORKDIR /app\nCOPY --chown=node:node . .\nRUN chown node:node /app\nUSER node\n',
    },
    {
      name: 'chmod and chown of one copied file: RUN removed',
      code: [
        'FROM eclipse-temurin:21-jre',
        'COPY target/app.jar /opt/app/app.jar',
        '# make it readable by the app user',
        'RUN chmod 644 /opt/app/app.jar \\',
        '    && chown app:app /opt/app/app.jar',
        'CMD ["java", "-jar", "/opt/app/app.jar"]',
        '',
      ].join('\n'),
      context: { 'target/app.jar': { size: 30_000_000 }, 'pom.xml': '<project/>' },
      findings: [{ line: 4, severity: 'warning', fixable: true, minSaving: 30_000_000 }],
      output: [
        'FROM eclipse-temurin:21-jre',
        'COPY --chown=app:app --chmod=644 target/app.jar /opt/app/app.jar',
        '# make it readable by the app user',
        'CMD ["java", "-jar", "/opt/app/app.jar"]',
        '',
      ].join('\n'),
    },
    {
      name: 'an existing --chown is replaced, combined -Rf loses only the R',
      code: 'FROM python:3.12-slim\nCOPY --chown=root:root src/ /srv/app/\nRUN chown -Rf app:app /srv/app\n',
      findings: [{ line: 3, fixable: true }],
      output: 'FROM python:3.12-slim\nCOPY --chown=app:app src/ /srv/app/\nRUN chown -f app:app /srv/app\n',
    },
    {
      name: 'two COPYs and npm ci wrote into /app: hint only',
      code: [
        'FROM node:20-slim',
        'WORKDIR /app',
        'COPY package*.json ./',
        'RUN npm ci --omit=dev',
        'COPY . .',
        'RUN chown -R node:node /app',
        '',
      ].join('\n'),
      findings: [{ line: 6, message: 'COPY at line 3, COPY at line 5', fixable: false }],
    },
    {
      name: 'a subdirectory confirmed by the context',
      code: 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN chmod -R g+w /app/static\n',
      context: { 'static/app.js': { size: 200_000 }, 'main.py': 'x' },
      findings: [{ line: 4, message: '/app/static', minSaving: 200_000, fixable: false }],
    },
    {
      name: 'chmod +x of a small copied script is info',
      code: 'FROM debian:12-slim\nCOPY docker-entrypoint.sh /usr/local/bin/\nRUN chmod +x /usr/local/bin/docker-entrypoint.sh\nENTRYPOINT ["docker-entrypoint.sh"]\n',
      findings: [{ line: 3, severity: 'info', fixable: false }],
    },
    {
      name: 'inside sh -c: reported, not fixed',
      code: 'FROM debian:12-slim\nCOPY dist /srv/www\nRUN sh -c "chown -R www-data:www-data /srv/www"\n',
      findings: [{ line: 3, fixable: false }],
    },
    {
      name: 'heredoc RUN: reported, not fixed',
      code: '# syntax=docker/dockerfile:1\nFROM debian:12-slim\nCOPY site/ /var/www/\nRUN <<EOF\nchown -R www-data:www-data /var/www\nEOF\n',
      findings: [{ line: 5, fixable: false }],
    },
    {
      name: 'owner from a variable: hint only',
      code: 'FROM debian:12-slim\nARG USER=app\nCOPY . /home/app/\nRUN chown -R ${USER}:${USER} /home/app\n',
      findings: [{ line: 4, fixable: false }],
    },
    {
      name: 'a system directory may hold base-image files the RUN also changes: no fix',
      code: 'FROM nginx:1.27-alpine\nCOPY dist/ /usr/share/nginx/html/\nRUN chmod -R 755 /usr/share/nginx/html && chown -R nginx:nginx /usr/share/nginx/html\n',
      findings: [{ line: 3, message: 'chmod -R 755 /usr/share/nginx/html', fixable: false }],
    },
    {
      name: 'the COPY is in the base stage of the final one',
      code: 'FROM python:3.12-slim AS base\nCOPY . /app\nFROM base\nRUN chown -R nobody:nogroup /app\n',
      findings: [{ line: 4, message: 'COPY at line 2', fixable: false }],
    },
  ],
});
