// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here are Dockerfile variables
/**
 * Multi-stage conversion: each fixture under test/fixtures/multistage/<case>/
 * holds the original Dockerfile, optionally a build context (context/) and
 * options (options.json); the converted Dockerfile and the notes/warnings
 * are file snapshots next to it. Every result must parse, lint without the
 * findings the conversion exists to fix, and convert to nothing again.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extend, resetCatalogue, type UserBaseImageEntry } from '../../src/catalog/base-images.js';
import { openBuildContext } from '../../src/dockerfile/build-context.js';
import { parseDockerfile } from '../../src/dockerfile/parse.js';
import { contextFromFiles } from '../../src/rewrite/multistage/context.js';
import {
  type ConversionOptions,
  type ConversionResult,
  convertToMultiStage,
  loadConversionContext,
  tryConvertToMultiStage,
} from '../../src/rewrite/multistage/index.js';
import { allRules, lintModel } from '../../src/rules/index.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/multistage');
const MB = 1_000_000;

/** The locally built bases of .ci/bases (plus a Node runtime the tests assume), as a team's config declares them. */
const LOCAL_BASES: UserBaseImageEntry[] = [
  {
    name: 'pare-base/debian:bookworm',
    size: 120 * MB,
    libc: 'glibc',
    hasShell: true,
    packageManager: 'apt',
    kind: 'full-distro',
    ecosystem: 'generic',
  },
  {
    name: 'pare-base/debian:bookworm-slim',
    size: 75 * MB,
    libc: 'glibc',
    hasShell: true,
    packageManager: 'apt',
    kind: 'slim',
    ecosystem: 'generic',
  },
  {
    name: 'pare-base/golang:bookworm',
    size: 560 * MB,
    libc: 'glibc',
    hasShell: true,
    packageManager: 'apt',
    kind: 'toolchain',
    ecosystem: 'go',
  },
  {
    name: 'pare-base/gcc:bookworm',
    size: 300 * MB,
    libc: 'glibc',
    hasShell: true,
    packageManager: 'apt',
    kind: 'toolchain',
    ecosystem: 'c',
  },
  {
    name: 'pare-base/rust:bookworm',
    size: 700 * MB,
    libc: 'glibc',
    hasShell: true,
    packageManager: 'apt',
    kind: 'toolchain',
    ecosystem: 'rust',
  },
  {
    name: 'pare-base/python:bookworm',
    size: 190 * MB,
    libc: 'glibc',
    hasShell: true,
    packageManager: 'apt',
    kind: 'full-distro',
    ecosystem: 'python',
  },
  {
    name: 'pare-base/python:slim-bookworm',
    size: 110 * MB,
    libc: 'glibc',
    hasShell: true,
    packageManager: 'apt',
    kind: 'slim',
    ecosystem: 'python',
  },
  {
    name: 'pare-base/node:bookworm',
    size: 400 * MB,
    libc: 'glibc',
    hasShell: true,
    packageManager: 'apt',
    kind: 'full-distro',
    ecosystem: 'node',
  },
  {
    name: 'pare-base/node:slim-bookworm',
    size: 180 * MB,
    libc: 'glibc',
    hasShell: true,
    packageManager: 'apt',
    kind: 'slim',
    ecosystem: 'node',
  },
  {
    name: 'pare-base/java:bookworm',
    size: 480 * MB,
    libc: 'glibc',
    hasShell: true,
    packageManager: 'apt',
    kind: 'toolchain',
    ecosystem: 'java',
  },
  {
    name: 'pare-base/jre:bookworm',
    size: 230 * MB,
    libc: 'glibc',
    hasShell: true,
    packageManager: 'apt',
    kind: 'runtime',
    ecosystem: 'java',
  },
];

beforeAll(() => {
  resetCatalogue();
  extend(LOCAL_BASES);
});
afterAll(() => resetCatalogue());

