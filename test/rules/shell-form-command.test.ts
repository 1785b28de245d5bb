import { shellFormCommand } from '../../src/rules/base/shell-form-command.js';
import { testRule } from '../helpers/rule-tester.js';

testRule(shellFormCommand, {
  valid: [
    {
      name: 'exec form on scratch (seed 004 Dockerfile-6)',
      code: `FROM golang:1.17 as builder
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
      name: 'shell form in a builder stage does not matter',
      code: 'FROM node:20 AS build\nCMD npm run dev\nFROM node:20-slim\nCOPY --from=build /app /app\nCMD ["node", "/app/index.js"]\n',
    },
    {
      name: 'overridden shell-form CMD: only the last one counts',
      code: 'FROM alpine:3.20\nCMD echo hello\nCMD ["/app"]\n',
    },
    {
      name: 'shell form that execs the app',
      code: 'FROM python:3.12-slim\nCOPY . /app\nCMD exec gunicorn --bind 0.0.0.0:$PORT app:app\n',
    },
    {
      name: 'HEALTHCHECK CMD is not a container command',
      code: 'FROM nginx:1.27-alpine\nHEALTHCHECK CMD wget -qO- http://localhost/ || exit 1\nCMD ["nginx", "-g", "daemon off;"]\n',
    },
    {
      name: 'shell-form ENTRYPOINT makes a shell-form CMD irrelevant (only the ENTRYPOINT is reported)',
      code: 'FROM alpine:3.20\nENTRYPOINT ["/app"]\n',
    },
    {
      name: 'escape directive, exec form',
      code: '# escape=`\nFROM mcr.microsoft.com/dotnet/aspnet:8.0\nCOPY out/ /app/\nENTRYPOINT ["dotnet", "/app/App.dll"]\n',
    },
  ],
  invalid: [
    {
      name: 'scratch has no /bin/sh: error with the runc message (seed 004 question 1)',
      code: `FROM golang:1.17 as builder
WORKDIR /opt/app
COPY . .
RUN CGO_ENABLED=0 go build -o example
FROM scratch
WORKDIR /opt/app
COPY --from=builder /opt/app/example ./example
CMD /opt/app/example
`,
      findings: [
        { line: 8, message: 'stat /bin/sh: no such file or directory', severity: 'error', fixable: true },
      ],
      output: `FROM golang:1.17 as builder
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
      name: 'distroless ENTRYPOINT with arguments',
      code: 'FROM gcr.io/distroless/static-debian12:nonroot\nCOPY app /app\nENTRYPOINT /app --port 8080\n',
      findings: [{ line: 3, severity: 'error', message: 'has no /bin/sh' }],
      output:
        'FROM gcr.io/distroless/static-debian12:nonroot\nCOPY app /app\nENTRYPOINT ["/app", "--port", "8080"]\n',
    },
    {
      name: 'warning on a base with a shell; simple command becomes exec form (seed 000 ENTRYPOINT ./goapp)',
      code: 'FROM alpine:3.20\nWORKDIR /app\nCOPY goapp .\nENTRYPOINT ./goapp\n',
      findings: [{ line: 4, severity: 'warning', message: 'makes /bin/sh PID 1' }],
      output: 'FROM alpine:3.20\nWORKDIR /app\nCOPY goapp .\nENTRYPOINT ["./goapp"]\n',
    },
    {
      name: 'quoted words are kept as single arguments',
      code: `FROM python:3.12-slim\nCMD python -m http.server "8000" --bind '0.0.0.0'\n`,
      findings: [{ line: 2, fixable: true }],
      output: 'FROM python:3.12-slim\nCMD ["python", "-m", "http.server", "8000", "--bind", "0.0.0.0"]\n',
    },
    {
      name: 'pipes and variables: no automatic fix, a hint instead',
      code: 'FROM node:20-slim\nENV PORT=3000\nCMD node server.js --port $PORT | tee /tmp/log\n',
      findings: [{ line: 3, fixable: false, severity: 'warning' }],
    },
    {
      name: 'chiseled .NET has no shell either; && is not simple',
      code: 'FROM mcr.microsoft.com/dotnet/aspnet:8.0-jammy-chiseled\nCOPY out /app\nENTRYPOINT cd /app && dotnet App.dll\n',
      findings: [{ line: 3, severity: 'error', fixable: false }],
    },
    {
      name: 'final FROM a scratch stage; leading exec is dropped',
      code: 'FROM scratch AS base\nCOPY app /app\nFROM base\nCMD exec /app serve\n',
      findings: [{ line: 4, severity: 'error' }],
      output: 'FROM scratch AS base\nCOPY app /app\nFROM base\nCMD ["/app", "serve"]\n',
    },
    {
      name: 'shell-form CMD with exec-form ENTRYPOINT is passed as sh -c arguments',
      code: 'FROM debian:12-slim\nENTRYPOINT ["/usr/local/bin/app"]\nCMD --config /etc/app.toml\n',
      findings: [{ line: 3, message: 'passed to the exec-form ENTRYPOINT' }],
      output: 'FROM debian:12-slim\nENTRYPOINT ["/usr/local/bin/app"]\nCMD ["--config", "/etc/app.toml"]\n',
    },
    {
      name: 'escape directive with a backtick; scratch with busybox copied in is only a warning',
      code: '# escape=`\nFROM scratch\nCOPY --from=busybox:1.36-musl /bin/busybox /bin/sh\nCOPY app /app\nCMD /app `\n  --verbose\n',
      findings: [{ line: 5, severity: 'warning', fixable: true }],
      output:
        '# escape=`\nFROM scratch\nCOPY --from=busybox:1.36-musl /bin/busybox /bin/sh\nCOPY app /app\nCMD ["/app", "--verbose"]\n',
    },
  ],
});
