import { copyWholeFilesystem } from '../../src/rules/base/copy-whole-filesystem.js';
import { testRule } from '../helpers/rule-tester.js';

testRule(copyWholeFilesystem, {
  valid: [
    {
      name: 'only the artifact is copied (seed 001)',
      code: `FROM golang:latest AS build
WORKDIR /workspace
COPY . .
RUN CGO_ENABLED=0 go build -o app -ldflags '-w -extldflags "-static"' .
FROM scratch
COPY --from=build /workspace/app /usr/local/bin/app
CMD ["app"]
`,
    },
    {
      name: 'squashing a prepared root filesystem onto scratch is a size technique',
      code: `ARG BASE=debian:12
FROM \${BASE} AS strip
RUN rm -rf /usr/share/doc/* /usr/share/man/* /usr/share/locale/*
FROM scratch
COPY --from=strip / /
CMD ["bash"]
`,
    },
    {
      name: 'copying / in a builder stage that is not the final image',
      code: `FROM alpine:3.20 AS rootfs
RUN apk add --no-cache ca-certificates
FROM golang:1.22 AS build
COPY --from=rootfs / /rootfs
RUN CGO_ENABLED=0 go build -o /rootfs/app .
FROM scratch
COPY --from=build /rootfs/etc/ssl /etc/ssl
COPY --from=build /rootfs/app /app
ENTRYPOINT ["/app"]
`,
    },
    {
      name: 'copying a directory into / is fine (seed 001 distroless nodejs)',
      code: `FROM node:8 as build
WORKDIR /app
COPY package.json index.js ./
RUN npm install
FROM gcr.io/distroless/nodejs
COPY --from=build /app /
EXPOSE 3000
CMD ["index.js"]
`,
    },
    {
      name: 'COPY . . from the build context (no --from)',
      code: 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD ["python", "app.py"]\n',
    },
    {
      name: 'copying /usr/local/bin from a stage',
      code: 'FROM rust:1.78 AS b\nRUN cargo install ripgrep\nFROM debian:12-slim\nCOPY --from=b /usr/local/cargo/bin/ /usr/local/bin/\n',
    },
  ],
  invalid: [
    {
      name: 'whole golang builder copied over debian',
      code: `FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go build -o /out/app .
FROM debian:12-slim
COPY --from=build / /
CMD ["/out/app"]
`,
      findings: [
        {
          line: 6,
          message: 'copies the whole filesystem of build (based on golang:1.22, ~814 MB)',
          severity: 'warning',
          fixable: false,
          minSaving: 800_000_000,
        },
      ],
    },
    {
      name: 'whole builder onto scratch when the builder compiled',
      code: `FROM alpine:3.20 AS build
RUN apk add --no-cache gcc musl-dev
COPY main.c .
RUN gcc -static -o /app main.c
FROM scratch
COPY --from=build / /
ENTRYPOINT ["/app"]
`,
      findings: [{ line: 6, message: 'whole filesystem of build' }],
    },
    {
      name: 'relative root `.` from a stage is the whole filesystem too',
      code: 'FROM node:20 AS deps\nRUN npm ci\nFROM node:20-slim\nCOPY --from=deps . /snapshot\nCMD ["node", "/snapshot/app/index.js"]\n',
      findings: [{ line: 4 }],
    },
    {
      name: 'from an image reference, into a later final stage',
      code: 'FROM debian:12-slim AS base\nFROM base\nCOPY --from=python:3.12 / /\nCMD ["python3"]\n',
      findings: [{ line: 3, message: 'of python:3.12 (based on python:3.12' }],
    },
    {
      name: 'whole filesystem with a glob and a cache-mount build',
      code: `FROM rust:1.78 AS build
RUN --mount=type=cache,target=/usr/local/cargo/registry cargo build --release
FROM gcr.io/distroless/cc-debian12
COPY --from=build /* /
ENTRYPOINT ["/target/release/app"]
`,
      findings: [{ line: 4 }],
    },
  ],
});