/** Findings a converted Dockerfile must not have. */
const FIXED_RULES = new Set([
  'toolchain-base-in-final-image',
  'single-stage-build',
  'shell-form-command',
  'cgo-on-static-base',
]);

async function optionsFor(name: string): Promise<ConversionOptions> {
  const dir = join(FIXTURES, name);
  const options: ConversionOptions = existsSync(join(dir, 'options.json'))
    ? (JSON.parse(readFileSync(join(dir, 'options.json'), 'utf8')) as ConversionOptions)
    : {};
  if (existsSync(join(dir, 'context'))) options.context = await loadConversionContext(join(dir, 'context'));
  return options;
}

function report(result: ConversionResult): string {
  return [
    `ecosystem: ${result.ecosystem} (${result.mode})`,
    `builder: ${result.builderBase}`,
    `final: ${result.finalBase}`,
    `artifact: ${result.artifact.join(', ')}`,
    ...result.notes.map((note) => `note: ${note}`),
    ...result.warnings.map((warning) => `warning: ${warning}`),
    '',
  ].join('\n');
}

interface Case {
  name: string;
  ecosystem: ConversionResult['ecosystem'];
  finalBase: string;
  mode?: ConversionResult['mode'];
}

const CASES: Case[] = [
  { name: 'go-seed004', ecosystem: 'go', finalBase: 'scratch' },
  { name: 'go-seed004-no-context', ecosystem: 'go', finalBase: 'scratch' },
  { name: 'go-seed000-alpine', ecosystem: 'go', finalBase: 'scratch' },
  { name: 'go-local-base', ecosystem: 'go', finalBase: 'scratch' },
  { name: 'go-distroless', ecosystem: 'go', finalBase: 'gcr.io/distroless/static-debian12' },
  { name: 'c-gcc', ecosystem: 'c', finalBase: 'scratch' },
  { name: 'c-make', ecosystem: 'c', finalBase: 'scratch' },
  { name: 'c-dynamic', ecosystem: 'c', finalBase: 'pare-base/debian:bookworm-slim' },
  { name: 'rust', ecosystem: 'rust', finalBase: 'scratch' },
  { name: 'rust-dynamic', ecosystem: 'rust', finalBase: 'pare-base/debian:bookworm-slim' },
  { name: 'python-requirements', ecosystem: 'python', finalBase: 'python:3.6-slim' },
  { name: 'python-apt-flask', ecosystem: 'python', finalBase: 'pare-base/python:slim-bookworm' },
  { name: 'python-apt-only', ecosystem: 'python', finalBase: 'pare-base/python:slim-bookworm' },
  { name: 'python-no-deps', ecosystem: 'python', finalBase: 'pare-base/python:slim-bookworm' },
  { name: 'node-npm-build', ecosystem: 'node', finalBase: 'gcr.io/distroless/nodejs20-debian12' },
  { name: 'node-yarn', ecosystem: 'node', finalBase: 'node:18-alpine' },
  { name: 'node-no-build', ecosystem: 'node', finalBase: 'pare-base/node:slim-bookworm' },
  { name: 'java-maven', ecosystem: 'java', finalBase: 'eclipse-temurin:17-jre' },
  { name: 'java-javac', ecosystem: 'java', finalBase: 'pare-base/jre:bookworm' },
  { name: 'java-build-script', ecosystem: 'java', finalBase: 'pare-base/jre:bookworm' },
  { name: 'java-jlink', ecosystem: 'java', finalBase: 'pare-base/debian:bookworm-slim' },
  { name: 'multistage-go-ubuntu', ecosystem: 'go', finalBase: 'scratch', mode: 'final-base' },
  {
    name: 'multistage-jdk-final',
    ecosystem: 'java',
    finalBase: 'eclipse-temurin:17-jre',
    mode: 'final-base',
  },
  {
    name: 'multistage-python-full-final',
    ecosystem: 'python',
    finalBase: 'python:3.12-slim',
    mode: 'final-base',
  },
];

