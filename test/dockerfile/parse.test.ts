import { describe, expect, it } from 'vitest';
import { parseDockerfile } from '../../src/dockerfile/parse.js';
import {
  type CommandInstruction,
  type CopyInstruction,
  isRun,
  type RunInstruction,
} from '../../src/dockerfile/types.js';

const commandsOf = async (text: string) => {
  const model = await parseDockerfile(text);
  return model.instructions
    .filter((i): i is RunInstruction => i.keyword === 'RUN')
    .flatMap((run) => run.script.commands.map((c) => [c.program, ...c.args].join(' ')));
};

describe('stages', () => {
  it('names stages, resolves ARG before FROM, marks the final stage', async () => {
    const model = await parseDockerfile(
      'ARG GO_VERSION=1.22\nARG BASE=debian:12-slim\nFROM golang:${GO_VERSION} AS Build\nRUN go build -o /app\nFROM ${BASE}\nCOPY --from=build /app /app\n',
    );
    expect(model.globalArgs.map((a) => a.pairs[0]!.key)).toEqual(['GO_VERSION', 'BASE']);
    expect(
      model.stages.map((s) => [s.name, s.base.resolved, s.base.repository, s.base.tag, s.isFinal]),
    ).toEqual([
      ['build', 'golang:1.22', 'golang', '1.22', false],
      [undefined, 'debian:12-slim', 'debian', '12-slim', true],
    ]);
    expect(model.finalStage.index).toBe(1);
    const copy = model.instructions.find((i) => i.keyword === 'COPY') as CopyInstruction;
    expect(copy.fromStage).toBe(0);
    expect([...model.graph.dependencies.get(1)!]).toEqual([0]);
    expect(model.graph.unused).toEqual([]);
  });

  it('finds unused stages and stage chains', async () => {
    const model = await parseDockerfile(
      'FROM alpine:3.20 AS base\nRUN true\nFROM base AS test\nRUN true\nFROM node:20 AS docs\nFROM base\nCOPY --from=1 /x /x\n',
    );
    expect(model.stages[1]!.baseStage).toBe(0);
    expect([...model.graph.reachable].sort()).toEqual([0, 1, 3]);
    expect(model.graph.unused).toEqual([2]);
  });

  it('parses registry, digest and scratch', async () => {
    const model = await parseDockerfile(
      'FROM localhost:5000/team/go@sha256:abc AS a\nFROM docker.io/library/ubuntu:24.04 AS b\nFROM scratch\n',
    );
    expect(
      model.stages.map((s) => [
        s.base.registry,
        s.base.repository,
        s.base.tag,
        s.base.digest,
        s.base.isScratch,
      ]),
    ).toEqual([
      ['localhost:5000', 'team/go', undefined, 'sha256:abc', false],
      ['docker.io', 'ubuntu', '24.04', undefined, false],
      [undefined, 'scratch', undefined, undefined, true],
    ]);
  });

  it('keeps unresolved variables visible', async () => {
    const model = await parseDockerfile('FROM ${IMAGE}:${TAG:-3.12}\n');
    expect(model.stages[0]!.base.unresolved).toBe(true);
    expect(model.stages[0]!.base.resolved).toBe('${IMAGE}:3.12');
  });
});

