import { staticBinaryOnDistroBase } from '../../src/rules/base/static-binary-on-distro-base.js';
import { testRule } from '../helpers/rule-tester.js';

const BUILD = [
  'FROM golang:1.22 AS build',
  'WORKDIR /src',
  'COPY . .',
  'RUN CGO_ENABLED=0 go build -ldflags="-s -w" -o /out/app .',
].join('\n');

testRule(staticBinaryOnDistroBase, {
  valid: [
    `${BUILD}\nFROM gcr.io/distroless/static-debian12\nCOPY --from=build /out/app /app\nCMD ["/app"]\n`,
    `${BUILD}\nFROM alpine:3.20\nCOPY --from=build /out/app /app\nCMD ["/app"]\n`,
    {
      name: 'a cgo binary needs glibc',
      code: 'FROM golang:1.22 AS build\nRUN go build -o /out/app .\nFROM debian:12-slim\nCOPY --from=build /out/app /app\nCMD ["/app"]\n',
    },
    {
      name: 'the image installs more than certificates: it uses the distribution',
      code: `${BUILD}\nFROM debian:12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends ca-certificates ffmpeg\nCOPY --from=build /out/app /app\nCMD ["/app"]\n`,
    },
    {
      name: 'a shell-form command needs /bin/sh',
      code: `${BUILD}\nFROM ubuntu:24.04\nCOPY --from=build /out/app /app\nCMD /app --port $PORT\n`,
    },
    {
      name: "the team's allowed base",
      code: `${BUILD}\nFROM debian:12-slim\nCOPY --from=build /out/app /app\nCMD ["/app"]\n`,
      policy: { allowed: ['debian:12-slim'] },
    },
    {
      name: 'a dynamically linked Rust binary',
      code: 'FROM rust:1.79 AS build\nWORKDIR /src\nCOPY . .\nRUN cargo build --release\nFROM debian:12-slim\nCOPY --from=build /src/target/release/app /app\nCMD ["/app"]\n',
    },
  ],
  invalid: [
    {
      name: 'CGO_ENABLED=0 onto ubuntu',
      code: `${BUILD}\nFROM ubuntu:22.04\nCOPY --from=build /out/app /\nCMD ["/app"]\n`,
      findings: [
        {
          line: 5,
          message: 'ubuntu:22.04 (~78 MB) is a whole distribution under a static binary (built at line 4)',
          severity: 'warning',
          minSaving: 70e6,
        },
      ],
    },
    {
      name: 'debian slim with only CA certificates and a user',
      code: `${BUILD}\nFROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/* && useradd -r app\nCOPY --from=build /out/app /usr/local/bin/app\nUSER app\nENTRYPOINT ["app"]\n`,
      findings: [{ line: 5, message: 'gcr.io/distroless/static-debian12' }],
    },
    {
      name: 'a musl Rust binary and a -static C one',
      code: [
        'FROM rust:1.79-alpine AS rs',
        'RUN cargo build --release --target x86_64-unknown-linux-musl',
        'FROM gcc:13 AS c',
        'RUN gcc -O2 -static -o /hello hello.c',
        'FROM debian:12',
        'COPY --from=rs /target/x86_64-unknown-linux-musl/release/app /app',
        'COPY --from=c /hello /hello',
        'ENTRYPOINT ["/app"]',
        '',
      ].join('\n'),
      findings: [{ line: 5, message: 'debian:12' }],
    },
  ],
});
