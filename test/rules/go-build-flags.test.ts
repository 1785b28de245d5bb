import { goBuildFlags } from '../../src/rules/base/go-build-flags.js';
import { testRule } from '../helpers/rule-tester.js';

const FINAL =
  'FROM gcr.io/distroless/static-debian12\nCOPY --from=build /out/app /app\nENTRYPOINT ["/app"]\n';

testRule(goBuildFlags, {
  valid: [
    {
      name: 'both flags, quoted with =',
      code: `FROM golang:1.22 AS build\nRUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/app .\n${FINAL}`,
    },
    {
      name: '-w -s order with extra flags, in a heredoc',
      code: `FROM golang:1.22 AS build
RUN <<EOF
set -e
CGO_ENABLED=0 go build -trimpath -ldflags '-w -s -X main.version=1.2.3' -o /out/app ./cmd/app
EOF
${FINAL}`,
    },
    {
      name: 'package pattern in -ldflags',
      code: `FROM golang:1.22 AS build\nRUN go build -trimpath -ldflags=all='-s -w' -o /out/app .\n${FINAL}`,
    },
    {
      name: 'GOFLAGS in ENV carries both',
      code: `FROM golang:1.22 AS build\nENV GOFLAGS="-trimpath -ldflags=-s"\nRUN --mount=type=cache,target=/root/.cache/go-build go build -o /out/app .\n${FINAL}`,
    },
    {
      name: 'stripped afterwards with upx in the builder',
      code: `FROM golang:1.22 AS build\nRUN go build -trimpath -o /out/app . && upx --best /out/app\n${FINAL}`,
    },
    {
      name: 'a build that is not copied into the final image',
      code: `FROM golang:1.22 AS tools\nRUN go build -o /out/gen ./cmd/gen\nFROM golang:1.22 AS build\nRUN go build -trimpath -ldflags='-s -w' -o /out/app .\n${FINAL}`,
    },
    {
      name: 'go build ./... compile check and go install of a tool',
      code: `FROM golang:1.22 AS build\nRUN go build ./... && go install golang.org/x/tools/cmd/stringer@latest\nRUN go build -trimpath -ldflags="-s -w" -o /out/app .\n${FINAL}`,
    },
  ],
  invalid: [
    {
      name: 'no flags at all (seed 004): both inserted after build',
      code: `FROM golang:1.17 as builder
WORKDIR /opt/app
COPY . .
RUN CGO_ENABLED=0 go build -o example
FROM scratch
COPY --from=builder /opt/app/example ./example
CMD ["/opt/app/example"]
`,
      findings: [
        {
          line: 4,
          message: "without -ldflags '-s -w' or -trimpath",
          severity: 'warning',
          fixable: true,
          minSaving: 1_000_000,
        },
      ],
      output: `FROM golang:1.17 as builder
WORKDIR /opt/app
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o example
FROM scratch
COPY --from=builder /opt/app/example ./example
CMD ["/opt/app/example"]
`,
    },
    {
      name: 'only -w in -ldflags (seed 001): -trimpath inserted, -s left to a hint',
      code: `FROM golang:latest AS build
WORKDIR /workspace
COPY . .
RUN CGO_ENABLED=0 go build -o app -ldflags '-w -extldflags "-static"' .
FROM scratch
COPY --from=build /workspace/app /usr/local/bin/app
CMD ["app"]
`,
      findings: [{ line: 4, message: 'keeps its symbol table', fixable: true }],
      output: `FROM golang:latest AS build
WORKDIR /workspace
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o app -ldflags '-w -extldflags "-static"' .
FROM scratch
COPY --from=build /workspace/app /usr/local/bin/app
CMD ["app"]
`,
    },
    {
      name: 'stripped but without -trimpath: info',
      code: `FROM golang:1.22 AS build\nRUN go build -ldflags="-s -w" -o /out/app .\n${FINAL}`,
      findings: [{ line: 2, severity: 'info', message: 'without -trimpath', fixable: false }],
    },
    {
      name: 'with CGO_ENABLED=0 the fix adds -trimpath too',
      code: `FROM golang:1.22 AS build\nRUN CGO_ENABLED=0 go build -o /out/app .\n${FINAL}`,
      findings: [{ line: 2, fixable: true }],
      output: `FROM golang:1.22 AS build\nRUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/app .\n${FINAL}`,
    },
    {
      name: 'single-stage build with a cache mount and a continuation with a comment',
      code: `FROM golang:1.22-alpine
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build \\
    # compile
    go \\
      build -o /usr/local/bin/app .
CMD ["app"]
`,
      findings: [{ line: 6, fixable: true }],
      output: `FROM golang:1.22-alpine
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build \\
    # compile
    go \\
      build -ldflags='-s -w' -o /usr/local/bin/app .
CMD ["app"]
`,
    },
    {
      name: 'inside sh -c: reported without a fix',
      code: `FROM golang:1.22 AS build\nRUN sh -c 'go build -o /out/app .'\n${FINAL}`,
      findings: [{ line: 2, fixable: false }],
    },
    {
      name: 'conditional build in the builder',
      code: `FROM golang:1.22 AS build\nRUN if [ -d cmd/app ]; then go build -o /out/app ./cmd/app; fi\n${FINAL}`,
      findings: [{ line: 2, fixable: true }],
      output: `FROM golang:1.22 AS build\nRUN if [ -d cmd/app ]; then go build -ldflags='-s -w' -o /out/app ./cmd/app; fi\n${FINAL}`,
    },
    {
      name: 'escape directive: ldflags with -X only gets a hint for -s -w',
      code: `# escape=\`\nFROM golang:1.22 AS build\nRUN go build -trimpath -ldflags "-X main.v=1" -o /out/app .\n${FINAL}`,
      findings: [{ line: 3, fixable: false, message: "without -ldflags '-s -w'" }],
    },
  ],
});