describe('RUN shell parsing', () => {
  it.each([
    ['&& chains', 'apt-get update && apt-get install -y curl', ['apt-get update', 'apt-get install -y curl']],
    ['; lists', 'cd /src; make; make install', ['cd /src', 'make', 'make install']],
    [
      'if blocks (test brackets are not commands)',
      'if [ -f go.mod ]; then go mod download; fi',
      ['go mod download'],
    ],
    [
      'sh -c strings',
      "sh -c 'pip install -r requirements.txt && rm -rf /tmp/x'",
      [
        'sh -c pip install -r requirements.txt && rm -rf /tmp/x',
        'pip install -r requirements.txt',
        'rm -rf /tmp/x',
      ],
    ],
    ['quotes are removed', `echo "a b" 'c d' e\\ f`, ['echo a b c d e f']],
    [
      'pipelines',
      'curl -fsSL https://x/y.tgz | tar -xz -C /opt',
      ['curl -fsSL https://x/y.tgz', 'tar -xz -C /opt'],
    ],
    [
      'sudo is unwrapped',
      'sudo -E apt-get install -y git',
      ['sudo -E apt-get install -y git', 'apt-get install -y git'],
    ],
    ['command substitution', 'export V=$(cat VERSION) && go build', ['cat VERSION', 'go build']],
  ])('%s', async (_name, script, expected) => {
    expect(await commandsOf(`FROM debian:12\nRUN ${script}\n`)).toEqual(expected);
  });

  it('joins continuations and drops comment lines inside them, with exact ranges', async () => {
    const text =
      'FROM debian:12\nRUN apt-get update \\\n    # install tools\n    && apt-get install -y \\\n       curl\n';
    const model = await parseDockerfile(text);
    const run = model.instructions[1] as RunInstruction;
    expect(run.script.commands.map((c) => [c.program, ...c.args])).toEqual([
      ['apt-get', 'update'],
      ['apt-get', 'install', '-y', 'curl'],
    ]);
    const install = run.script.commands[1]!;
    expect(install.range.start.line).toBe(3);
    expect(text.slice(install.range.start.offset, install.range.end.offset)).toBe(
      'apt-get install -y \\\n       curl',
    );
  });

  it('honours the escape directive', async () => {
    const text =
      '# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN apt-get update `\n    && apt-get install -y curl\n';
    const model = await parseDockerfile(text);
    expect(model.escape).toBe('`');
    expect(model.directives).toEqual([expect.objectContaining({ name: 'escape', value: '`' })]);
    const run = model.instructions[1] as RunInstruction;
    expect(run.script.commands.map((c) => c.program)).toEqual(['apt-get', 'apt-get']);
  });

  it('reads heredoc scripts', async () => {
    const text =
      'FROM debian:12\nRUN <<EOF\nset -e\napt-get update\napt-get install -y curl\nEOF\nRUN python3 <<PY\nimport os\nPY\n';
    const model = await parseDockerfile(text);
    const [first, second] = model.instructions.slice(1) as RunInstruction[];
    expect(first!.form).toBe('heredoc');
    expect(first!.script.errexit).toBe(true);
    expect(first!.script.commands.map((c) => [c.program, ...c.args].join(' '))).toEqual([
      'set -e',
      'apt-get update',
      'apt-get install -y curl',
    ]);
    expect(first!.script.commands[1]!.range.start.line).toBe(3);
    expect(second!.script.commands.map((c) => c.program)).toEqual(['python3']);
  });

  it('reads exec form and parses sh -c inside it', async () => {
    const model = await parseDockerfile('FROM node:20\nRUN ["sh", "-c", "npm ci && npm run build"]\n');
    const run = model.instructions[1] as RunInstruction;
    expect(run.form).toBe('exec');
    expect(run.execArgs).toEqual(['sh', '-c', 'npm ci && npm run build']);
    expect(run.script.commands.filter((c) => c.nested).map((c) => c.args.join(' '))).toEqual([
      'ci',
      'run build',
    ]);
  });

  it('marks commands after || and inside conditionals', async () => {
    const model = await parseDockerfile(
      'FROM debian:12\nRUN make || make clean; for f in *; do rm $f; done\n',
    );
    const commands = (model.instructions[1] as RunInstruction).script.commands;
    expect(commands.map((c) => [c.program, c.conditional])).toEqual([
      ['make', false],
      ['make', true],
      ['rm', true],
    ]);
  });

  it('substitutes ENV and ARG into shell words, and tracks --mount flags', async () => {
    const model = await parseDockerfile(
      'FROM python:3.12-slim\nARG REQ=requirements.txt\nENV PIP_NO_CACHE_DIR=1\nRUN --mount=type=cache,target=/root/.cache/pip pip install -r ${REQ}\n',
    );
    const run = model.instructions[3] as RunInstruction;
    expect(run.script.commands[0]!.args).toEqual(['install', '-r', 'requirements.txt']);
    expect(run.mounts).toEqual([
      { type: 'cache', target: '/root/.cache/pip', options: { type: 'cache', target: '/root/.cache/pip' } },
    ]);
    expect(model.finalStage.env).toMatchObject({ PIP_NO_CACHE_DIR: '1', REQ: 'requirements.txt' });
  });
});

