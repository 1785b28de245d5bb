import { buildCacheInFinalImage } from '../../src/rules/packages/build-cache-in-final-image.js';
import { testRule } from '../helpers/rule-tester.js';

testRule(buildCacheInFinalImage, {
  valid: [
    {
      name: 'seed 004: multi-stage Go build',
      code: 'FROM golang:1.17 AS builder\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o example\nFROM scratch\nCOPY --from=builder /src/example /example\nCMD ["/example"]\n',
    },
    {
      name: 'cache mounts',
      code: [
        '# syntax=docker/dockerfile:1',
        'FROM golang:1.22',
        'RUN --mount=type=cache,target=/go/pkg/mod \\',
        '    --mount=type=cache,target=/root/.cache/go-build \\',
        '    go build -o /usr/local/bin/app .',
        '',
      ].join('\n'),
    },
    {
      name: 'go clean in the same RUN',
      code: 'FROM golang:1.22\nRUN go build -o /app . && go clean -cache -modcache\n',
    },
    {
      name: 'cargo with target and registry removed',
      code: 'FROM rust:1.79\nWORKDIR /src\nRUN cargo build --release && cp target/release/app /usr/local/bin/ && rm -rf target /usr/local/cargo/registry\n',
    },
    {
      name: 'maven repo removed',
      code: 'FROM maven:3.9-eclipse-temurin-21\nRUN mvn -B package && rm -rf ~/.m2\n',
    },
    { name: 'go version is not a build', code: 'FROM golang:1.22\nRUN go version && go env\n' },
    {
      name: 'gradle user home on a cache mount',
      code: '# syntax=docker/dockerfile:1\nFROM gradle:8-jdk21\nENV GRADLE_USER_HOME=/cache/gradle\nRUN --mount=type=cache,target=/cache gradle build --no-daemon\n',
    },
  ],
  invalid: [
    {
      name: 'seed 004: single-stage golang image',
      code: 'FROM golang:1.17\nWORKDIR /opt/app\nCOPY . .\nRUN go build -o example\nCMD ["/opt/app/example"]\n',
      findings: [
        {
          line: 4,
          message: 'Go build cache (/root/.cache/go-build) and Go module cache (/go/pkg/mod)',
          severity: 'warning',
          fixable: false,
          minSaving: 150_000_000,
        },
      ],
    },
    {
      name: 'go mod download then go build: the module cache is reported once',
      code: 'FROM golang:1.22-alpine\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o /app .\n',
      findings: [
        { line: 4, message: 'Go module cache' },
        { line: 6, message: /Go build cache \(\/root\/\.cache\/go-build\) in the final image/ },
      ],
    },
    {
      name: 'cargo: registry and target directory',
      code: 'FROM rust:1.79\nWORKDIR /usr/src/app\nCOPY . .\nRUN cargo build --release\nCMD ["./target/release/app"]\n',
      findings: [
        {
          line: 4,
          message: '/usr/local/cargo/registry) and Cargo target directory (/usr/src/app/target)',
          minSaving: 400_000_000,
        },
      ],
    },
    {
      name: 'maven wrapper; a mount elsewhere does not help',
      code: '# syntax=docker/dockerfile:1\nFROM eclipse-temurin:21-jdk\nWORKDIR /app\nRUN --mount=type=cache,target=/tmp ./mvnw -B -DskipTests package\n',
      findings: [{ line: 4, message: '/root/.m2/repository' }],
    },
    {
      name: 'gradle as a non-root user, continuation with a comment',
      code: 'FROM gradle:8-jdk21\nUSER gradle\nRUN gradle build \\\n    # no daemon in CI\n    --no-daemon\n',
      findings: [{ line: 3, message: '/home/gradle/.gradle' }],
    },
    {
      name: 'heredoc, conditional and sh -c: still in the layer',
      code: [
        '# syntax=docker/dockerfile:1',
        'FROM golang:1.22',
        'RUN <<EOF',
        'if [ -f go.mod ]; then go build ./...; fi',
        'EOF',
        'RUN sh -c "cargo install ripgrep"',
        '',
      ].join('\n'),
      findings: [{ line: 4 }, { line: 6, message: 'Cargo registry (/root/.cargo/registry)' }],
    },
    {
      name: 'final stage FROM a build stage; cleanup in a later RUN is too late',
      code: 'FROM golang:1.22 AS build\nRUN go install example.com/tool@latest\nFROM build\nRUN rm -rf /root/.cache/go-build /go/pkg/mod\n',
      findings: [{ line: 2 }],
    },
  ],
});