describe.each(CASES)('$name', ({ name, ecosystem, finalBase, mode }) => {
  async function convert(): Promise<ConversionResult> {
    const text = readFileSync(join(FIXTURES, name, 'Dockerfile'), 'utf8');
    const outcome = tryConvertToMultiStage(
      await parseDockerfile(text, `${name}/Dockerfile`),
      await optionsFor(name),
    );
    if (!outcome.converted) throw new Error(`not converted: ${outcome.reason}`);
    return outcome.result;
  }

  it('converts to the expected Dockerfile', async () => {
    const result = await convert();
    expect(result.ecosystem).toBe(ecosystem);
    expect(result.mode).toBe(mode ?? 'convert');
    expect(result.finalBase).toBe(finalBase);
    await expect(result.text).toMatchFileSnapshot(join(FIXTURES, name, 'Dockerfile.expected'));
    await expect(report(result)).toMatchFileSnapshot(join(FIXTURES, name, 'report.expected.txt'));
  });

  it('re-parses, lints without the findings it fixes, and converts to nothing again', async () => {
    const result = await convert();
    const model = await parseDockerfile(result.text, `${name}/Dockerfile.pare`);
    expect(model.stages.at(-1)!.base.raw).toBe(finalBase);
    const findings = await lintModel(model, { rules: allRules });
    expect(findings.filter((finding) => FIXED_RULES.has(finding.ruleId))).toEqual([]);
    const again = tryConvertToMultiStage(model, await optionsFor(name));
    expect(again.converted).toBe(false);
  });
});

async function outcomeOf(text: string, options: ConversionOptions = {}) {
  return tryConvertToMultiStage(await parseDockerfile(text), options);
}

describe('not applicable', () => {
  it.each([
    {
      what: 'already multi-stage onto scratch (seed 004 Dockerfile-6)',
      text: 'FROM golang:1.22 AS builder\nWORKDIR /app\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app .\n\nFROM scratch\nCOPY --from=builder /out/app /app\nENTRYPOINT ["/app"]\n',
      reason: /scratch/,
    },
    {
      what: 'already multi-stage onto a small base',
      text: 'FROM maven:3.9-eclipse-temurin-17 AS build\nRUN mvn -B package\n\nFROM eclipse-temurin:17-jre\nCOPY --from=build /target/app.jar /app.jar\nCMD ["java", "-jar", "/app.jar"]\n',
      reason: /already small/,
    },
    {
      what: 'a runtime base with nothing compiled',
      text: 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD ["python", "app.py"]\n',
      reason: /already a runtime image/,
    },
    {
      what: 'nothing built',
      text: 'FROM alpine:3.20\nCMD ["echo", "hi"]\n',
      reason: /no build pare recognises/,
    },
    {
      what: 'go run compiles at start',
      text: 'FROM golang:1.22\nWORKDIR /app\nCOPY . .\nCMD ["go", "run", "."]\n',
      reason: /no build pare recognises/,
    },
    {
      what: 'a start command with shell features',
      text: 'FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build -o app .\nCMD ./app --port $PORT\n',
      reason: /shell features/,
    },
    {
      what: 'a build inside sh -c',
      text: 'FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN sh -c "go build -o app ."\nCMD ["/app/app"]\n',
      reason: /cannot be edited/,
    },
    {
      what: 'a CMD that does not run the build output',
      text: 'FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build -o app .\nCMD ["/bin/sh", "start.sh"]\n',
      reason: /does not run the binary/,
    },
    {
      what: 'no CMD',
      text: 'FROM rust:1.78\nWORKDIR /src\nCOPY . .\nRUN cargo build --release\n',
      reason: /no CMD or ENTRYPOINT/,
    },
    {
      what: 'the container runs the build tool',
      text: 'FROM maven:3.9-eclipse-temurin-17\nWORKDIR /app\nCOPY . .\nRUN mvn -B package\nCMD ["mvn", "spring-boot:run"]\n',
      reason: /not java/,
    },
    {
      what: 'poetry manages its own environment',
      text: 'FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install poetry && poetry install\nCMD ["poetry", "run", "python", "app.py"]\n',
      reason: /poetry/,
    },
    {
      what: 'pip --user',
      text: 'FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install --user -r requirements.txt\nCMD ["python", "app.py"]\n',
      reason: /--user/,
    },
    {
      what: 'a final base pare does not know, running a JVM',
      text: 'FROM maven:3.9-eclipse-temurin-17 AS b\nRUN mvn -B package\n\nFROM corp/runtime:7\nCOPY --from=b /target/app.jar /app.jar\nCMD ["java", "-jar", "/app.jar"]\n',
      reason: /not in the catalogue/,
    },
    {
      what: 'a binary on a slim distribution whose final stage runs more than a CA install',
      text: 'FROM golang:1.22 AS b\nRUN go build -o /app .\n\nFROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y ca-certificates curl\nCOPY --from=b /app /app\nCMD ["/app"]\n',
      reason: /final stage runs commands/,
    },
    {
      what: 'a final stage on scratch (nothing to build)',
      text: 'FROM scratch\nCOPY app /app\nCMD ["/app"]\n',
      reason: /scratch/,
    },
  ])('$what', async ({ text, reason }) => {
    const outcome = await outcomeOf(text);
    expect(outcome.converted).toBe(false);
    if (!outcome.converted) expect(outcome.reason).toMatch(reason);
    expect(convertToMultiStage(await parseDockerfile(text))).toBeUndefined();
  });
});

