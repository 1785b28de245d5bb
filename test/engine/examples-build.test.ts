/**
 * The examples in examples/ are real: for each one, the Dockerfile (as a
 * beginner, or a real project, writes it) and the expert one(s) (as written by
 * hand with the seed articles' techniques) build with BuildKit against the local
 * base images (pare-base/* and the stand-ins tagged with Docker Hub and private
 * names), run, answer the probe of the example's .pare.json (with its env) with
 * the expected output, and the expert image is smaller than the original one.
 *
 * Talks to /usr/bin/docker directly (Debian's 20.10 client, which has BuildKit
 * via DOCKER_BUILDKIT=1), independently of pare's own engine module, so that it
 * checks the examples and not pare. Everything created carries the label
 * org.pare.test=examples (and org.pare.test.run=<id> for this run) and is
 * removed in afterAll, also when a build or a probe fails. Leftovers of a killed
 * run: `docker rm -f $(docker ps -aq -f label=org.pare.test=examples)` and
 * `docker rmi $(docker images -q -f label=org.pare.test=examples)`.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const DOCKER = '/usr/bin/docker';
const REQUIRED = process.env.PARE_ENGINE_TESTS === '1';
const LABEL = 'org.pare.test=examples';
const RUN_ID = randomBytes(4).toString('hex');
const RUN_LABEL = `org.pare.test.run=${RUN_ID}`;
const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
const ENV = { ...process.env, DOCKER_BUILDKIT: '1' };
const HTTP_READY_TIMEOUT_MS = 60_000;
const CMD_TIMEOUT_MS = 60_000;
/** PARE_EXAMPLES_NO_CACHE=1 builds with --no-cache: what a cold CI run costs, without pruning anyone's cache. */
const NO_CACHE = process.env.PARE_EXAMPLES_NO_CACHE === '1';

const exec = promisify(execFile);

type Expected = { status: number; body: string } | { exitCode: number; stdout: string };

interface Example {
  name: string;
  /** Dockerfiles other than the naive `Dockerfile`, by variant name. */
  experts: Record<string, string>;
  expected: Expected;
  /** Upper bound on every expert image (bytes): catches a regression of the technique, not just "smaller". */
  maxExpertBytes: number;
}

const MB = 1_000_000;