describe('other instructions', () => {
  it('reads CMD/ENTRYPOINT forms', async () => {
    const model = await parseDockerfile(
      'FROM scratch\nENTRYPOINT ["/app", "--port", "8080"]\nCMD ./app serve\n',
    );
    const [entrypoint, cmd] = model.instructions.slice(1) as CommandInstruction[];
    expect(entrypoint!.form).toBe('exec');
    expect(entrypoint!.execArgs).toEqual(['/app', '--port', '8080']);
    expect(cmd!.form).toBe('shell');
    expect(cmd!.shellText).toBe('./app serve');
  });

  it('reads COPY flags, heredocs and JSON form', async () => {
    const model = await parseDockerfile(
      'FROM alpine:3.20\nCOPY --chown=10001:10001 --chmod=0755 ["src dir/", "/app/"]\nCOPY --link <<EOF /etc/motd\nhello\nEOF\n',
    );
    const [json, heredoc] = model.instructions.slice(1) as CopyInstruction[];
    expect([json!.sources, json!.destination, json!.chown, json!.chmod]).toEqual([
      ['src dir/'],
      '/app/',
      '10001:10001',
      '0755',
    ]);
    expect(heredoc!.link).toBe(true);
    expect(heredoc!.heredocs.map((h) => [h.name, h.content])).toEqual([['EOF', 'hello\n']]);
  });

  it('applies pare-ignore comments to the next instruction and to the file', async () => {
    const model = await parseDockerfile(
      '# pare-ignore-file=unpinned-base-image\nFROM ubuntu\n# pare-ignore=apt-lists-not-removed, pip-cache\n# why: cached by the CI runner\nRUN apt-get update\nRUN true\n',
    );
    expect([...model.fileIgnoredRules]).toEqual(['unpinned-base-image']);
    expect([...model.instructions[1]!.ignoredRules]).toEqual(['apt-lists-not-removed', 'pip-cache']);
    expect(model.instructions[2]!.ignoredRules.size).toBe(0);
  });
});

describe('ARG declarations', () => {
  it('declares every word of a multi-name ARG, with quotes removed', async () => {
    const model = await parseDockerfile(
      'ARG TARGETOS TARGETARCH=amd64 LABEL="a b"\nFROM golang:1.22\nARG TARGETOS\nRUN echo $TARGETARCH\n',
    );
    expect(model.globalArgs[0]!.pairs).toEqual([
      { key: 'TARGETOS', value: undefined },
      { key: 'TARGETARCH', value: 'amd64' },
      { key: 'LABEL', value: 'a b' },
    ]);
  });
});

describe('line continuations, as BuildKit reads them', () => {
  it('a line ending in an escaped escape ends the instruction', async () => {
    const model = await parseDockerfile('FROM alpine:3.20\nRUN echo foo\\\\\nRUN echo bar\n');
    const runs = model.instructions.filter(isRun);
    expect(runs.map((run) => run.script.text)).toEqual(['echo foo\\\\', 'echo bar']);
    expect(runs.map((run) => run.range.start.line)).toEqual([1, 2]);
  });

  it('with the backtick escape too', async () => {
    const model = await parseDockerfile('# escape=`\nFROM alpine:3.20\nENV DIR=C:\\data``\nRUN echo bar\n');
    expect(model.instructions.map((item) => item.keyword)).toEqual(['FROM', 'ENV', 'RUN']);
    // `` is an escaped backtick, as BuildKit's word processing reads the value.
    expect(model.stages[0]!.env.DIR).toBe('C:\\data`');
  });

  it('an escape on the last line, with or without a newline, continues into nothing', async () => {
    for (const text of ['FROM alpine:3.20\nRUN echo x \\\n', 'FROM alpine:3.20\nRUN echo x \\']) {
      const model = await parseDockerfile(text);
      expect(model.instructions.filter(isRun).map((run) => run.script.text)).toEqual(['echo x']);
    }
  });
});