describe('already multi-stage: a binary copied onto a distribution', () => {
  it.each([
    ['a slim Debian that installs the CA bundle', 'debian:buster-slim'],
    ['a base pare does not know', 'corp/runtime:7'],
  ])('goes onto scratch from %s', async (_name, base) => {
    const text = `FROM golang:1.22 as builder
WORKDIR /app
COPY go.* ./
RUN go mod download
COPY . ./
RUN go build -v -o flagsvc ./cmd/flagsvc

FROM ${base}
RUN set -x && apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y \\
    ca-certificates && \\
    rm -rf /var/lib/apt/lists/*

COPY --from=builder /app/flagsvc /app/flagsvc
EXPOSE 8080
CMD ["/app/flagsvc"]
`;
    const outcome = await outcomeOf(text);
    expect(outcome.converted, outcome.converted ? '' : outcome.reason).toBe(true);
    if (!outcome.converted) return;
    expect(outcome.result.finalBase).toBe('scratch');
    expect(outcome.result.text).toContain('RUN CGO_ENABLED=0 go build -v -o flagsvc ./cmd/flagsvc');
    expect(outcome.result.text).not.toMatch(/apt-get/);
    expect(outcome.result.text).toContain(
      'FROM scratch\nCOPY --from=builder /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\n',
    );
    expect(outcome.result.notes).toContain(
      'line 9 installed ca-certificates in the final stage: the CA bundle is copied from the builder instead',
    );
  });
});

