import { apkCache } from '../../src/rules/packages/apk-cache.js';
import { testRule } from '../helpers/rule-tester.js';

testRule(apkCache, {
  valid: [
    {
      name: '--no-network installs from what is there and fetches no index',
      code: 'FROM alpine:3.20\nRUN apk add --no-cache --virtual .build-deps gcc make && make && runDeps="so:libssl.so.3" && apk add --no-network --virtual .rundeps $runDeps && apk del --no-network .build-deps\n',
    },
    {
      name: 'seed 001: apk add --no-cache',
      code: 'FROM alpine:3.20\nRUN apk add --no-cache tzdata ca-certificates\n',
    },
    {
      name: 'seed 000: update, add and rm of the cache in one RUN',
      code: 'FROM alpine:3.20\nRUN apk update && \\\n   apk add ca-certificates && \\\n   rm -rf /var/cache/apk/*\n',
    },
    { name: 'global option before add', code: 'FROM alpine:3.20\nRUN apk --no-cache add curl\n' },
    {
      name: 'seed 000 builder: apk add in a stage that is not shipped',
      code: 'FROM python:3.12-alpine AS build\nRUN apk add gcc musl-dev\nRUN pip wheel -w /wheels -r requirements.txt\nFROM python:3.12-alpine\nCOPY --from=build /wheels /wheels\n',
    },
    {
      name: 'cache mount',
      code: '# syntax=docker/dockerfile:1\nFROM alpine:3.20\nRUN --mount=type=cache,target=/var/cache/apk apk update && apk add git\n',
    },
    { name: 'apk del only', code: 'FROM alpine:3.20\nRUN apk del .build-deps\n' },
    {
      name: 'heredoc with --no-cache',
      code: '# syntax=docker/dockerfile:1\nFROM alpine:3.20\nRUN <<EOF\napk add --no-cache bash\nEOF\n',
    },
  ],
  invalid: [
    {
      name: 'apk add without --no-cache',
      code: 'FROM alpine:3.20\nRUN apk add tzdata ca-certificates\n',
      findings: [
        { line: 2, message: 'add --no-cache', severity: 'warning', minSaving: 1_000_000, fixable: true },
      ],
      output: 'FROM alpine:3.20\nRUN apk add --no-cache tzdata ca-certificates\n',
    },
    {
      name: '--update becomes redundant and is dropped; --virtual kept',
      code: 'FROM alpine:3.20\nRUN apk --update add --virtual .build-deps gcc musl-dev && pip install psycopg2 && apk del .build-deps\n',
      findings: [{ line: 2 }],
      output:
        'FROM alpine:3.20\nRUN apk add --no-cache --virtual .build-deps gcc musl-dev && pip install psycopg2 && apk del .build-deps\n',
    },
    {
      name: 'apk update without a cleanup: one finding, cleanup appended',
      code: 'FROM alpine:3.20\nRUN apk update && apk add curl && echo ok\n',
      findings: [{ line: 2, message: '`apk update`' }],
      output: 'FROM alpine:3.20\nRUN apk update && apk add curl && rm -rf /var/cache/apk/* && echo ok\n',
    },
    {
      name: 'cleanup in a later RUN does not help',
      code: 'FROM alpine:3.20\nRUN apk update && apk add --no-cache curl\nRUN rm -rf /var/cache/apk/*\n',
      findings: [{ line: 2 }],
      output:
        'FROM alpine:3.20\nRUN apk update && apk add --no-cache curl && rm -rf /var/cache/apk/*\nRUN rm -rf /var/cache/apk/*\n',
    },
    {
      name: 'escape directive, comment in a continuation, each add reported',
      code: [
        '# escape=`',
        'FROM alpine:3.20',
        'RUN apk add git `',
        '    # and the shell',
        '    bash && apk add -U jq',
        '',
      ].join('\n'),
      findings: [{ line: 3 }, { line: 5 }],
      output: [
        '# escape=`',
        'FROM alpine:3.20',
        'RUN apk add --no-cache git `',
        '    # and the shell',
        '    bash && apk add --no-cache jq',
        '',
      ].join('\n'),
    },
    {
      name: 'heredoc',
      code: '# syntax=docker/dockerfile:1\nFROM alpine:3.20\nRUN <<EOF\nset -e\napk add curl\nEOF\n',
      findings: [{ line: 5 }],
      output:
        '# syntax=docker/dockerfile:1\nFROM alpine:3.20\nRUN <<EOF\nset -e\napk add --no-cache curl\nEOF\n',
    },
    {
      name: 'a mount elsewhere does not help; sh -c is reported without a fix',
      code: 'FROM alpine:3.20\nRUN --mount=type=cache,target=/root/.cache sh -c "apk add curl"\n',
      findings: [{ line: 2, fixable: false }],
    },
  ],
});
