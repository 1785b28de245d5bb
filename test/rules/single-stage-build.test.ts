import { singleStageBuild } from '../../src/rules/base/single-stage-build.js';
import { testRule } from '../helpers/rule-tester.js';

testRule(singleStageBuild, {
  valid: [
    {
      name: 'official-image build-and-purge in one RUN: every package marked auto, then auto-removed',
      code: [
        'FROM debian:bookworm-slim',
        'RUN set -eux; \\',
        '  savedAptMark="$(apt-mark showmanual)"; \\',
        '  apt-get update; \\',
        '  apt-get install -y --no-install-recommends gcc libc6-dev make wget; \\',
        '  wget -O redis.tar.gz "$URL"; tar -xzf redis.tar.gz; \\',
        '  make -C redis -j "$(nproc)" all; make -C redis install; \\',
        "  apt-mark auto '.*' > /dev/null; \\",
        '  [ -z "$savedAptMark" ] || apt-mark manual $savedAptMark > /dev/null; \\',
        '  apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false; \\',
        '  rm -rf /var/lib/apt/lists/*',
        'CMD ["redis-server"]',
        '',
      ].join('\n'),
    },
    {
      name: '`bundle --version` only prints a version',
      code: 'FROM ruby:3.3-slim\nRUN apt-get update && apt-get install -y gcc && bundle --version\nCMD ["irb"]\n',
    },
    {
      name: 'build in a builder stage, output COPY --from (seed 000 multi-stage)',
      code: `FROM golang:alpine AS build-env
WORKDIR /app
ADD . /app
RUN cd /app && go build -o goapp

FROM alpine
WORKDIR /app
COPY --from=build-env /app/goapp /app
ENTRYPOINT ["./goapp"]
`,
    },
    {
      name: 'builder with cache mounts; final stage only copies',
      code: `# syntax=docker/dockerfile:1
FROM rust:1.78 AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \\
    --mount=type=cache,target=/src/target \\
    cargo build --release && cp target/release/app /app
FROM gcr.io/distroless/cc-debian12
COPY --from=build /app /app
ENTRYPOINT ["/app"]
`,
    },
    {
      name: 'compilers installed and removed in the same RUN (apk --virtual)',
      code: `FROM python:3.12-alpine
ENV PIP_NO_CACHE_DIR=1
COPY requirements.txt .
RUN apk add --no-cache --virtual .build-deps gcc musl-dev libffi-dev \\
 && pip install -r requirements.txt \\
 && apk del .build-deps
COPY . .
CMD ["python", "app.py"]
`,
    },
    {
      name: 'apt build-essential purged in the same RUN as the make build',
      code: `FROM debian:12-slim
RUN apt-get update \\
 && apt-get install -y --no-install-recommends build-essential \\
 && make -C /src install \\
 && apt-get purge -y build-essential && apt-get autoremove -y \\
 && rm -rf /var/lib/apt/lists/*
CMD ["/usr/local/bin/tool"]
`,
    },
    {
      name: 'make as a task runner without compilers',
      code: 'FROM node:20-slim\nWORKDIR /app\nCOPY . .\nRUN make assets\nCMD ["node", "server.js"]\n',
    },
    {
      name: 'pip install without compilers in the image',
      code: 'FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCMD ["python", "-m", "app"]\n',
    },
    {
      name: 'go build ./... only compiles (vet-like) in a builder; final copies',
      code: `FROM golang:1.22 AS test
COPY . .
RUN go build ./... && go test ./...
FROM golang:1.22 AS build
COPY . .
RUN CGO_ENABLED=0 go build -o /app .
FROM scratch
COPY --from=build /app /app
ENTRYPOINT ["/app"]
`,
    },
    {
      name: 'go install of a tool (name@version) is not an app build',
      code: 'FROM alpine:3.20 AS tools\nFROM golang:1.22-alpine\nRUN go install github.com/go-delve/delve/cmd/dlv@latest\nENTRYPOINT ["dlv"]\n',
    },
  ],
  invalid: [
    {
      name: "make on a team's own gcc image the catalogue does not know (its compilers ship)",
      code: 'FROM registry.acme.internal/toolchains/gcc:13\nWORKDIR /src\nCOPY . .\nRUN make && make install PREFIX=/usr/local\nCMD ["/usr/local/bin/hello"]\n',
      findings: [{ line: 4, message: '`make` runs in the final image' }],
    },
    {
      name: 'single-stage go build (seed 004 Dockerfile-2)',
      code: `# syntax=docker/dockerfile:1
FROM golang:1.17-alpine
WORKDIR /opt/app
COPY . .
RUN go build -o example
CMD ["/opt/app/example"]
`,
      findings: [
        { line: 5, message: '`go build` runs in the final image', severity: 'warning', fixable: false },
      ],
    },
    {
      name: 'pip install with compilers left installed (seed 000 flask example)',
      code: `FROM python:3.6-alpine
LABEL maintainer="XYZ <xxx@xxx.com>"
RUN apk add --no-cache gcc musl-dev
COPY . /app
WORKDIR /app
RUN pip install -r requirements.txt
EXPOSE 8000
CMD []
`,
      findings: [{ line: 6, message: 'gcc, musl-dev (installed on line 3) stay in it' }],
    },
    {
      name: 'final stage FROM a stage that builds (heredoc RUN)',
      code: `FROM rust:1.78 AS build
WORKDIR /src
COPY . .
RUN <<EOF
set -e
cargo build --release
EOF
FROM build
CMD ["/src/target/release/app"]
`,
      findings: [{ line: 6, message: '`cargo build` runs in the final image' }],
    },
    {
      name: 'npm run build in the final stage of a multi-stage file',
      code: `FROM node:20 AS deps
WORKDIR /app
COPY package*.json ./
RUN npm ci
FROM node:20-slim
WORKDIR /app
ENV npm_config_cache=/tmp/.npm
COPY --from=deps /app/node_modules ./node_modules
COPY . .
RUN npm run build:prod
CMD ["node", "dist/main.js"]
`,
      findings: [{ line: 10, message: '`npm run build:prod` runs in the final image' }],
    },
    {
      name: 'gcc inside sh -c, after a commented continuation',
      code: `FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev \\
    # the compiler stays
    && rm -rf /var/lib/apt/lists/*
COPY main.c .
RUN sh -c 'gcc -O2 -o /usr/local/bin/app main.c'
CMD ["app"]
`,
      findings: [{ line: 6, message: '`gcc` runs in the final image' }],
    },
    {
      name: 'conditional maven build still builds in the image',
      code: `FROM maven:3.9-eclipse-temurin-21
WORKDIR /src
COPY . .
RUN if [ -f pom.xml ]; then mvn -B package; fi
CMD ["java", "-jar", "target/app.jar"]
`,
      findings: [{ line: 4, message: '`mvn package`' }],
    },
    {
      name: 'two ecosystems: one finding each',
      code: `FROM golang:1.22
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cd web && npm ci && npm run build
RUN go build -o /app . && go build -o /tool ./cmd/tool
CMD ["/app"]
`,
      findings: [
        { line: 4, message: '`npm run build`' },
        { line: 5, message: '`go build`' },
      ],
    },
    {
      name: 'dotnet publish in the SDK image',
      code: 'FROM mcr.microsoft.com/dotnet/sdk:8.0\nWORKDIR /src\nCOPY . .\nRUN dotnet publish -c Release -o /app\nENTRYPOINT ["dotnet", "/app/App.dll"]\n',
      findings: [{ line: 4, message: '`dotnet publish`' }],
    },
  ],
});