const TABLE: Example[] = [
  {
    name: 'go-http',
    experts: { expert: 'Dockerfile.expert' },
    expected: {
      status: 200,
      body:
        '{"count":2,"items":[{"id":"b2","name":"pour-over kettle","priceCents":3900,"tags":["kitchen","coffee"]},' +
        '{"id":"c3","name":"hand grinder","priceCents":5500,"tags":["coffee"]}]}\n',
    },
    maxExpertBytes: 10 * MB,
  },
  {
    name: 'c-cli',
    experts: { expert: 'Dockerfile.expert' },
    expected: { exitCode: 0, stdout: '2 * (3 + 4) = 14\n2 ^ 10 = 1024\n' },
    maxExpertBytes: 2 * MB,
  },
  {
    name: 'rust-cli',
    experts: { expert: 'Dockerfile.expert' },
    expected: { exitCode: 0, stdout: '1994 -> MCMXCIV\nMMXXIV -> 2024\n' },
    maxExpertBytes: 5 * MB,
  },
  {
    name: 'python-api',
    experts: { expert: 'Dockerfile.expert' },
    // "sqlite": 3 comes from sqlite3.sqlite_version_info: the slim image still imports sqlite3.
    expected: {
      status: 200,
      body: '{"byTag": {"errands": 2, "home": 1, "work": 1}, "sqlite": 3, "total": 4}',
    },
    maxExpertBytes: 130 * MB,
  },
  {
    name: 'node-express',
    experts: { expert: 'Dockerfile.expert' },
    expected: {
      status: 200,
      body:
        '{"count":3,"products":[{"sku":"BEAN-ETH-250","name":"Ethiopia Guji, 250 g","priceCents":1450,"stock":12},' +
        '{"sku":"GEAR-V60-02","name":"V60 dripper, size 02","priceCents":2490,"stock":5},' +
        '{"sku":"GEAR-SCALE","name":"Brewing scale","priceCents":3990,"stock":3}]}',
    },
    maxExpertBytes: 200 * MB,
  },
  {
    name: 'java-app',
    experts: { expert: 'Dockerfile.expert', 'expert-jre': 'Dockerfile.expert-jre' },
    expected: { status: 200, body: '{"message":"Bonjour, Ada!"}' },
    maxExpertBytes: 320 * MB,
  },
  // The real-shape apps (examples/README.md): their bases are the local stand-ins
  // .ci/provision-engine.sh tags with Docker Hub and private names.
  {
    name: 'node-multistage-init',
    experts: { expert: 'Dockerfile.expert' },
    expected: {
      status: 200,
      body:
        '{"date":"2025-03-14","minMinutes":30,"rooms":[' +
        '{"room":"atlas","seats":8,"freeMinutes":450,"slots":[{"start":"08:00","end":"09:00"},{"start":"10:30","end":"14:00"},{"start":"15:00","end":"18:00"}]},' +
        '{"room":"borealis","seats":4,"freeMinutes":570,"slots":[{"start":"08:00","end":"11:00"},{"start":"11:30","end":"18:00"}]},' +
        '{"room":"cirrus","seats":12,"freeMinutes":60,"slots":[{"start":"08:00","end":"08:30"},{"start":"17:30","end":"18:00"}]},' +
        '{"room":"delta","seats":2,"freeMinutes":555,"slots":[{"start":"08:00","end":"16:00"},{"start":"16:45","end":"18:00"}]},' +
        '{"room":"ember","seats":6,"freeMinutes":600,"slots":[{"start":"08:00","end":"18:00"}]}]}',
    },
    maxExpertBytes: 200 * MB,
  },
  {
    name: 'spa-http-server',
    experts: { expert: 'Dockerfile.expert' },
    // http-server sends the file as it is in public/ (Vite copies it into dist/ unchanged).
    expected: {
      status: 200,
      body: readFileSync(join(EXAMPLES, 'spa-http-server', 'public', 'data', 'trails.json'), 'utf8'),
    },
    maxExpertBytes: 200 * MB,
  },
  {
    name: 'node-entrypoint-env',
    experts: { expert: 'Dockerfile.expert' },
    // Needs MONGO_URL to start (the probe's env); the database is never contacted.
    expected: {
      status: 200,
      body:
        '{"service":"orders-service","version":"2.3.1","environment":"production","mongo":{"scheme":"mongodb",' +
        '"hosts":["mongo-0.db.internal:27017","mongo-1.db.internal:27017"],"database":"orders","user":"orders",' +
        '"options":{"replicaSet":"rs0","authSource":"admin"}},"exports":true}',
    },
    maxExpertBytes: 200 * MB,
  },
  {
    name: 'go-multistage-debian',
    experts: { expert: 'Dockerfile.expert' },
    expected: {
      status: 200,
      body:
        '{"env":"production","flags":[' +
        '{"key":"checkout.new-payment-page","enabled":false,"reason":"bucket 43, rollout 25%"},' +
        '{"key":"legacy.xml-feed","enabled":false,"reason":"off in production"},' +
        '{"key":"orders.csv-export","enabled":true,"reason":"on in production"},' +
        '{"key":"reviews.photo-upload","enabled":true,"reason":"allow-list"},' +
        '{"key":"search.typo-tolerance","enabled":false,"reason":"bucket 78, rollout 10%"}],' +
        '"user":"u-1042","version":41}\n',
    },
    maxExpertBytes: 10 * MB,
  },
  {
    name: 'python-private-base',
    experts: { expert: 'Dockerfile.expert' },
    expected: {
      status: 200,
      body:
        '{"status":"partial_outage","components":6,"byStatus":{"degraded":["search"],' +
        '"operational":["backoffice","checkout","ci","web"],"outage":["payments-webhooks"]},' +
        '"openIncidents":[{"id":119,"component":"payments-webhooks","severity":"major"},' +
        '{"id":118,"component":"search","severity":"minor"}],"meanMinutesToResolve":61.5,"schema":4}',
    },
    maxExpertBytes: 130 * MB,
  },
  {
    name: 'node-private-base',
    experts: { expert: 'Dockerfile.expert' },
    expected: {
      status: 200,
      body: '{"from":"EUR","to":"JPY","amount":"250.00","rate":"163.120000","feeBps":75,"fee":"306","total":"40474","ratesDate":"2025-06-02"}',
    },
    maxExpertBytes: 200 * MB,
  },
];