describe('options and details', () => {
  const GO = 'FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build -o server .\nCMD ["./server"]\n';

  it('leaves the CA bundle out on request and embeds zoneinfo when asked', async () => {
    const result = convertToMultiStage(await parseDockerfile(GO), { caCertificates: false, zoneinfo: true })!;
    expect(result.text).not.toContain('ca-certificates.crt');
    expect(result.text).toContain("go build -trimpath -ldflags='-s -w' -tags=timetzdata -o /out/server .");
  });

  it('sees time.LoadLocation in the context', async () => {
    const context = contextFromFiles({
      'go.mod': 'module example.com/server\n',
      'main.go': 'package main\nimport "time"\nfunc main() { time.LoadLocation("Asia/Shanghai") }\n',
    });
    const result = convertToMultiStage(await parseDockerfile(GO), { context })!;
    expect(result.text).toContain('-tags=timetzdata');
    expect(result.text).toContain('COPY go.mod ./\nRUN go mod download\nCOPY . .');
  });

  it('takes the build context as BuildContext.files() entries', async () => {
    const directory = join(FIXTURES, 'node-npm-build', 'context');
    const entries = await (await openBuildContext(directory)).files();
    const text = readFileSync(join(FIXTURES, 'node-npm-build', 'Dockerfile'), 'utf8');
    const listed = convertToMultiStage(await parseDockerfile(text), { contextFiles: entries })!;
    // The lockfile is seen; package.json's start script is not read without the directory.
    expect(listed.text).toContain('COPY package.json package-lock.json ./\nRUN npm ci\n');
    expect(listed.text).toContain('CMD ["npm", "start"]');
    const readable = convertToMultiStage(await parseDockerfile(text), {
      contextFiles: entries,
      contextDirectory: directory,
    })!;
    expect(readable.text).toContain('CMD ["dist/server.js"]');
  });

  it('uses the given USER and keeps a numeric one', async () => {
    const custom = convertToMultiStage(await parseDockerfile(GO), { user: '10001:10001' })!;
    expect(custom.text).toContain('USER 10001:10001\nCMD ["/app/server"]');
    const numeric = convertToMultiStage(await parseDockerfile(GO.replace('CMD', 'USER 1000\nCMD')))!;
    expect(numeric.text).toContain('USER 1000\nCMD ["/app/server"]');
  });

  it('merges -s -w into the existing -ldflags, keeping variables and quotes', async () => {
    const text =
      'FROM golang:1.22\nARG V\nWORKDIR /app\nCOPY . .\nRUN GOOS=linux go build -ldflags="-X main.v=${V}" -o app\nCMD ["/app/app"]\n';
    const result = convertToMultiStage(await parseDockerfile(text))!;
    expect(result.text).toContain(
      'RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w -X main.v=${V}" -o /out/app .',
    );
  });

  it('keeps the output path when later commands use it', async () => {
    const text =
      'FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build -o app . && ./app -selftest\nCMD ["/app/app"]\n';
    const result = convertToMultiStage(await parseDockerfile(text))!;
    expect(result.text).toContain('CGO_ENABLED=0 go build -trimpath');
    expect(result.text).toContain('-o app . && ./app -selftest');
    expect(result.text).toContain('COPY --from=builder /app/app /app/app');
  });

  it('keeps an explicit CGO_ENABLED=1 dynamic, on a glibc base', async () => {
    const text =
      'FROM golang:1.22-bookworm\nWORKDIR /app\nCOPY . .\nRUN CGO_ENABLED=1 go build -o app .\nCMD ["/app/app"]\n';
    const result = convertToMultiStage(await parseDockerfile(text))!;
    expect(result.finalBase).toBe('pare-base/debian:bookworm-slim');
    expect(result.text).toContain('RUN CGO_ENABLED=1 go build');
    const lint = await lintModel(await parseDockerfile(result.text), { rules: allRules });
    expect(lint.filter((finding) => FIXED_RULES.has(finding.ruleId))).toEqual([]);
  });

  it('puts the shared libraries and the loader on scratch', async () => {
    const text = readFileSync(join(FIXTURES, 'c-dynamic', 'Dockerfile'), 'utf8');
    const result = convertToMultiStage(await parseDockerfile(text), {
      sharedLibraries: [
        '/lib64/ld-linux-x86-64.so.2',
        '/lib/x86_64-linux-gnu/libc.so.6',
        '/usr/lib/x86_64-linux-gnu/libssl.so.3',
        '/usr/lib/x86_64-linux-gnu/libcrypto.so.3',
      ],
    })!;
    expect(result.finalBase).toBe('scratch');
    expect(result.text).toContain(
      'COPY --from=builder /usr/lib/x86_64-linux-gnu/libssl.so.3 /usr/lib/x86_64-linux-gnu/libcrypto.so.3 /usr/lib/x86_64-linux-gnu/',
    );
    expect(result.text).toContain('COPY --from=builder /lib64/ld-linux-x86-64.so.2 /lib64/');
  });

  it('links C dynamically when asked', async () => {
    const text = readFileSync(join(FIXTURES, 'c-gcc', 'Dockerfile'), 'utf8');
    const result = convertToMultiStage(await parseDockerfile(text), { staticLinking: false })!;
    expect(result.text).not.toContain('-static');
    expect(result.finalBase).toBe('pare-base/debian:bookworm-slim');
  });

  it('keeps a variable of the original base tag in the final base', async () => {
    const text =
      'ARG PY=3.12\nFROM python:${PY}\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD ["python", "app.py"]\n';
    const result = convertToMultiStage(await parseDockerfile(text))!;
    expect(result.finalBase).toBe('python:${PY}-slim');
    expect(result.text.startsWith('ARG PY=3.12\n\nFROM python:${PY} AS builder\n')).toBe(true);
  });

  it('writes continuations with the escape character and keeps CRLF line endings', async () => {
    const text = [
      '# escape=`',
      'FROM debian:bookworm',
      'RUN apt-get update && apt-get install -y python3 python3-yaml gcc',
      'COPY app.py /srv/',
      'CMD ["python3", "/srv/app.py"]',
      '',
    ].join('\r\n');
    const result = convertToMultiStage(await parseDockerfile(text))!;
    expect(result.text).toContain(
      'apt-get update `\r\n    && apt-get install -y --no-install-recommends python3 python3-yaml',
    );
    expect(result.text.replace(/\r\n/g, '')).not.toContain('\n');
    const model = await parseDockerfile(result.text);
    const run = model.stages[0]!.instructions.find((instruction) => instruction.keyword === 'RUN');
    expect(
      run && 'script' in run && run.script ? run.script.commands.map((command) => command.program) : [],
    ).toEqual(['apt-get', 'apt-get', 'apt-get', 'rm']);
  });

  it("runs a distribution's Node on the same distribution's slim image with its nodejs package", async () => {
    resetCatalogue();
    extend(LOCAL_BASES.filter((entry) => entry.name !== 'pare-base/node:slim-bookworm'));
    try {
      const text = readFileSync(join(FIXTURES, 'node-no-build', 'Dockerfile'), 'utf8');
      const result = convertToMultiStage(await parseDockerfile(text), await optionsFor('node-no-build'))!;
      expect(result.finalBase).toBe('pare-base/debian:bookworm-slim');
      expect(result.text).toContain('apt-get install -y --no-install-recommends nodejs');
      expect(result.warnings.join('\n')).toContain("debian-12's nodejs package");
      const lint = await lintModel(await parseDockerfile(result.text), { rules: allRules });
      expect(lint.filter((finding) => FIXED_RULES.has(finding.ruleId))).toEqual([]);
    } finally {
      resetCatalogue();
      extend(LOCAL_BASES);
    }
  });

  it('prefers a config base over a builtin one that fits as well', async () => {
    const text =
      'FROM debian:bookworm\nRUN apt-get update && apt-get install -y python3 python3-flask gcc\nCOPY . /app\nCMD ["python3", "/app/app.py"]\n';
    expect(convertToMultiStage(await parseDockerfile(text))!.finalBase).toBe(
      'pare-base/python:slim-bookworm',
    );
    resetCatalogue();
    try {
      expect(convertToMultiStage(await parseDockerfile(text))!.finalBase).toBe('debian:bookworm-slim');
    } finally {
      extend(LOCAL_BASES);
    }
  });

  it('never names an image outside the catalogue', async () => {
    resetCatalogue();
    try {
      const outcome = await outcomeOf(
        'FROM corp/python-builder:1\nRUN pip install -r requirements.txt\nCMD ["python", "app.py"]\n',
      );
      expect(outcome.converted).toBe(false);
      const node = convertToMultiStage(
        await parseDockerfile(
          'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install\nCMD ["npm", "start"]\n',
        ),
      )!;
      // npm start needs npm: not distroless; node:20-slim is the catalogue's name for it.
      expect(node.finalBase).toBe('node:20-slim');
    } finally {
      extend(LOCAL_BASES);
    }
  });
});

