import { copyWithoutDockerignore } from '../../src/rules/layers/copy-without-dockerignore.js';
import { testRule } from '../helpers/rule-tester.js';

const NODE_APP =
  'FROM node:20-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci --omit=dev\nCMD ["node", "server.js"]\n';

testRule(copyWithoutDockerignore, {
  valid: [
    { name: 'no build context (stdin): nothing to measure, so silent', code: NODE_APP },
    {
      name: 'a .dockerignore exists (dockerignore-gaps checks what it lets through)',
      code: NODE_APP,
      context: {
        '.dockerignore': 'node_modules\n',
        'package.json': '{}',
        'server.js': 'x',
        '.git/HEAD': 'ref',
      },
    },
    {
      name: 'only named files are copied',
      code: 'FROM node:20-slim\nWORKDIR /app\nCOPY package.json package-lock.json server.js ./\nRUN npm ci --omit=dev\n',
      context: {
        'package.json': '{}',
        'package-lock.json': '{}',
        'server.js': 'x',
        '.git/objects/pack/a.pack': { size: 900_000 },
      },
    },
    {
      name: 'nothing in the context that should not ship',
      code: 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install --no-cache-dir -r requirements.txt\n',
      context: { 'requirements.txt': 'flask\n', 'app.py': 'print(1)\n', 'templates/index.html': '<p>' },
    },
    {
      name: 'node_modules is shipped on purpose when the Dockerfile never installs',
      code: 'FROM node:20-slim\nWORKDIR /app\nCOPY . .\nCMD ["node", "server.js"]\n',
      context: { 'package.json': '{}', 'server.js': 'x', 'node_modules/express/index.js': { size: 100_000 } },
    },
    {
      name: 'copying node_modules by name is deliberate',
      code: 'FROM node:20-slim\nWORKDIR /app\nCOPY node_modules ./node_modules\nCOPY dist ./dist\nRUN npm ci\n',
      context: { 'package.json': '{}', 'node_modules/a/index.js': { size: 100_000 }, 'dist/main.js': 'x' },
    },
    {
      name: 'a stage the build never runs',
      code: 'FROM node:20 AS unused\nCOPY . .\nRUN npm ci\nFROM nginx:1.27-alpine\nCOPY site/ /usr/share/nginx/html/\n',
      context: {
        'package.json': '{}',
        'site/index.html': '<p>',
        '.git/HEAD': 'ref',
        'node_modules/a.js': { size: 1000 },
      },
    },
    {
      name: 'a secret-looking file the Dockerfile copies by name is meant to ship',
      code: 'FROM python:3.12-slim\nWORKDIR /app\nCOPY meta.env .\nCOPY . .\nCMD ["python", "main.py"]\n',
      context: { 'meta.env': 'BUILD_ID=1234\n', 'main.py': 'print(1)\n' },
    },
    {
      name: 'a few kB of __pycache__ are not worth a finding',
      code: 'FROM python:3.12-slim\nENV PIP_NO_CACHE_DIR=1\nCOPY . /app\nRUN pip install -r /app/requirements.txt\n',
      context: {
        'requirements.txt': 'flask\n',
        'app.py': 'x',
        '__pycache__/app.cpython-312.pyc': { size: 3000 },
      },
    },
  ],
  invalid: [
    {
      name: 'COPY . . ships .git and node_modules: measured',
      code: NODE_APP,
      context: {
        'package.json': '{}',
        'package-lock.json': '{}',
        'server.js': 'x',
        '.git/objects/pack/pack-1.pack': { size: 12_000_000 },
        'node_modules/express/index.js': { size: 5_000_000 },
      },
      findings: [
        {
          line: 3,
          message: '.git/ (12.0 MB), node_modules/ (5.00 MB)',
          severity: 'warning',
          fixable: false,
          minSaving: 17_000_000,
        },
      ],
    },
    {
      name: 'seed 000: ADD . /app with .git',
      code: 'FROM golang:alpine\nWORKDIR /app\nADD . /app\nRUN cd /app && go build -o goapp\nENTRYPOINT ./goapp\n',
      context: { 'go.mod': 'module x\n', 'main.go': 'package main\n', '.git/objects/a': { size: 400_000 } },
      findings: [{ line: 3, message: 'this ADD ships .git/', minSaving: 400_000 }],
    },
    {
      name: 'only a build stage copies the context: info, nothing shipped',
      code: [
        'FROM golang:1.22 AS build',
        'WORKDIR /src',
        'COPY . .',
        'RUN CGO_ENABLED=0 go build -o /out/app .',
        'FROM scratch',
        'COPY --from=build /out/app /app',
        'ENTRYPOINT ["/app"]',
        '',
      ].join('\n'),
      context: { 'go.mod': 'module x\n', 'main.go': 'package main\n', '.git/objects/a': { size: 300_000 } },
      findings: [{ line: 3, message: 'copies into a build stage', severity: 'info' }],
    },
    {
      name: 'a virtualenv and secret-looking files',
      code: 'FROM python:3.12-slim\nENV PIP_NO_CACHE_DIR=1\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n',
      context: {
        'requirements.txt': 'flask\n',
        'app.py': 'x',
        '.venv/pyvenv.cfg': 'home = /usr/bin\n',
        '.venv/lib/python3.12/site-packages/flask/__init__.py': { size: 800_000 },
        '.env': 'DATABASE_PASSWORD=hunter2\n',
        'deploy/id_rsa': '-----BEGIN OPENSSH PRIVATE KEY-----\n',
      },
      findings: [{ line: 4, message: /\.venv\/ \(800 kB\).*secret-looking/ }],
    },
    {
      name: 'seed 000/003: a venv without pyvenv.cfg is still a virtualenv',
      code: '# Seed 000\nFROM python:3.6\nCOPY . /app\nWORKDIR /app\nRUN pip install -r requirements.txt\n',
      context: {
        'requirements.txt': 'flask\n',
        'app.py': 'x',
        'venv/lib/python3.6/site-packages/numpy/core/_multiarray.so': { size: 24_000_000 },
      },
      findings: [{ line: 3, message: 'venv/ (24.0 MB)', minSaving: 24_000_000 }],
    },
    {
      name: 'Rust target/ when the Dockerfile runs cargo build',
      code: 'FROM rust:1.79\nWORKDIR /usr/src/app\nCOPY . .\nRUN cargo build --release\nCMD ["./target/release/app"]\n',
      context: {
        'Cargo.toml': '[package]\n',
        'src/main.rs': 'fn main(){}\n',
        'target/debug/app': { size: 9_000_000 },
      },
      findings: [{ line: 3, message: 'target/ (9.00 MB)', minSaving: 9_000_000 }],
    },
    {
      name: 'a glob COPY matches node_modules',
      code: 'FROM node:20-slim\nWORKDIR /app\nCOPY * ./\nRUN npm install\n',
      context: { 'package.json': '{}', 'index.js': 'x', 'node_modules/left-pad/index.js': { size: 20_000 } },
      findings: [{ line: 3, message: 'node_modules/' }],
    },
    {
      name: 'one finding per COPY that ships offenders',
      code: 'FROM python:3.12-slim\nCOPY . /src\nRUN pip install --no-cache-dir -r /src/requirements.txt\nCOPY . /app\n',
      context: { 'requirements.txt': 'x', '.git/HEAD': { size: 2000 } },
      findings: [{ line: 2 }, { line: 4 }],
    },
  ],
});