// ---------------------------------------------------------------- probes

type Probe = ({ kind: 'http'; port: number; path: string } | { kind: 'cmd'; args: string[] }) & {
  /** optimize.probe.env: the environment of the probe's containers. */
  env: Record<string, string>;
};

/** The probe of examples/NAME/.pare.json, read the way examples/README.md defines it. */
function readProbe(name: string): Probe {
  const config = JSON.parse(readFileSync(join(EXAMPLES, name, '.pare.json'), 'utf8'));
  const probe = config.optimize?.probe ?? {};
  const env: Record<string, string> = probe.env ?? {};
  if (typeof probe.http === 'string') {
    const match = /^:(\d+)(\/.*)?$/.exec(probe.http);
    if (!match) throw new Error(`${name}/.pare.json: bad http probe ${probe.http}`);
    return { kind: 'http', port: Number(match[1]), path: match[2] ?? '/', env };
  }
  if (typeof probe.cmd === 'string') return { kind: 'cmd', args: splitWords(probe.cmd), env };
  throw new Error(`${name}/.pare.json: no http or cmd probe`);
}

function envArgs(env: Record<string, string>): string[] {
  return Object.entries(env).flatMap(([key, value]) => ['--env', `${key}=${value}`]);
}

/** POSIX-shell-like word splitting: quotes and backslashes, no expansion. */
function splitWords(text: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated ' in ${text}`);
      word = (word ?? '') + text.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      word ??= '';
      for (i++; i < text.length && text[i] !== '"'; i++) {
        if (text[i] === '\\' && '"\\$`'.includes(text[i + 1] ?? '')) i++;
        word += text[i];
      }
      if (i >= text.length) throw new Error(`unterminated " in ${text}`);
    } else if (c === '\\') {
      word = (word ?? '') + (text[++i] ?? '');
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

// ---------------------------------------------------------------- docker

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function docker(args: string[], timeoutMs = 60_000): Promise<string> {
  const { stdout } = await exec(DOCKER, args, { env: ENV, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** Why the examples cannot be built here, or undefined when they can. */
async function engineMissing(): Promise<string | undefined> {
  try {
    await docker(['info'], 30_000);
  } catch (error) {
    // Docker 20.10 prints the daemon error ("Cannot connect to the Docker daemon…") on stdout.
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    const lines = `${stdout}\n${stderr}\n${(error as Error).message}`
      .split('\n')
      .filter((l) => l.trim() !== '');
    const reason =
      lines.find((l) => /cannot connect|permission denied|no such file/i.test(l)) ?? lines.at(-1)!;
    return `${DOCKER} info failed (no container engine reachable): ${reason.trim()}`;
  }
  // Every base a FROM names, other than scratch and the file's own stages: the
  // pare-base images and the stand-ins tagged with Docker Hub and private names.
  const bases = new Set<string>();
  for (const example of TABLE) {
    for (const file of ['Dockerfile', ...Object.values(example.experts)]) {
      const text = readFileSync(join(EXAMPLES, example.name, file), 'utf8');
      const stages = new Set<string>();
      for (const match of text.matchAll(/^FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/gim)) {
        const base = match[1]!;
        if (base !== 'scratch' && !stages.has(base.toLowerCase())) bases.add(base);
        if (match[2]) stages.add(match[2].toLowerCase());
      }
    }
  }
  const missing: string[] = [];
  for (const base of bases) {
    await docker(['image', 'inspect', '--format', '{{.Id}}', base]).catch(() => missing.push(base));
  }
  if (missing.length > 0) return `base images missing: ${missing.join(', ')} (run .ci/provision-engine.sh)`;
  return undefined;
}

interface Built {
  tag: string;
  size: number;
  seconds: number;
}

/** docker build with BuildKit; the error carries the tail of the build log. */
function build(example: string, variant: string, dockerfile: string): Promise<Built> {
  const tag = `pare-test/examples-${example}:${variant}-${RUN_ID}`;
  const context = join(EXAMPLES, example);
  const args = ['build', '--progress=plain', '--label', LABEL, '--label', RUN_LABEL];
  if (NO_CACHE) args.push('--no-cache');
  args.push('-f', join(context, dockerfile), '-t', tag, context);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(DOCKER, args, { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    const keep = (chunk: Buffer) => {
      log = (log + chunk.toString('utf8')).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', async (code) => {
      if (code !== 0) {
        const tail = log.trimEnd().split('\n').slice(-40).join('\n');
        reject(new Error(`${example}/${dockerfile}: docker build exited ${code}\n${tail}`));
        return;
      }
      try {
        const size = Number((await docker(['image', 'inspect', '--format', '{{.Size}}', tag])).trim());
        resolve({ tag, size, seconds: (Date.now() - started) / 1000 });
      } catch (error) {
        reject(error);
      }
    });
  });
}

function containerName(example: string, variant: string): string {
  return `pare-test-examples-${example}-${variant}-${RUN_ID}`;
}

async function removeContainer(name: string): Promise<void> {
  await docker(['rm', '--force', '--volumes', name]).catch(() => undefined);
}

/** Runs IMAGE ARGS… (ENTRYPOINT kept, CMD replaced) and returns its exit code and stdout. */
async function runCommand(
  image: string,
  name: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ exitCode: number; stdout: string }> {
  const child = spawn(
    DOCKER,
    ['run', '--name', name, '--label', LABEL, '--label', RUN_LABEL, ...envArgs(env), image, ...args],
    {
      env: ENV,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  try {
    const exitCode = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${image} ${args.join(' ')}: still running after ${CMD_TIMEOUT_MS / 1000} s`)),
        CMD_TIMEOUT_MS,
      );
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve(code ?? -1);
      });
    });
    // 125-127 are docker's own failures (bad image, command not found), never the app's answer.
    if (exitCode >= 125 && exitCode <= 127)
      throw new Error(`docker run ${image} exited ${exitCode}: ${stderr.trim()}`);
    return { exitCode, stdout };
  } finally {
    child.kill();
    await removeContainer(name);
  }
}

/** Starts IMAGE with its own command, publishes PORT on 127.0.0.1, and GETs PATH once it answers. */
async function runHttp(
  image: string,
  name: string,
  port: number,
  path: string,
  env: Record<string, string>,
): Promise<{ status: number; body: string }> {
  await docker([
    'run',
    '--detach',
    '--name',
    name,
    '--label',
    LABEL,
    '--label',
    RUN_LABEL,
    '--publish',
    `127.0.0.1::${port}`,
    ...envArgs(env),
    image,
  ]);
  try {
    const mapping = (await docker(['port', name, `${port}/tcp`])).trim().split('\n')[0]!;
    const hostPort = mapping.slice(mapping.lastIndexOf(':') + 1);
    const url = `http://127.0.0.1:${hostPort}${path}`;
    const deadline = Date.now() + HTTP_READY_TIMEOUT_MS;
    let lastError = '';
    while (Date.now() < deadline) {
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
        return { status: response.status, body: await response.text() };
      } catch (error) {
        lastError = String((error as Error).cause ?? (error as Error).message);
      }
      const running = (
        await docker(['inspect', '--format', '{{.State.Running}} {{.State.ExitCode}}', name])
      ).trim();
      if (!running.startsWith('true')) {
        const logs = await docker(['logs', '--tail', '30', name]).catch(() => '');
        throw new Error(`${image} exited before answering on ${path} (${running}):\n${logs}`);
      }
      await sleep(250);
    }
    const logs = await docker(['logs', '--tail', '30', name]).catch(() => '');
    throw new Error(
      `${image}: no answer on ${url} within ${HTTP_READY_TIMEOUT_MS / 1000} s (${lastError})\n${logs}`,
    );
  } finally {
    await removeContainer(name);
  }
}

async function probe(image: string, name: string, spec: Probe): Promise<Expected> {
  return spec.kind === 'http'
    ? runHttp(image, name, spec.port, spec.path, spec.env)
    : runCommand(image, name, spec.args, spec.env);
}

async function cleanUpRun(): Promise<void> {
  const containers = (
    await docker(['ps', '--all', '--quiet', '--filter', `label=${RUN_LABEL}`]).catch(() => '')
  )
    .split('\n')
    .filter(Boolean);
  if (containers.length > 0)
    await docker(['rm', '--force', '--volumes', ...containers]).catch(() => undefined);
  const images = (await docker(['images', '--quiet', '--filter', `label=${RUN_LABEL}`]).catch(() => ''))
    .split('\n')
    .filter(Boolean);
  if (images.length > 0) await docker(['rmi', '--force', ...new Set(images)]).catch(() => undefined);
}

// ---------------------------------------------------------------- tests

const missing = await engineMissing();
const results: string[] = [];

if (missing !== undefined && REQUIRED) {
  describe('examples build and run', () => {
    it('has a container engine and the base images (PARE_ENGINE_TESTS=1)', () => {
      throw new Error(`PARE_ENGINE_TESTS=1 but ${missing}`);
    });
  });
} else if (missing !== undefined) {
  describe.skip(`examples build and run (skipped: ${missing})`, () => {
    it('needs a container engine', () => {});
  });
} else {
  describe('examples build and run', () => {
    afterAll(async () => {
      await cleanUpRun();
      if (results.length > 0) console.log(`examples (run ${RUN_ID}):\n${results.join('\n')}`);
    });

    for (const example of TABLE) {
      describe(example.name, () => {
        const spec = readProbe(example.name);
        const variants = { naive: 'Dockerfile', ...example.experts };
        const built: Record<string, Built> = {};

        beforeAll(async () => {
          // Two at a time (the CI machine has two cores); allSettled so a failed
          // build does not leave its sibling running past afterAll's cleanup.
          const entries = Object.entries(variants);
          for (let i = 0; i < entries.length; i += 2) {
            const settled = await Promise.allSettled(
              entries.slice(i, i + 2).map(async ([variant, file]) => {
                built[variant] = await build(example.name, variant, file);
              }),
            );
            const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
            if (failed) throw failed.reason;
          }
        });

        afterAll(async () => {
          for (const [variant, b] of Object.entries(built)) {
            results.push(
              `  ${example.name.padEnd(21)} ${variant.padEnd(10)} ${String(b.size).padStart(11)} bytes  built in ${b.seconds.toFixed(1)} s`,
            );
          }
          const tags = Object.values(built).map((b) => b.tag);
          if (tags.length > 0) await docker(['rmi', '--force', ...tags]).catch(() => undefined);
        });

        for (const variant of Object.keys(variants)) {
          it(`${variant} answers the probe (${spec.kind === 'http' ? `GET :${spec.port}${spec.path}` : spec.args.join(' ')})`, async () => {
            const answer = await probe(built[variant]!.tag, containerName(example.name, variant), spec);
            expect(answer).toEqual(example.expected);
          });
        }

        for (const variant of Object.keys(example.experts)) {
          it(`${variant} is smaller than naive and under ${example.maxExpertBytes / MB} MB`, () => {
            const naive = built.naive!.size;
            const expert = built[variant]!.size;
            expect(expert).toBeLessThan(naive);
            expect(expert).toBeLessThanOrEqual(example.maxExpertBytes);
          });
        }
      });
    }
  });
}
