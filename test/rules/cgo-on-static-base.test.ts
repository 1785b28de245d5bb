import { cgoOnStaticBase } from '../../src/rules/base/cgo-on-static-base.js';
import { testRule } from '../helpers/rule-tester.js';

testRule(cgoOnStaticBase, {
  valid: [
    {
      name: 'CGO_ENABLED=0 prefix (seed 004 Dockerfile-5)',
      code: `FROM golang:1.17 as builder
WORKDIR /opt/app
COPY . .
RUN CGO_ENABLED=0 go build -o example
FROM alpine
WORKDIR /opt/app
COPY --from=builder /opt/app/example ./example
CMD ["/opt/app/example"]
`,
    },
    {
      name: 'ENV CGO_ENABLED=0 in the builder, cache mounts',
      code: `FROM golang:1.22 AS build
ENV CGO_ENABLED=0 GOOS=linux
WORKDIR /src
COPY go.* ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \\
    go build -o /out/app ./cmd/app
FROM gcr.io/distroless/static-debian12
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
`,
    },
    {
      name: 'ARG default, export in a heredoc, and go env -w',
      code: `FROM golang:1.22 AS a
ARG CGO_ENABLED=0
RUN go build -o /a .
FROM golang:1.22 AS b
RUN <<EOF
export CGO_ENABLED=0
go build -o /b .
EOF
FROM golang:1.22 AS c
RUN go env -w CGO_ENABLED=0
RUN go build -o /c .
FROM scratch
COPY --from=a /a /a
COPY --from=b /b /b
COPY --from=c /c /c
ENTRYPOINT ["/a"]
`,
    },
    {
      name: 'glibc runtime (seed 004: ubuntu runs the cgo binary)',
      code: `FROM golang:1.17 as builder
WORKDIR /opt/app
COPY . .
RUN go build -o example
FROM ubuntu:latest
COPY --from=builder /opt/app/example ./example
CMD ["/opt/app/example"]
`,
    },
    {
      name: 'musl builder to musl runtime (seed 000 golang:alpine → alpine)',
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
      name: 'C program linked with -static; external-link static Go',
      code: `FROM gcc:13 AS c
COPY hello.c .
RUN gcc -static -O2 -o /hello hello.c
FROM golang:1.22 AS go
RUN go build -ldflags '-linkmode external -extldflags "-static"' -o /srv .
FROM scratch
COPY --from=c /hello /hello
COPY --from=go /srv /srv
CMD ["/hello"]
`,
    },
    {
      name: 'the dynamic binary is built but a different file is copied',
      code: `FROM golang:1.22 AS build
WORKDIR /src
RUN go build -o /src/bin/debug-tool ./tools/debug
RUN CGO_ENABLED=0 go build -o /src/bin/app .
FROM scratch
COPY --from=build /src/bin/app /app
ENTRYPOINT ["/app"]
`,
    },
    {
      name: 'alpine runtime with gcompat',
      code: 'FROM golang:1.22 AS b\nRUN go build -o /app .\nFROM alpine:3.20\nRUN apk add --no-cache gcompat\nCOPY --from=b /app /app\nCMD ["/app"]\n',
    },
    {
      name: 'rust built for the musl target',
      code: `FROM rust:1.78 AS build
RUN rustup target add x86_64-unknown-linux-musl
COPY . .
RUN cargo build --release --target x86_64-unknown-linux-musl
FROM scratch
COPY --from=build /target/x86_64-unknown-linux-musl/release/app /app
ENTRYPOINT ["/app"]
`,
    },
    {
      name: 'rust for WebAssembly: no libc to miss',
      code: 'FROM rust:1.79 AS build\nRUN rustup target add wasm32-wasi\nWORKDIR /src\nCOPY . .\nRUN cargo build --release --target wasm32-wasi\nFROM scratch\nCOPY --from=build /src/target/wasm32-wasi/release/hello.wasm /hello.wasm\n',
    },
    {
      name: 'cargo install of a build tool is not the artifact; zigbuild builds for musl',
      code: [
        'FROM rust:1.79-slim-bookworm AS build',
        'RUN cargo install cargo-zigbuild',
        'WORKDIR /src',
        'COPY . .',
        'RUN cargo zigbuild --release --target x86_64-unknown-linux-musl',
        'FROM scratch',
        'COPY --from=build /src/target/x86_64-unknown-linux-musl/release/relay /relay',
        '',
      ].join('\n'),
    },
    {
      name: 'a target computed at build time is not claimed to be glibc',
      code: [
        'FROM ubuntu:22.04 AS build',
        'RUN echo x86_64-unknown-linux-musl > rust_target.txt',
        'RUN cargo install cargo-auditable --locked',
        'RUN cargo build --bin tool --target $(cat rust_target.txt) --release',
        'RUN cp target/$(cat rust_target.txt)/release/tool /tool',
        'FROM scratch',
        'COPY --from=build /tool /tool',
        '',
      ].join('\n'),
    },
  ],
  invalid: [
    {
      name: 'seed 004 question 2: CGO_ENABLED=0 removed, alpine runtime',
      code: `FROM golang:1.17 as builder
WORKDIR /opt/app
COPY . .
RUN go build -o example

FROM alpine
WORKDIR /opt/app
COPY --from=builder /opt/app/example ./example
CMD ["/opt/app/example"]
`,
      findings: [
        {
          line: 4,
          message: 'copied onto alpine (COPY on line 8) it will not start',
          severity: 'error',
          fixable: true,
        },
      ],
      output: `FROM golang:1.17 as builder
WORKDIR /opt/app
COPY . .
RUN CGO_ENABLED=0 go build -o example

FROM alpine
WORKDIR /opt/app
COPY --from=builder /opt/app/example ./example
CMD ["/opt/app/example"]
`,
    },
    {
      name: 'prefix assignments kept; fix inserted right before go, in a continued RUN',
      code: `FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go mod download \\
    # build the server
    && GOOS=linux GOARCH=amd64 go build -o /out/server ./cmd/server
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/server /server
ENTRYPOINT ["/server"]
`,
      findings: [{ line: 6, message: 'distroless/static-debian12:nonroot' }],
      output: `FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go mod download \\
    # build the server
    && GOOS=linux GOARCH=amd64 CGO_ENABLED=0 go build -o /out/server ./cmd/server
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/server /server
ENTRYPOINT ["/server"]
`,
    },
    {
      name: 'explicit CGO_ENABLED=1 onto scratch: error, no automatic fix',
      code: 'FROM golang:1.22 AS b\nENV CGO_ENABLED=1\nRUN go build -o /app .\nFROM scratch\nCOPY --from=b /app /app\nENTRYPOINT ["/app"]\n',
      findings: [{ line: 3, message: 'with CGO_ENABLED=1', fixable: false }],
    },
    {
      name: 'go build in sh -c: reported, not auto-fixed',
      code: `FROM golang:1.22 AS b
WORKDIR /src
RUN sh -c "go build -o /out/app ."
FROM scratch
COPY --from=b /out /
ENTRYPOINT ["/app"]
`,
      findings: [{ line: 3, fixable: false }],
    },
    {
      name: 'C program without -static onto alpine; fix adds -static',
      code: `FROM gcc:13 AS build
WORKDIR /src
COPY hello.c .
RUN gcc -O2 -o hello hello.c -lm
FROM alpine:3.20
COPY --from=build /src/hello /usr/local/bin/hello
CMD ["hello"]
`,
      findings: [{ line: 4, message: 'gcc links the binary dynamically against glibc' }],
      output: `FROM gcc:13 AS build
WORKDIR /src
COPY hello.c .
RUN gcc -static -O2 -o hello hello.c -lm
FROM alpine:3.20
COPY --from=build /src/hello /usr/local/bin/hello
CMD ["hello"]
`,
    },
    {
      name: 'C program linking a shared-only library: no automatic -static',
      code: 'FROM gcc:13 AS b\nRUN gcc -o /app main.c -lssl -lcrypto\nFROM scratch\nCOPY --from=b /app /app\nENTRYPOINT ["/app"]\n',
      findings: [{ line: 2, fixable: false }],
    },
    {
      name: 'golang:1.16-alpine builder onto scratch: cgo was on before Go 1.20 (seed 003)',
      code: `FROM golang:1.16-alpine AS build
WORKDIR /go/src/project/
COPY . /go/src/project/
RUN go build -o /bin/project
FROM scratch
COPY --from=build /bin/project /bin/project
ENTRYPOINT ["/bin/project"]
`,
      findings: [{ line: 4, message: 'links musl dynamically' }],
      output: `FROM golang:1.16-alpine AS build
WORKDIR /go/src/project/
COPY . /go/src/project/
RUN CGO_ENABLED=0 go build -o /bin/project
FROM scratch
COPY --from=build /bin/project /bin/project
ENTRYPOINT ["/bin/project"]
`,
    },
    {
      name: 'rust release binary (glibc) onto scratch',
      code: 'FROM rust:1.78 AS build\nWORKDIR /src\nCOPY . .\nRUN cargo build --release\nFROM scratch\nCOPY --from=build /src/target/release/app /app\nENTRYPOINT ["/app"]\n',
      findings: [{ line: 4, message: 'cargo builds for the glibc target by default', fixable: false }],
    },
    {
      name: 'rust for an explicit gnu target (zigbuild with a glibc version) onto scratch',
      code: 'FROM rust:1.79 AS build\nWORKDIR /src\nCOPY . .\nRUN cargo zigbuild --release --target x86_64-unknown-linux-gnu.2.17\nFROM scratch\nCOPY --from=build /src/target/x86_64-unknown-linux-gnu/release/app /app\n',
      findings: [{ line: 4, message: 'glibc target x86_64-unknown-linux-gnu.2.17' }],
    },
    {
      name: 'cargo install --path of the app itself',
      code: 'FROM rust:1.79 AS build\nWORKDIR /src\nCOPY . .\nRUN cargo install --path . --root /out\nFROM gcr.io/distroless/static-debian12\nCOPY --from=build /out/bin/app /app\n',
      findings: [{ line: 4 }],
    },
  ],
});