describe("a team's allowed bases (allowedBaseImages)", () => {
  const LOADER = ['/lib64/ld-linux-x86-64.so.2', '/lib/x86_64-linux-gnu/libc.so.6'];
  it.each<[string, string, string[], ConversionOptions, RegExp]>([
    ['no policy: scratch', 'go-seed004', [], {}, /^-> scratch$/],
    ['scratch listed', 'go-seed004', ['pare-base/*', 'scratch'], {}, /^-> scratch$/],
    [
      'scratch not listed: the smallest allowed base',
      'go-seed004',
      ['pare-base/*'],
      {},
      /^-> pare-base\/debian:bookworm-slim \(scratch is not among the team's allowed bases/,
    ],
    [
      'nothing allowed fits a static binary',
      'go-seed004',
      ['corp/*'],
      {},
      /^not converted: no final base for a static binary is allowed; the team's allowed bases \(corp\/\*\) rule out scratch/,
    ],
    [
      'static Rust, scratch not listed',
      'rust',
      ['pare-base/debian:*'],
      {},
      /^-> pare-base\/debian:bookworm-slim/,
    ],
    [
      'the exact libraries with their loader go onto an allowed base, not scratch',
      'c-dynamic',
      ['pare-base/debian:bookworm-slim'],
      { sharedLibraries: LOADER },
      /^-> pare-base\/debian:bookworm-slim/,
    ],
    [
      'a venv on the allowed plain distribution',
      'python-apt-flask',
      ['pare-base/debian:*'],
      {},
      /^-> pare-base\/debian:bookworm-slim/,
    ],
    [
      'a final stage that would keep a disallowed original',
      'node-npm-build',
      ['pare-base/*'],
      {},
      /^not converted: its final base node:20 is not among the team's allowed bases \(pare-base\/\*\)$/,
    ],
    [
      'the policy rules out the only JRE',
      'java-maven',
      ['corp/*'],
      {},
      /^not converted: no JRE for Java 17 in the catalogue .*; the team's allowed bases \(corp\/\*\) rule out eclipse-temurin:17-jre, which the conversion would use otherwise$/,
    ],
    [
      'an already multi-stage Dockerfile whose slim runtime is not allowed',
      'multistage-python-full-final',
      ['pare-base/debian:*'],
      {},
      /rule out python:3\.12-slim/,
    ],
  ])('%s', async (_name, fixture, allowedBases, extra, expected) => {
    const text = readFileSync(join(FIXTURES, fixture, 'Dockerfile'), 'utf8');
    const outcome = tryConvertToMultiStage(await parseDockerfile(text), {
      ...(await optionsFor(fixture)),
      ...extra,
      allowedBases,
    });
    const summary = outcome.converted
      ? `-> ${outcome.result.finalBase}${outcome.result.notes.some((note) => note.startsWith('scratch is not')) ? ` (${outcome.result.notes.find((note) => note.startsWith('scratch is not'))})` : ''}`
      : `not converted: ${outcome.reason}`;
    expect(summary).toMatch(expected);
    if (outcome.converted && allowedBases.length > 0) {
      // What pare writes passes the team's own lint policy.
      const lint = await lintModel(await parseDockerfile(outcome.result.text), {
        rules: allRules,
        policy: { allowed: allowedBases },
      });
      expect(lint.filter((finding) => finding.ruleId === 'toolchain-base-in-final-image')).toEqual([]);
    }
  });
});
