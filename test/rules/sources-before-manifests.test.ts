import { sourcesBeforeManifests } from '../../src/rules/layers/sources-before-manifests.js';
import { testRule } from '../helpers/rule-tester.js';

testRule(sourcesBeforeManifests, {
  valid: [
    {
      name: 'cargo-chef: prepare reads all sources by design; cook comes after copying only the recipe',
      code: [
        'FROM lukemathwalker/cargo-chef:latest-rust-1 AS chef',
        'WORKDIR /app',
        'FROM chef AS planner',
        'COPY . .',
        'RUN cargo chef prepare --recipe-path recipe.json',
        'FROM chef AS builder',
        'COPY --from=planner /app/recipe.json recipe.json',
        'RUN cargo chef cook --release --recipe-path recipe.json',
        'COPY . .',
        'RUN cargo build --release',
        '',
      ].join('\n'),
    },
    {
      name: 'seed 004 after the fix: go.* copied and downloaded first',
      code: 'FROM golang:1.17 AS builder\nWORKDIR /opt/app\nCOPY go.* ./\nRUN go mod download\nCOPY . .\nRUN go build -o example\nFROM scratch\nCOPY --from=builder /opt/app/example /example\n',
    },
    {
      name: 'npm manifests first',
      code: 'FROM node:20-slim\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci --omit=dev\nCOPY . .\nCMD ["node", "server.js"]\n',
    },
    {
      name: 'a cache mount keeps the dependencies across builds',
      code: 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN --mount=type=cache,target=/go/pkg/mod go build -o /out/app .\nFROM scratch\nCOPY --from=build /out/app /app\n',
    },
    {
      name: 'bind-mounted manifests before COPY . . (docker init style)',
      code: [
        'FROM golang:1.22 AS build',
        'WORKDIR /src',
        'RUN --mount=type=bind,source=go.sum,target=go.sum \\',
        '    --mount=type=bind,source=go.mod,target=go.mod \\',
        '    go mod download -x',
        'COPY . .',
        'RUN go build -o /bin/server .',
        '',
      ].join('\n'),
    },
    {
      name: 'go install of a tool does not read the project',
      code: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go install golang.org/x/tools/cmd/goimports@latest\n',
    },
    {
      name: 'the context shows no external modules (no go.sum)',
      code: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n',
      context: { 'go.mod': 'module example.com/app\n\ngo 1.22\n', 'main.go': 'package main\n' },
    },
    {
      name: 'vendored Go modules',
      code: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -mod=vendor -o /app .\n',
    },
    {
      name: 'a stage the build never runs',
      code: 'FROM node:20 AS old\nCOPY . .\nRUN npm ci\nFROM nginx:1.27-alpine\nCOPY site/ /usr/share/nginx/html/\n',
    },
    {
      name: 'pip install of the project itself is not a manifest install',
      code: 'FROM python:3.12-slim\nENV PIP_NO_CACHE_DIR=1\nWORKDIR /app\nCOPY . .\nRUN pip install .\n',
    },
    {
      name: 'npm install of a named package',
      code: 'FROM node:20-slim\nWORKDIR /app\nCOPY . .\nRUN npm install -g pm2\n',
    },
  ],
  invalid: [
    {
      name: 'the broad COPY in a stage the build stage is built FROM',
      code: [
        'FROM golang:1.22-alpine AS base',
        'WORKDIR /src',
        'COPY . .',
        'FROM base AS build',
        'RUN go build -o /out/tool .',
        'FROM alpine:3.20',
        'COPY --from=build /out/tool /usr/local/bin/tool',
        '',
      ].join('\n'),
      findings: [{ line: 3, message: '(line 5)' }],
    },
    {
      name: 'seed 004 before the fix: COPY . . then go build',
      code: 'FROM golang:1.17 AS builder\nWORKDIR /opt/app\nCOPY . .\nRUN go build -o example\nFROM ubuntu:latest\nCOPY --from=builder /opt/app/example /opt/app/example\nCMD ["/opt/app/example"]\n',
      findings: [
        {
          line: 3,
          message:
            '`COPY . .` (line 3) comes before `go build -o example` (line 4), which fetches Go module dependencies',
          severity: 'info',
          fixable: false,
        },
      ],
    },
    {
      name: 'npm ci after COPY . .: the hint names the manifests found in the context',
      code: 'FROM node:20-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci --omit=dev\nCMD ["node", "server.js"]\n',
      context: { 'package.json': '{}', 'package-lock.json': '{}', 'server.js': 'x' },
      findings: [{ line: 3, message: 'npm ci --omit=dev' }],
    },
    {
      name: 'pip install -r after COPY . /app (ENV does not matter)',
      code: 'FROM python:3.12-slim\nENV PIP_NO_CACHE_DIR=1\nCOPY . /app\nWORKDIR /app\nRUN pip install -r requirements.txt\n',
      findings: [{ line: 3, message: 'pip' }],
    },
    {
      name: 'manifests copied but the install still runs after COPY . .',
      code: 'FROM ruby:3.3-slim\nWORKDIR /app\nCOPY Gemfile Gemfile.lock ./\nCOPY . .\nRUN bundle install\n',
      findings: [{ line: 4, message: 'Bundler' }],
    },
    {
      name: 'inside sh -c and a conditional',
      code: 'FROM maven:3.9-eclipse-temurin-21 AS build\nWORKDIR /src\nCOPY . .\nRUN if [ -f pom.xml ]; then sh -c "mvn -B package -DskipTests"; fi\nFROM eclipse-temurin:21-jre\nCOPY --from=build /src/target/app.jar /app.jar\n',
      findings: [{ line: 3, message: 'Maven' }],
    },
    {
      name: 'two ecosystems in one stage',
      code: 'FROM python:3.12\nWORKDIR /app\nADD . /app\nRUN pip install --no-cache-dir -r requirements.txt && npm ci && npm run build\n',
      findings: [
        { line: 3, message: 'npm' },
        { line: 3, message: 'pip' },
      ],
    },
    {
      name: 'heredoc RUN',
      code: '# syntax=docker/dockerfile:1\nFROM rust:1.79 AS build\nWORKDIR /src\nCOPY . .\nRUN <<EOF\nset -e\ncargo build --release\nEOF\nFROM debian:12-slim\nCOPY --from=build /src/target/release/app /app\n',
      findings: [{ line: 4, message: 'Cargo' }],
    },
    {
      name: 'dotnet publish',
      code: 'FROM mcr.microsoft.com/dotnet/sdk:8.0 AS build\nWORKDIR /src\nCOPY . .\nRUN dotnet publish -c Release -o /out\nFROM mcr.microsoft.com/dotnet/aspnet:8.0\nCOPY --from=build /out /app\n',
      findings: [{ line: 3, message: 'NuGet' }],
    },
  ],
});
