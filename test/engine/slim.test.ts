/**
 * `pare slim` against a real engine: an app built FROM pare-base/python with a
 * tiny stdlib HTTP server, slimmed with --tag, probed over HTTP by the CLI;
 * the slim image must be smaller, answer the same and still import sqlite3.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runSlim } from '../../src/cli/slim.js';
import { observe } from '../../src/engine/probe.js';
import { describeWithEngine, engineGate } from './engine-gate.js';

const gate = await engineGate();
const suffix = randomBytes(4).toString('hex');
const ORIGINAL = `pare-test/slim-py:${suffix}`;
const SLIM = `pare-test/slim-py:${suffix}-slim`;

const SERVER = `import http.server, json, sqlite3
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"path": self.path, "sqlite": sqlite3.sqlite_version}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)
http.server.HTTPServer(("0.0.0.0", 8000), H).serve_forever()
`;

const DOCKERFILE = `FROM pare-base/python:bookworm
RUN apt-get update && apt-get install -y --no-install-recommends sqlite3 || true
WORKDIR /app
COPY server.py .
EXPOSE 8000
CMD ["python3", "server.py"]
`;

describeWithEngine('pare slim (engine)', gate, (engine) => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pare-slim-engine-'));
    await writeFile(join(dir, 'server.py'), SERVER);
    await writeFile(join(dir, 'Dockerfile'), DOCKERFILE);
    await engine.build({ context: dir, tag: ORIGINAL });
  });
  afterAll(async () => {
    await engine.removeImage(SLIM, { force: true });
    await engine.removeImage(ORIGINAL, { force: true });
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes a smaller image that answers the same and imports sqlite3', async () => {
    let out = '';
    const sink = {
      write: (s: string) => {
        out += s;
        return true;
      },
    } as unknown as NodeJS.WritableStream;
    const io = { stdout: sink, stderr: sink };
    const report = join(dir, 'report.json');
    const code = await runSlim(
      `docker-daemon:${ORIGINAL}`,
      { tag: SLIM, probeHttp: ':8000/health', report },
      io,
    );
    expect(code, out).toBe(0);
    expect(out).toMatch(/verdict: same behaviour/);

    const [before, after] = await Promise.all([engine.imageInspect(ORIGINAL), engine.imageInspect(SLIM)]);
    expect(after.Size).toBeLessThan(before.Size);
    expect(after.Config?.Cmd).toEqual(before.Config?.Cmd);
    expect(after.Config?.WorkingDir).toBe(before.Config?.WorkingDir);
    expect(after.Config?.Labels?.['org.pare.slim.version']).toBeDefined();

    const probe = { kind: 'http', port: 8000, path: '/x' } as const;
    const [a, b] = [await observe(engine, ORIGINAL, probe), await observe(engine, SLIM, probe)];
    expect(b.fingerprint).toBe(a.fingerprint);

    const imported = await engine.run({
      image: SLIM,
      cmd: ['python3', '-c', 'import sqlite3, ssl, json, zoneinfo; print(sqlite3.sqlite_version)'],
      timeoutMs: 60_000,
    });
    expect(imported.exitCode, imported.stderr).toBe(0);

    const json = JSON.parse(await readFile(report, 'utf8'));
    expect(json.removedBytes).toBeGreaterThan(0);
    for (const item of json.removed) expect(item.reason).toMatch(/^[a-z-]+$/);
  });
});
