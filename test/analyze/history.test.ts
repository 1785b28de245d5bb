import { describe, expect, it } from 'vitest';
import {
  cleanCreatedBy,
  finalStageInstructions,
  mapHistoryToDockerfile,
  mapLayersToHistory,
  readDockerfileInstructions,
} from '../../src/analyze/history.js';

describe('cleanCreatedBy', () => {
  it.each([
    ['/bin/sh -c #(nop) ADD file:4b03b5f5 in / ', 'ADD file:4b03b5f5 in /'],
    ['/bin/sh -c #(nop)  CMD ["bash"]', 'CMD ["bash"]'],
    ['/bin/sh -c #(nop) WORKDIR /app', 'WORKDIR /app'],
    [
      '/bin/sh -c apt-get update &&     apt-get install -y curl',
      'RUN apt-get update && apt-get install -y curl',
    ],
    ['|2 GO_VERSION=1.22 TARGETARCH=amd64 /bin/sh -c go build -o /app .', 'RUN go build -o /app .'],
    ['RUN |1 V=1 /bin/sh -c make # buildkit', 'RUN make'],
    ['RUN /bin/sh -c pip install -r requirements.txt # buildkit', 'RUN pip install -r requirements.txt'],
    ['RUN /bin/bash -o pipefail -c curl -fsSL x | sh # buildkit', 'RUN curl -fsSL x | sh'],
    ['RUN |1 A="x y" /bin/sh -c echo $A # buildkit', 'RUN echo $A'],
    ['COPY . . # buildkit', 'COPY . .'],
    [
      'COPY --from=build /out/app /usr/local/bin/app # buildkit',
      'COPY --from=build /out/app /usr/local/bin/app',
    ],
    ['ENV PATH=/usr/local/go/bin:/usr/bin', 'ENV PATH=/usr/local/go/bin:/usr/bin'],
    ['cmd /S /C powershell -Command Install', 'RUN powershell -Command Install'],
    ['', ''],
  ])('%j → %j', (input, expected) => {
    expect(cleanCreatedBy(input)).toBe(expected);
  });
});

describe('mapLayersToHistory', () => {
  it('skips empty_layer entries (history has more entries than layers)', () => {
    const config = {
      history: [
        { created_by: '/bin/sh -c #(nop) ADD file:a in / ' },
        { created_by: '/bin/sh -c #(nop)  CMD ["bash"]', empty_layer: true },
        { created_by: 'ENV A=b', empty_layer: true, comment: 'buildkit.dockerfile.v0' },
        { created_by: 'RUN /bin/sh -c make # buildkit', created: '2024-02-02T00:00:00Z' },
      ],
    };
    const mapping = mapLayersToHistory(config, 2);
    expect(mapping.warning).toBeUndefined();
    expect(mapping.layers).toEqual([
      { historyIndex: 0, createdBy: '/bin/sh -c #(nop) ADD file:a in / ', instruction: 'ADD file:a in /' },
      {
        historyIndex: 3,
        createdBy: 'RUN /bin/sh -c make # buildkit',
        instruction: 'RUN make',
        created: '2024-02-02T00:00:00Z',
      },
    ]);
  });

  it('drops unflagged metadata instructions when that makes the counts agree', () => {
    const config = {
      history: [{ created_by: 'ADD a /' }, { created_by: 'ENV A=b' }, { created_by: 'RUN x' }],
    };
    const mapping = mapLayersToHistory(config, 2);
    expect(mapping.warning).toBeUndefined();
    expect(mapping.layers.map((l) => l.historyIndex)).toEqual([0, 2]);
  });

  it('warns and maps in order when history and layers disagree', () => {
    const mapping = mapLayersToHistory({ history: [{ created_by: 'RUN a' }] }, 3);
    expect(mapping.warning).toMatch(/1 layer-producing instructions for 3 layers/);
    expect(mapping.layers.map((l) => l.instruction)).toEqual(['RUN a', '', '']);
  });

  it('maps nothing without history', () => {
    expect(mapLayersToHistory({}, 2)).toEqual({
      layers: [
        { historyIndex: null, createdBy: '', instruction: '' },
        { historyIndex: null, createdBy: '', instruction: '' },
      ],
    });
  });
});

describe('Dockerfile mapping', () => {
  const dockerfile = [
    '# syntax=docker/dockerfile:1',
    'FROM golang:1.22 AS build',
    'WORKDIR /src',
    'COPY . .',
    'RUN go build -o /out/app .',
    '',
    'FROM debian:12-slim AS base',
    '# install certificates',
    'RUN apt-get update \\',
    '    # a comment inside the continuation',
    '    && apt-get install -y ca-certificates \\',
    '    && rm -rf /var/lib/apt/lists/*',
    '',
    'FROM base',
    'ENV PORT 8080',
    'COPY --from=build /out/app /usr/local/bin/app',
    'RUN <<EOF',
    'echo hello > /etc/motd',
    'EOF',
    'CMD ["app"]',
  ].join('\n');

  it('reads stages, continuations, comments and heredocs', async () => {
    const stages = await readDockerfileInstructions(dockerfile);
    expect(stages.map((s) => [s.name, s.base])).toEqual([
      ['build', 'golang:1.22'],
      ['base', 'debian:12-slim'],
      [undefined, 'base'],
    ]);
    const run = stages[1]!.instructions[1]!;
    expect(run).toMatchObject({ keyword: 'RUN', startLine: 9, endLine: 12 });
    expect(run.args).toBe(
      'apt-get update && apt-get install -y ca-certificates && rm -rf /var/lib/apt/lists/*',
    );
    const heredoc = stages[2]!.instructions.find((i) => i.args.startsWith('<<EOF'))!;
    expect(heredoc).toMatchObject({ startLine: 17, endLine: 19, args: '<<EOF echo hello > /etc/motd' });
    expect(finalStageInstructions(stages).map((i) => i.startLine)).toEqual([9, 15, 16, 17, 20]);
  });

  it('honours the escape directive', async () => {
    const stages = await readDockerfileInstructions(
      '# escape=`\nFROM mcr.microsoft.com/windows\nRUN dir `\n  c:\\\n',
    );
    expect(stages[0]!.instructions[1]).toMatchObject({ args: 'dir c:\\', startLine: 3, endLine: 4 });
  });

  it('matches history entries to lines, aligning from the end', async () => {
    const history = [
      'ADD file:debian in /', // base image
      'CMD ["bash"]', // base image
      'RUN apt-get update && apt-get install -y ca-certificates && rm -rf /var/lib/apt/lists/*',
      'ENV PORT=8080',
      'COPY /out/app /usr/local/bin/app', // classic builder drops --from
      'RUN <<EOF echo hello > /etc/motd',
      'CMD ["app"]',
    ];
    const locations = mapHistoryToDockerfile(
      history,
      finalStageInstructions(await readDockerfileInstructions(dockerfile)),
    );
    expect(locations.map((l) => l?.startLine ?? null)).toEqual([null, null, 9, 15, 16, 17, 20]);
  });

  it('matches classic-builder COPY by destination', async () => {
    const locations = mapHistoryToDockerfile(
      ['COPY dir:3f1e2a in /app', 'RUN npm ci'],
      finalStageInstructions(await readDockerfileInstructions('FROM node:20\nCOPY . /app\nRUN npm ci\n')),
    );
    expect(locations.map((l) => l?.startLine ?? null)).toEqual([2, 3]);
  });
});
