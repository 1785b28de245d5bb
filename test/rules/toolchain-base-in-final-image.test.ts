import { toolchainBaseInFinalImage } from '../../src/rules/base/toolchain-base-in-final-image.js';
import { testRule } from '../helpers/rule-tester.js';

testRule(toolchainBaseInFinalImage, {
  valid: [
    {
      name: 'multi-stage: golang only in the builder (seed 004 Dockerfile-6)',
      code: `# syntax=docker/dockerfile:1
FROM golang:1.17 as builder
WORKDIR /opt/app
COPY . .
RUN CGO_ENABLED=0 go build -o example

FROM scratch
WORKDIR /opt/app
COPY --from=builder /opt/app/example ./example
CMD ["/opt/app/example"]
`,
    },
    {
      name: 'slim python with a cache mount for pip',
      code: `FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
COPY . .
CMD ["gunicorn", "app:app"]
`,
    },
    {
      name: 'ubuntu has no slim variant (seed 004 recommends it as the runtime)',
      code: `FROM golang:1.17 as builder
WORKDIR /opt/app
COPY . .
RUN go build -o example
FROM ubuntu:latest
WORKDIR /opt/app
COPY --from=builder /opt/app/example ./example
CMD ["/opt/app/example"]
`,
    },
    {
      name: 'JRE runtime for a jar built with maven',
      code: `FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B dependency:go-offline
COPY src ./src
RUN mvn -B package -DskipTests
FROM eclipse-temurin:21-jre
COPY --from=build /src/target/app.jar /app.jar
ENTRYPOINT ["java", "-jar", "/app.jar"]
`,
    },
    {
      name: 'team policy allows the full node image',
      code: 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci --omit=dev\nCMD ["node", "server.js"]\n',
      policy: { allowed: ['node:20', 'node:*-slim'] },
    },
    {
      name: 'a CI image whose command is the toolchain itself',
      code: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nENTRYPOINT ["go", "test", "./..."]\n',
    },
    {
      name: 'final FROM an earlier slim stage',
      code: `FROM node:20-slim AS base
WORKDIR /app
ENV npm_config_cache=/tmp/npm
FROM node:20 AS build
COPY . .
RUN npm ci && npm run build
FROM base
COPY --from=build /app/dist ./dist
CMD ["node", "dist/index.js"]
`,
    },
    { name: 'unresolved ARG base is left alone', code: `ARG BASE\nFROM \${BASE}\nCOPY app /app\n` },
    { name: 'unknown private base', code: 'FROM registry.corp.example/platform/runtime:3\nCOPY app /app\n' },
  ],
  invalid: [
    {
      name: 'the deprecated java:8 repository is a JDK',
      code: 'FROM java:8\nADD target/app.jar app.jar\nENTRYPOINT ["java", "-jar", "/app.jar"]\n',
      findings: [
        { line: 1, message: 'java:8 is a JDK image (~643 MB); the jar runs on eclipse-temurin:8-jre' },
      ],
    },
    {
      name: 'Anaconda as the final base: Miniconda holds conda alone',
      code: 'FROM continuumio/anaconda3:2024.02-1\nRUN conda install -y jupyter\nCMD ["jupyter", "notebook"]\n',
      findings: [
        {
          line: 1,
          message:
            'the Anaconda distribution (Python with ~1,500 packages) (~3.4 GB); the app runs on continuumio/miniconda3',
          minSaving: 2e9,
        },
      ],
    },
    {
      name: 'the nightly Rust toolchain image',
      code: 'FROM rustlang/rust:nightly\nCOPY . .\nRUN cargo build --release\nCMD ["./target/release/app"]\n',
      findings: [{ line: 1, message: 'rustlang/rust:nightly is a Rust toolchain image' }],
    },
    {
      name: 'a Maven image that builds the app at every start is no build image (it is the app, built late)',
      code: 'FROM maven:3.8.5-openjdk-17\nCOPY . .\nCMD ["mvn", "spring-boot:run"]\n',
      findings: [{ line: 1, message: 'maven build image with a JDK' }],
    },
    {
      name: 'single-stage golang (seed 004 Dockerfile-1)',
      code: `# syntax=docker/dockerfile:1
FROM golang:1.17
WORKDIR /opt/app
COPY . .
RUN go build -o example
CMD ["/opt/app/example"]
`,
      findings: [
        {
          line: 2,
          message:
            /golang:1\.17 is a Go toolchain image \(~814 MB\);.*distroless\/static-debian12 \(~2 MB\) or scratch/,
          severity: 'warning',
          fixable: false,
          minSaving: 800_000_000,
        },
      ],
    },
    {
      name: 'full python (seed 000: 912 MB vs 87 MB alpine) with PIP_NO_CACHE_DIR',
      code: `FROM python:3.12
ENV PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
CMD ["python", "app.py"]
`,
      findings: [
        {
          line: 1,
          message: 'python:3.12-slim (~130 MB) or python:3.12-alpine (~57 MB)',
          minSaving: 800_000_000,
        },
      ],
    },
    {
      name: 'final stage FROM a builder stage inherits the toolchain',
      code: `ARG GO_VERSION=1.22
FROM golang:\${GO_VERSION} AS build
WORKDIR /src
COPY . .
RUN go build -o /out/app .
FROM build AS final
CMD ["/out/app"]
`,
      findings: [{ line: 2, message: 'golang:1.22 is a Go toolchain image' }],
    },
    {
      name: 'JDK in the final image: suggests the JRE of the same release',
      code: 'FROM eclipse-temurin:17-jdk\nCOPY target/app.jar /app.jar\nCMD ["java", "-jar", "/app.jar"]\n',
      findings: [
        { line: 1, message: 'the jar runs on eclipse-temurin:17-jre (~265 MB)', minSaving: 150_000_000 },
      ],
    },
    {
      name: '.NET SDK as runtime',
      code: `FROM mcr.microsoft.com/dotnet/sdk:8.0
WORKDIR /src
COPY . .
RUN dotnet publish -c Release -o /app
ENTRYPOINT ["dotnet", "/app/App.dll"]
`,
      findings: [{ line: 1, message: 'mcr.microsoft.com/dotnet/aspnet:8.0 (~220 MB)' }],
    },
    {
      name: 'full debian when debian:12-slim exists',
      code: `FROM golang:1.22 AS build
RUN --mount=type=cache,target=/root/.cache/go-build CGO_ENABLED=0 go build -o /app .
FROM debian:12
COPY --from=build /app /app
CMD ["/app"]
`,
      findings: [
        { line: 3, message: 'debian:12-slim (~74 MB) has the same packages', minSaving: 40_000_000 },
      ],
    },
    {
      name: 'rust final image: dynamic glibc binary → distroless/cc',
      code: 'FROM rust:1.78\nWORKDIR /src\nCOPY . .\nRUN cargo build --release\nCMD ["./target/release/app"]\n',
      findings: [{ line: 1, message: 'the release binary runs on gcr.io/distroless/cc-debian12 (~24 MB)' }],
    },
    {
      name: 'policy exists and does not allow the base: says so and suggests an allowed one',
      code: 'FROM node:20-bookworm\nWORKDIR /app\nCOPY . .\nCMD ["node", "index.js"]\n',
      policy: { allowed: ['node:20-slim', 'gcr.io/distroless/static-debian12'] },
      findings: [
        { line: 1, message: /runs on node:20-slim \(~200 MB\); it is not in the team's allowed bases/ },
      ],
    },
    {
      name: 'gcc image with a -static build suggests scratch',
      code: 'FROM gcc:13\nCOPY hello.c .\nRUN gcc -static -O2 -o /hello hello.c\nCMD ["/hello"]\n',
      findings: [
        { line: 1, message: 'the binary linked with -static runs on gcr.io/distroless/static-debian12' },
      ],
    },
  ],
});
