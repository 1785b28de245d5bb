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
