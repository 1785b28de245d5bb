import { devToolsInFinalImage } from '../../src/rules/packages/dev-tools-in-final-image.js';
import { testRule } from '../helpers/rule-tester.js';

testRule(devToolsInFinalImage, {
  valid: [
    'FROM debian:12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends ca-certificates libpq5 && rm -rf /var/lib/apt/lists/*\n',
    {
      name: 'seed 002: compilers only in the builder',
      code: [
        'FROM python:3-alpine AS builder',
        'RUN apk add --no-cache g++ make libffi-dev',
        'RUN python -m venv /opt/venv && /opt/venv/bin/pip install -r requirements.txt',
        'FROM python:3-alpine',
        'COPY --from=builder /opt/venv /opt/venv',
        '',
      ].join('\n'),
    },
    {
      name: 'apk virtual package deleted in the same RUN',
      code: 'FROM python:3.12-alpine\nRUN apk add --no-cache --virtual .build-deps gcc musl-dev postgresql-dev && pip install --no-cache-dir psycopg2 && apk del .build-deps\n',
    },
    {
      name: 'apt-get purge in the same RUN',
      code: 'FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && make && apt-get purge -y --auto-remove gcc libc6-dev\n',
    },
    {
      name: 'official-image pattern: apt-mark auto + purge --auto-remove',
      code: [
        'FROM debian:12-slim',
        'RUN set -eux; \\',
        '    savedAptMark="$(apt-mark showmanual)"; \\',
        '    apt-get update; apt-get install -y --no-install-recommends gcc make libssl-dev; \\',
        '    make install; \\',
        "    apt-mark auto '.*' > /dev/null; apt-mark manual $savedAptMark; \\",
        '    apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false; \\',
        '    rm -rf /var/lib/apt/lists/*',
        '',
      ].join('\n'),
    },
    {
      name: 'curl used by the HEALTHCHECK is a runtime dependency',
      code: 'FROM debian:12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\nHEALTHCHECK CMD curl -fsS http://localhost:8080/health || exit 1\n',
    },
    {
      name: 'a dev image',
      code: 'FROM ubuntu:24.04 AS dev\nRUN apt-get update && apt-get install -y vim git build-essential\n',
    },
    {
      name: 'curl and wget the build never runs: the entrypoint script may (runtime dependencies)',
      code: 'FROM alpine:3.19\nRUN apk update && apk add bash curl jq wget\nCOPY run.sh /run.sh\nENTRYPOINT ["/run.sh"]\n',
    },
    {
      name: 'an installed tool the image starts is a runtime dependency; a runtime installer is not a build tool',
      code: 'FROM debian:12-slim\nRUN curl -sSL https://install.python-poetry.org | python3 -\nRUN curl -fsSL https://bun.sh/install | bash\nCMD ["poetry", "run", "serve"]\n',
    },
    {
      name: 'procps and less are kept on purpose (entrypoints use ps, psql uses less)',
      code: 'FROM debian:12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends procps less && rm -rf /var/lib/apt/lists/*\nCMD ["postgres"]\n',
    },
    {
      name: 'an image that purges its build dependencies keeps its other packages on purpose',
      code: [
        'FROM debian:bookworm-slim',
        'RUN apt-get update && apt-get install -y --no-install-recommends libssl-dev libyaml-dev zlib1g-dev && rm -rf /var/lib/apt/lists/*',
        'RUN savedAptMark="$(apt-mark showmanual)" && apt-get update && apt-get install -y gcc make && make install && apt-mark auto \'.*\' && apt-mark manual $savedAptMark && apt-get purge -y --auto-remove',
        'CMD ["irb"]',
        '',
      ].join('\n'),
    },
    {
      name: 'a base or tool image: a distribution or toolchain base and no CMD of its own',
      code: 'FROM buildpack-deps:bookworm-scm\nRUN apt-get update && apt-get install -y --no-install-recommends g++ gcc libc6-dev make pkg-config && rm -rf /var/lib/apt/lists/*\nENV PATH=/usr/local/go/bin:$PATH\n',
    },
    {
      name: 'opt-in debug tools in an if',
      code: 'FROM debian:12\nARG DEBUG=0\nRUN if [ "$DEBUG" = 1 ]; then apt-get update && apt-get install -y strace gdb; fi\n',
    },
  ],
  invalid: [
    {
      name: 'rustup and Poetry from their installer scripts',
      code: [
        'FROM debian:bookworm-slim',
        "RUN curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal",
        'RUN curl -sSL https://install.python-poetry.org | python3 -',
        'CMD ["/usr/local/bin/app"]',
        '',
      ].join('\n'),
      findings: [
        { line: 2, message: 'rustup and the Rust toolchain', severity: 'warning' },
        { line: 3, message: 'Poetry' },
      ],
    },
    {
      name: 'seed 000: gcc and musl-dev in the final alpine image',
      code: 'FROM python:3.6.5-alpine\nRUN apk add --no-cache gcc musl-dev\nRUN pip install -r requirements.txt\nCMD ["python", "app.py"]\n',
      findings: [
        {
          line: 2,
          message: 'gcc, musl-dev',
          severity: 'warning',
          fixable: false,
          minSaving: 100_000_000,
        },
      ],
    },
    {
      name: 'build-essential includes gcc (counted once) and -dev packages',
      code: 'FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends build-essential gcc libpq-dev && rm -rf /var/lib/apt/lists/*\n',
      findings: [{ line: 2, message: 'build-essential, gcc, libpq-dev' }],
    },
    {
      name: 'an editor, and wget the build used for a download: info when small',
      code: 'FROM debian:12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends nano wget && rm -rf /var/lib/apt/lists/*\nRUN wget -q -O /opt/data.csv https://example.com/data.csv\nCMD ["/app"]\n',
      findings: [{ line: 2, message: 'nano, wget', severity: 'info' }],
    },
    {
      name: 'only some packages removed; versions stripped; continuation with a comment',
      code: [
        'FROM debian:12',
        'RUN apt-get update && apt-get install -y --no-install-recommends \\',
        '    # toolchain',
        '    gcc=4:12.2.0-3 git vim \\',
        ' && apt-get purge -y gcc',
        'CMD ["/app"]',
        '',
      ].join('\n'),
      findings: [{ line: 2, message: 'git, vim' }],
    },
    {
      name: 'dnf group install and -devel',
      code: 'FROM rockylinux:9\nRUN dnf groupinstall -y "Development Tools" && dnf install -y openssl-devel && dnf clean all\nCMD ["/app"]\n',
      findings: [
        { line: 2, message: '@development-tools' },
        { line: 2, message: 'openssl-devel' },
      ],
    },
    {
      name: 'heredoc and sh -c',
      code: '# syntax=docker/dockerfile:1\nFROM alpine:3.20\nRUN <<EOF\napk add --no-cache git\nEOF\nRUN sh -c "apk add --no-cache strace"\nCMD ["/app"]\n',
      findings: [
        { line: 4, message: 'tools into the final image: git', minSaving: 15_000_000, severity: 'warning' },
        { line: 6, message: 'strace', severity: 'info' },
      ],
    },
    {
      name: 'final stage FROM a stage with the tools',
      code: 'FROM ubuntu:24.04 AS base\nRUN apt-get update && apt-get install -y --no-install-recommends cmake\nFROM base\nCMD ["/app"]\n',
      findings: [{ line: 2, message: 'cmake' }],
    },
  ],
});
