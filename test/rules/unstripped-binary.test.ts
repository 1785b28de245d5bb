import { unstrippedBinary } from '../../src/rules/base/unstripped-binary.js';
import { testRule } from '../helpers/rule-tester.js';

testRule(unstrippedBinary, {
  valid: [
    {
      name: 'cargo --release with cache mounts',
      code: `# syntax=docker/dockerfile:1
FROM rust:1.78 AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \\
    cargo build --release --locked
FROM gcr.io/distroless/cc-debian12
COPY --from=build /src/target/release/app /app
ENTRYPOINT ["/app"]
`,
    },
    {
      name: 'gcc -s and -static',
      code: 'FROM gcc:13 AS b\nRUN gcc -static -s -O2 -o /hello hello.c\nFROM scratch\nCOPY --from=b /hello /hello\nCMD ["/hello"]\n',
    },
    {
      name: 'gcc -g stripped afterwards in the same RUN',
      code: 'FROM gcc:13 AS b\nRUN gcc -g -O2 -o /hello hello.c && strip /hello\nFROM debian:12-slim\nCOPY --from=b /hello /hello\nCMD ["/hello"]\n',
    },
    {
      name: 'debug build in a test stage that is not copied',
      code: `FROM rust:1.78 AS test
COPY . .
RUN cargo build && cargo test
FROM rust:1.78 AS build
COPY . .
RUN cargo build --release
FROM debian:12-slim
COPY --from=build /target/release/app /app
CMD ["/app"]
`,
    },
    {
      name: 'cargo install defaults to release',
      code: 'FROM rust:1.78 AS b\nRUN cargo install --path . --root /out\nFROM debian:12-slim\nCOPY --from=b /out/bin/app /app\nCMD ["/app"]\n',
    },
    {
      name: 'compile-only objects (-c) and install -s',
      code: 'FROM gcc:13 AS b\nRUN gcc -g -c util.c && gcc -o app main.c util.o && install -s app /usr/local/bin/app\nFROM debian:12-slim\nCOPY --from=b /usr/local/bin/app /app\nCMD ["/app"]\n',
    },
    {
      name: 'CMake Release build',
      code: 'FROM gcc:13 AS b\nRUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build\nFROM debian:12-slim\nCOPY --from=b /build/app /app\nCMD ["/app"]\n',
    },
  ],
  invalid: [
    {
      name: 'cargo build without --release; COPY path edited too',
      code: `FROM rust:1.78 AS build
WORKDIR /src
COPY . .
RUN cargo build
FROM debian:12-slim
COPY --from=build /src/target/debug/app /usr/local/bin/app
CMD ["app"]
`,
      findings: [{ line: 4, message: 'ships the debug profile', severity: 'warning', fixable: true }],
      output: `FROM rust:1.78 AS build
WORKDIR /src
COPY . .
RUN cargo build --release
FROM debian:12-slim
COPY --from=build /src/target/release/app /usr/local/bin/app
CMD ["app"]
`,
    },
    {
      name: 'dependency-cache dummy build and real build, musl target dir, heredoc',
      code: `FROM rust:1.78-alpine AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
RUN mkdir src && echo 'fn main() {}' > src/main.rs && cargo build --target x86_64-unknown-linux-musl
COPY src ./src
RUN <<EOF
touch src/main.rs
cargo build --locked --target x86_64-unknown-linux-musl
cp target/x86_64-unknown-linux-musl/debug/app /app
EOF
FROM scratch
COPY --from=build /app /app
ENTRYPOINT ["/app"]
`,
      findings: [{ line: 4 }, { line: 8 }],
      output: `FROM rust:1.78-alpine AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
RUN mkdir src && echo 'fn main() {}' > src/main.rs && cargo build --release --target x86_64-unknown-linux-musl
COPY src ./src
RUN <<EOF
touch src/main.rs
cargo build --release --locked --target x86_64-unknown-linux-musl
cp target/x86_64-unknown-linux-musl/release/app /app
EOF
FROM scratch
COPY --from=build /app /app
ENTRYPOINT ["/app"]
`,
    },
    {
      name: 'debug path in ENV: hint only',
      code: `FROM rust:1.78 AS build
WORKDIR /src
ENV BIN=/src/target/debug/app
RUN cargo build && cp $BIN /app
FROM debian:12-slim
COPY --from=build /app /app
CMD ["/app"]
`,
      findings: [{ line: 4, fixable: false }],
    },
    {
      name: 'gcc -g shipped without strip',
      code: 'FROM gcc:13 AS b\nWORKDIR /src\nRUN gcc -g -O0 -o app main.c\nFROM debian:12-slim\nCOPY --from=b /src/app /app\nCMD ["/app"]\n',
      findings: [
        { line: 3, message: 'gcc -g builds the shipped binary with debug info', severity: 'warning' },
      ],
    },
    {
      name: 'plain gcc link without -s: info',
      code: 'FROM gcc:13 AS b\nRUN gcc -O2 -o /hello hello.c\nFROM debian:12-slim\nCOPY --from=b /hello /hello\nCMD ["/hello"]\n',
      findings: [{ line: 2, severity: 'info', message: 'without -s' }],
    },
    {
      name: 'CMake Debug in a conditional chain',
      code: 'FROM gcc:13 AS b\nRUN test -f CMakeLists.txt && cmake -S . -B build -DCMAKE_BUILD_TYPE=Debug && cmake --build build\nFROM debian:12-slim\nCOPY --from=b /build/app /app\nCMD ["/app"]\n',
      findings: [{ line: 2, message: 'CMake Debug build' }],
    },
    {
      name: 'single-stage cargo build in the final image',
      code: 'FROM rust:1.78\nWORKDIR /src\nCOPY . .\nRUN cargo build\nCMD ["./target/debug/app"]\n',
      findings: [{ line: 4, fixable: true }],
      output:
        'FROM rust:1.78\nWORKDIR /src\nCOPY . .\nRUN cargo build --release\nCMD ["./target/release/app"]\n',
    },
  ],
});
