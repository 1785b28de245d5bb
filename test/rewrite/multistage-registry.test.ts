/**
 * One registry says what an ecosystem is: the converters' driver, the
 * final-base replacement and the lint rule single-stage-build all read
 * knowledge/build-ecosystems. These tables pin what each shape of Dockerfile
 * is taken for, and that the rule and the driver agree on every fixture.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDockerfile } from '../../src/dockerfile/parse.js';
import { isRun } from '../../src/dockerfile/types.js';
import { BUILD_ECOSYSTEMS, buildOf, runtimeEcosystemOf } from '../../src/knowledge/build-ecosystems.js';
import { type ConverterHooks, runConverter } from '../../src/rewrite/multistage/converter.js';
import { detectEcosystem, tryConvertToMultiStage } from '../../src/rewrite/multistage/index.js';
import { CONVERTERS } from '../../src/rewrite/multistage/registry.js';
import { allRules, lintModel } from '../../src/rules/index.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/multistage');
const rule = allRules.filter((r) => r.meta.id === 'single-stage-build');

async function stageOf(text: string) {
  const model = await parseDockerfile(text);
  return { model, stage: model.stages.at(-1)! };
}

describe('the registry', () => {
  it('has one converter per ecosystem, in the order detection asks', () => {
    expect(CONVERTERS.map((c) => c.ecosystem)).toEqual(BUILD_ECOSYSTEMS.map((s) => s.ecosystem));
    expect(new Set(CONVERTERS.map((c) => c.ecosystem)).size).toBe(CONVERTERS.length);
  });

  it('gives every converter the three hooks the driver calls', () => {
    for (const converter of CONVERTERS) {
      expect(Object.keys(converter.hooks).sort(), converter.ecosystem).toEqual([
        'chooseFinal',
        'planBuilder',
        'precheck',
      ]);
    }
  });

  it("refuses, naming the ecosystem, when a converter's precheck does not follow the stage", async () => {
    // A stage that no converter's build matches: each precheck says why in one line.
    const { model, stage } = await stageOf('FROM debian:12\nCOPY run.sh /\nCMD ["/run.sh"]');
    for (const converter of CONVERTERS) {
      const outcome = converter.convert(model, stage, {});
      expect(outcome.converted, converter.ecosystem).toBe(false);
      if (outcome.converted) continue;
      expect(outcome.ecosystem).toBe(converter.ecosystem);
      expect(outcome.reason).toMatch(/^\S.*[^.]$/);
      expect(outcome.reason).not.toContain('\n');
    }
  });
});

describe('the driver', () => {
  interface Facts {
    program: string;
  }
  const recorder = (stopAt?: 'precheck' | 'planBuilder' | 'chooseFinal') => {
    const calls: string[] = [];
    const hooks: ConverterHooks<Facts, { out: string }> = {
      precheck({ log }) {
        calls.push('precheck');
        log.note('precheck ran');
        return stopAt === 'precheck' ? { error: 'no build' } : { program: 'app' };
      },
      planBuilder({ log }, facts, plan) {
        calls.push(`planBuilder(${facts.program})`);
        plan.append.push('RUN strip /out/app');
        log.note('builder planned');
        return stopAt === 'planBuilder' ? { error: 'cannot edit' } : { out: '/out/app' };
      },
      chooseFinal({ log }, facts, built) {
        calls.push(`chooseFinal(${facts.program}, ${built.out})`);
        log.lead('headline');
        log.warn('check this');
        return stopAt === 'chooseFinal'
          ? { error: 'no base' }
          : {
              stage: { from: 'scratch', lines: [`COPY --from=builder ${built.out} /app`, 'CMD ["/app"]'] },
              base: 'scratch',
              artifact: [built.out],
            };
      },
    };
    return { calls, hooks: hooks as ConverterHooks<unknown, unknown> };
  };

  it('runs the hooks in order, each with what the one before found, and writes builder plus final', async () => {
    const { model, stage } = await stageOf('# top\nFROM gcc:13\nCOPY . /src\nRUN make\nCMD ["/src/app"]');
    const { calls, hooks } = recorder();
    const outcome = runConverter('c', hooks, model, stage, {});
    expect(calls).toEqual(['precheck', 'planBuilder(app)', 'chooseFinal(app, /out/app)']);
    expect(outcome).toEqual({
      converted: true,
      result: {
        text: '# top\n\nFROM gcc:13 AS builder\nCOPY . /src\nRUN make\nRUN strip /out/app\n\nFROM scratch\nCOPY --from=builder /out/app /app\nCMD ["/app"]\n',
        ecosystem: 'c',
        mode: 'convert',
        builderBase: 'gcc:13',
        finalBase: 'scratch',
        artifact: ['/out/app'],
        notes: ['headline', 'precheck ran', 'builder planned'],
        warnings: ['check this'],
      },
    });
  });

  it.each(['precheck', 'planBuilder', 'chooseFinal'] as const)(
    'stops at a refusal from %s and goes no further',
    async (stopAt) => {
      const { model, stage } = await stageOf('FROM gcc:13\nRUN make\nCMD ["/app"]');
      const { calls, hooks } = recorder(stopAt);
      const outcome = runConverter('c', hooks, model, stage, {});
      expect(outcome.converted).toBe(false);
      expect(calls.at(-1)).toMatch(new RegExp(`^${stopAt}`));
      expect(outcome).toMatchObject({ ecosystem: 'c' });
    },
  );

  it('writes the final stage alone when the converter builds nothing', async () => {
    const { model, stage } = await stageOf(
      'FROM python:3.12\nCOPY app.py /app/\nCMD ["python", "/app/app.py"]',
    );
    const hooks: ConverterHooks<null, null> = {
      precheck: () => null,
      planBuilder: () => null,
      chooseFinal: () => ({
        stage: { from: 'python:3.12-slim', lines: ['COPY app.py /app/', 'CMD ["python", "/app/app.py"]'] },
        base: 'python:3.12-slim',
        artifact: ['/ignored'],
        withBuilder: false,
      }),
    };
    const outcome = runConverter('python', hooks as ConverterHooks<unknown, unknown>, model, stage, {});
    expect(outcome.converted && outcome.result.text).toBe(
      'FROM python:3.12-slim\nCOPY app.py /app/\nCMD ["python", "/app/app.py"]\n',
    );
    expect(outcome.converted && outcome.result.artifact).toEqual([]);
  });
});

describe('which ecosystem a single stage is', () => {
  const cases: Array<[string, string, string | undefined]> = [
    [
      'a go build outranks a Node start program',
      'FROM node:20\nCOPY . .\nRUN go build -o /usr/local/bin/helper ./cmd/helper\nCMD ["node", "server.js"]',
      'go',
    ],
    [
      'cargo build',
      'FROM rust:1.79\nCOPY . .\nRUN cargo build --release\nCMD ["./target/release/app"]',
      'rust',
    ],
    [
      'make driving a Node native addon: the start program decides',
      'FROM node:20\nCOPY . .\nRUN make -C native && npm ci\nCMD ["node", "index.js"]',
      'node',
    ],
    ['make and a binary: C', 'FROM gcc:13\nCOPY . .\nRUN make clean all\nCMD ["/src/bin/tool"]', 'c'],
    [
      'a Java build with a shell start script',
      'FROM maven:3-eclipse-temurin-21\nCOPY . .\nRUN mvn -B package\nCMD ./run.sh',
      'java',
    ],
    [
      'gunicorn starts a Python app',
      'FROM python:3.12\nCOPY . .\nRUN pip install -r requirements.txt\nCMD ["gunicorn", "app:app"]',
      'python',
    ],
    [
      'an entrypoint script over npm ci: Node by its dependency step',
      'FROM node:20-slim\nCOPY . .\nRUN npm ci --omit=dev\nENTRYPOINT ["docker-entrypoint.sh"]',
      'node',
    ],
    [
      'a venv created by a script-started app: Python by its dependency step',
      'FROM debian:bookworm\nRUN apt-get update && apt-get install -y python3-venv\nRUN python3 -m venv /opt/venv\nCMD ["/entrypoint.sh"]',
      'python',
    ],
    ['nothing built: no ecosystem', 'FROM nginx:1.27\nCOPY site/ /usr/share/nginx/html/', undefined],
  ];
  it.each(cases)('%s', async (_name, text, expected) => {
    const { stage } = await stageOf(text);
    expect(detectEcosystem(stage)).toBe(expected);
  });
});

describe('the runtime of a final image that builds nothing', () => {
  const cases: Array<[string, string | undefined, string | undefined]> = [
    ['java', 'generic', 'java'],
    ['node', 'python', 'node'],
    ['uvicorn', undefined, 'python'],
    ['entrypoint.sh', 'node', 'node'],
    ['entrypoint.sh', 'go', undefined],
    ['app', undefined, undefined],
  ];
  it.each(cases)('%s on a %s base → %s', (program, base, expected) => {
    expect(runtimeEcosystemOf(program, base)).toBe(expected);
  });
});

describe('the lint rule and the converters agree', () => {
  const fixtures = readdirSync(FIXTURES).filter((name) => existsSync(join(FIXTURES, name, 'Dockerfile')));
  it.each(fixtures)('%s', async (name) => {
    const text = readFileSync(join(FIXTURES, name, 'Dockerfile'), 'utf8');
    const model = await parseDockerfile(text);
    if (model.stages.length > 1) return;
    const stage = model.stages[0]!;
    const detected = detectEcosystem(stage);
    const findings = await lintModel(model, { rules: rule });
    const commands = stage.instructions.filter(isRun).flatMap((run) => run.script.commands);
    // Every build the rule reports is a build of the ecosystem the driver converts.
    for (const finding of findings) {
      const command = commands.find((c) => c.range.start.offset === finding.range?.start.offset);
      const build = command && buildOf(command);
      if (build) expect(build.ecosystem, finding.message).toBe(detected);
    }
    // A native build the driver converts is one the rule reports.
    const outcome = tryConvertToMultiStage(model);
    if (outcome.converted && ['go', 'rust', 'c'].includes(outcome.result.ecosystem)) {
      expect(findings.length, `${name}: converted as ${outcome.result.ecosystem}`).toBeGreaterThan(0);
    }
  });
});
