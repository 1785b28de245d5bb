import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPare } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'pare-target-'));
const dockerfile = join(dir, 'Dockerfile');
writeFileSync(
  dockerfile,
  [
    'FROM golang:1.22 AS build',
    'WORKDIR /src',
    'COPY go.mod go.sum ./',
    'RUN go mod download',
    'COPY . .',
    'RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/app .',
    'FROM gcr.io/distroless/static-debian12:nonroot AS prod',
    'COPY --from=build /out/app /app',
    'ENTRYPOINT ["/app"]',
    'FROM build AS debug',
    'RUN apt-get update && apt-get install -y vim',
    '',
  ].join('\n'),
);

describe('pare lint --target / pare fix --target', () => {
  it('lints the stage a CI job builds', () => {
    const result = runPare(['lint', dockerfile, '--target', 'prod', '--format', 'json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).files[0].findings).toEqual([]);
  });

  it('fixes only what the target builds', () => {
    const result = runPare(['fix', dockerfile, '--target', 'prod', '--no-dockerignore']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
  });

  it('names the stages when the target is not one of them, exit 2', () => {
    const result = runPare(['lint', dockerfile, '--target', 'release']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      `pare: error: ${dockerfile}: --target release: no stage of that name (stages: build, prod, debug)`,
    );
  });
});
