import { dockerignoreGaps } from '../../src/rules/layers/dockerignore-gaps.js';
import { testRule } from '../helpers/rule-tester.js';

const NODE_APP =
  'FROM node:20-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci --omit=dev\nCMD ["node", "server.js"]\n';

testRule(dockerignoreGaps, {
  valid: [
    {
      name: 'no .dockerignore at all is copy-without-dockerignore',
      code: NODE_APP,
      context: { 'package.json': '{}', 'server.js': 'x', '.git/HEAD': 'ref' },
    },
    {
      name: 'the .dockerignore covers everything that should not ship',
      code: NODE_APP,
      context: {
        '.dockerignore': '.git\nnode_modules\n.env\n*.log\n',
        'package.json': '{}',
        'server.js': 'x',
        '.git/HEAD': 'ref',
        'node_modules/a/index.js': { size: 100_000 },
        '.env': 'TOKEN=1',
        'npm-debug.log': { size: 5_000_000 },
      },
    },
    { name: 'no build context', code: NODE_APP },
    {
      name: 'nested caches excluded with **',
      code: 'FROM python:3.12-slim\nENV PIP_NO_CACHE_DIR=1\nCOPY . /app\nRUN pip install -r /app/requirements.txt\n',
      context: {
        '.dockerignore': '**/__pycache__\n.venv\n',
        'requirements.txt': 'x',
        'pkg/__pycache__/a.pyc': { size: 3_000_000 },
        '.venv/pyvenv.cfg': 'x',
      },
    },
    {
      name: 'the COPY names its files: nothing broad is copied',
      code: 'FROM node:20-slim\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY src/ ./src/\n',
      context: {
        '.dockerignore': 'node_modules\n',
        'package.json': '{}',
        'package-lock.json': '{}',
        'src/index.js': 'x',
        '.git/HEAD': 'x',
        '.env': 'A=1',
      },
    },
    {
      name: 'allow-list .dockerignore (* then !src)',
      code: 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nFROM scratch\nCOPY --from=build /app /app\n',
      context: {
        '.dockerignore': '*\n!go.mod\n!go.sum\n!*.go\n',
        'go.mod': 'module x',
        'main.go': 'package main',
        '.git/HEAD': 'x',
        id_rsa: 'key',
      },
    },
  ],
  invalid: [
    {
      name: '.git is let through',
      code: NODE_APP,
      context: {
        '.dockerignore': 'node_modules\n',
        'package.json': '{}',
        'server.js': 'x',
        '.git/objects/pack/a.pack': { size: 3_000_000 },
      },
      findings: [
        {
          line: 3,
          message: '.dockerignore lets through version-control data: `COPY . .` ships .git/ (3.00 MB)',
          severity: 'warning',
          minSaving: 3_000_000,
        },
      ],
    },
    {
      name: 'secret-looking files',
      code: NODE_APP,
      context: {
        '.dockerignore': '.git\nnode_modules\n',
        'package.json': '{}',
        'server.js': 'x',
        '.env.production': 'API_KEY=abc\n',
        'certs/server.key': 'KEY',
        'certs/server.crt': 'CRT',
        '.env.example': 'API_KEY=\n',
      },
      findings: [
        {
          line: 3,
          message: /secret-looking files: .*\.env\.production.*certs\/server\.key/,
          severity: 'warning',
        },
      ],
    },
    {
      name: 'one finding per category',
      code: NODE_APP,
      context: {
        '.dockerignore': '*.md\n',
        'package.json': '{}',
        'server.js': 'x',
        '.git/HEAD': { size: 1000 },
        'node_modules/a/index.js': { size: 1000 },
      },
      findings: [
        { line: 3, message: 'installed dependencies' },
        { line: 3, message: 'version-control data' },
      ],
    },
    {
      name: 'node_modules ignored at the top only: the nested one passes',
      code: 'FROM node:20-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm --prefix frontend ci && npm --prefix frontend run build\n',
      context: {
        '.dockerignore': '.git\nnode_modules\n',
        'package.json': '{}',
        'frontend/package.json': '{}',
        'frontend/node_modules/react/index.js': { size: 2_000_000 },
      },
      findings: [{ line: 3, message: 'frontend/node_modules/ (2.00 MB)', minSaving: 2_000_000 }],
    },
    {
      name: 'only a build stage copies it: info',
      code: 'FROM maven:3.9-eclipse-temurin-21 AS build\nWORKDIR /src\nCOPY . .\nRUN mvn -B package\nFROM eclipse-temurin:21-jre\nCOPY --from=build /src/target/app.jar /app.jar\n',
      context: { '.dockerignore': '.git\n', 'pom.xml': '<project/>', 'target/old.jar': { size: 20_000_000 } },
      findings: [
        { line: 3, message: 'build outputs: `COPY . .` copies into a build stage target/', severity: 'info' },
      ],
    },
    {
      name: 'large log files are a minor category: info',
      code: 'FROM python:3.12-slim\nCOPY . /app\n',
      context: { '.dockerignore': '.git\n', 'app.py': 'x', 'logs/debug.log': { size: 3_000_000 } },
      findings: [{ line: 2, message: 'log files', severity: 'info', minSaving: 3_000_000 }],
    },
  ],
});
