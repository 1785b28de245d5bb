// Writes V8's code cache for the bundled command line (bin/cli-loader.js
// reads it): compiles the bundle as the loader does, runs a one-file `pare
// lint` of a Dockerfile in the usual shape, then saves what V8 compiled. Run by
// bundle-cli.mjs in a directory of its own (no project config is found), with
// stdout ignored.
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_CODE_CACHE, compileCli, runCompiledCli } from '../bin/cli-loader.js';

const DOCKERFILE = `FROM node:20-bookworm
WORKDIR /app
RUN apt-get update && apt-get install -y curl ca-certificates \\
    && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
ENV NODE_ENV=production
EXPOSE 3000
HEALTHCHECK CMD curl -f http://localhost:3000/health || exit 1
CMD ["node", "server.js"]
`;

const dir = mkdtempSync(join(tmpdir(), 'pare-code-cache-'));
try {
  const dockerfile = join(dir, 'Dockerfile');
  writeFileSync(dockerfile, DOCKERFILE);
  const script = compileCli();
  const cli = runCompiledCli(script);
  const code = await cli.main(['lint', '--fail-on', 'none', dockerfile]);
  if (code !== 0) throw new Error(`pare lint exited ${code} while warming the code cache`);
  const temporary = `${CLI_CODE_CACHE}.${process.pid}`;
  writeFileSync(temporary, script.createCachedData());
  renameSync(temporary, CLI_CODE_CACHE);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
